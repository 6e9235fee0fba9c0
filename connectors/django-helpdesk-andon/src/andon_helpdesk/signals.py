"""Every new ticket (staff form, public form, e-mail, REST API) is offered to Andon once its
custom fields are saved: django-helpdesk sends `new_ticket_done` then."""

from __future__ import annotations

import logging

from django.db import transaction
from django.dispatch import receiver
from helpdesk.signals import new_ticket_done

from .services import contact_record

log = logging.getLogger("andon_helpdesk")


@receiver(new_ticket_done)
def ticket_created(sender, ticket, **kwargs) -> None:
    def record() -> None:
        try:
            contact_record(ticket)
        except Exception:  # the ticket is saved whatever Andon does; the sync retries
            log.exception("ticket %s: Andon contact failed", ticket.pk)

    transaction.on_commit(record)
