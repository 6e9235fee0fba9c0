"""Catch up with Andon: record the contacts of tickets Andon did not take (it was down), then
tell tickets the numbers of their products' open andons and whether the products sell again
(when a webhook was missed, or when the desk does not receive webhooks). Run from cron."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from helpdesk.models import Ticket

from andon_helpdesk.client import AndonError
from andon_helpdesk.models import AndonTicket
from andon_helpdesk.services import MAX_ATTEMPTS, andons_poll, contact_record


class Command(BaseCommand):
    help = "Send pending tickets to Andon; poll the andons of linked tickets."

    def handle(self, *args, **options):
        pending = Ticket.objects.filter(andon__isnull=True) | Ticket.objects.filter(
            andon__contact_id__isnull=True,
            andon__attempts__lt=MAX_ATTEMPTS,
            andon__order__gt="",
        )
        recorded = 0
        for ticket in pending.distinct().order_by("pk"):
            link = contact_record(ticket)
            recorded += bool(link.contact_id)
        try:
            noted, relisted = andons_poll()
        except AndonError as e:
            self.stderr.write(f"Andon did not answer: {e.detail}")
            noted = relisted = 0
        waiting = AndonTicket.objects.filter(contact_id__isnull=True).count()
        self.stdout.write(
            f"{recorded} contacts recorded, {waiting} tickets without a contact, "
            f"{noted} told an andon, {relisted} told of a relist"
        )
