"""Integrations: the relay from the transactional outbox to signed webhooks (Standard
Webhooks), retries with backoff and dead-lettering, replay, the listing-events feed with a
gap-free cursor, and bulk idempotent imports of catalog, stock, customers and orders
(SPEC capability 10, and capability 1's "synced from a storefront by bulk import").
"""
