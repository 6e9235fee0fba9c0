"""Inbound webhooks of hosted helpdesks (Zendesk, Freshdesk, Zammad): a ticket that names an
order becomes an Andon contact. rules.py checks signatures and reads tickets (pure);
services.py records."""
