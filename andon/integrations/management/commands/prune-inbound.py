"""`andon prune-inbound [--older-than DAYS]`: keep the hosted helpdesks' event log to
its retention (ANDON_INBOUND_EVENT_RETENTION_DAYS, default 90). Run it daily from cron."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from andon.integrations.inbound.services import inbound_event_retention, inbound_events_prune


class Command(BaseCommand):
    help = (
        "Delete helpdesk webhook events older than their retention. Inbound events of Zendesk, "
        "Freshdesk and Zammad received more than ANDON_INBOUND_EVENT_RETENTION_DAYS (default "
        "90) days ago go; contacts stay, and a replay of a pruned event records nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=float,
            metavar="DAYS",
            default=None,
            help="Age in days of the events to delete (default: the retention setting).",
        )

    def handle(self, *args, older_than, **opts):
        if older_than is not None and older_than < 0:
            raise CommandError("--older-than must be zero or more days")
        try:
            age = (
                dt.timedelta(days=older_than)
                if older_than is not None
                else inbound_event_retention()
            )
        except ValueError as e:
            raise CommandError(str(e)) from None
        deleted = inbound_events_prune(older_than=age)
        self.stdout.write(
            f"deleted {deleted} inbound events older than {age.total_seconds() / 86400:g} days"
        )
