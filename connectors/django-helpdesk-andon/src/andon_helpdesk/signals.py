"""Every new ticket (staff form, public form, e-mail, REST API) is offered to Andon once its
custom fields are saved: django-helpdesk sends `new_ticket_done` then. Every later save of a
ticket or of one of its custom fields (an edit) has it read again (services.ticket_reread)."""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from helpdesk.models import Ticket, TicketCustomFieldValue
from helpdesk.signals import new_ticket_done

from .services import contact_record, edit_wanted, ticket_reread

log = logging.getLogger("andon_helpdesk")


@receiver(new_ticket_done)
def ticket_created(sender, ticket, **kwargs) -> None:
    def record() -> None:
        try:
            contact_record(ticket)
        except Exception:  # the ticket is saved whatever Andon does; the sync retries
            log.exception("ticket %s: Andon contact failed", ticket.pk)

    transaction.on_commit(record)


def _reread(ticket: Ticket) -> None:
    if not edit_wanted():
        return

    def reread() -> None:
        try:
            ticket_reread(Ticket.objects.get(pk=ticket.pk))
        except Exception:  # the edit is saved whatever Andon does
            log.exception("ticket %s: Andon re-read failed", ticket.pk)

    transaction.on_commit(reread)


@receiver(post_save, sender=Ticket)
def ticket_saved(sender, instance, created, raw=False, **kwargs) -> None:
    """An edited ticket is read again after the commit (a new one waits for
    `new_ticket_done`, sent once its custom fields are saved)."""
    if not created and not raw:
        _reread(instance)


@receiver(post_save, sender=TicketCustomFieldValue)
def custom_field_saved(sender, instance, raw=False, **kwargs) -> None:
    if not raw:
        _reread(instance.ticket)
