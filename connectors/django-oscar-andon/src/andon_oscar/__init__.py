"""Andon connector for django-oscar.

Andon POSTs signed listing webhooks (Standard Webhooks) when the cord stops a product and when
it sells again; this app verifies them, applies them in each product's sequence order, and
makes a stopped product unavailable to buy through Oscar's own availability policy (the
product page shows it unavailable; adding it to a basket and checking out are refused)."""
