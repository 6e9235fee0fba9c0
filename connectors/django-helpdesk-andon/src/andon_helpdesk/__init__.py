"""Andon connector for django-helpdesk.

A ticket that names an order (and a line or a product) becomes an Andon contact; the ticket
page shows an Andon panel (eligibility in words, the cord); Andon's webhooks (or polling)
add follow-ups with the andon's number and when the product sells again.
"""
