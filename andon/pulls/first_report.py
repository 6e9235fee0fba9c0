"""An andon's first report: the time of its earliest evidence contact, stored on the andon
(`first_report_at`) when evidence is linked, so time to contain (first report -> pull) is read
without joining the evidence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Min, OuterRef, Subquery

from andon.contacts.models import Contact

from .models import Andon, AndonEvidence


def first_report(product_id: int, reason_id: int, since: dt.datetime) -> Subquery:
    """The first report of a pull being opened, as an expression of its INSERT (no statement
    of its own): the earliest contact of the reason on the product since the evidence window
    began, i.e. the earliest of the evidence the pull links. (Contacts linked through a
    detected problem under another reason are not looked at; `andon rebuild-summaries
    --first-reports` restamps from the evidence itself.)"""
    return Subquery(
        Contact.objects.filter(product_id=product_id, reason_id=reason_id, created_at__gte=since)
        .order_by("created_at")
        .values("created_at")[:1]
    )


def stamp_first_reports(andon_ids: Iterable[int] | None) -> int:
    """Set first_report_at of these andons (every andon with None) from their evidence."""
    earliest = Subquery(
        AndonEvidence.objects.filter(andon_id=OuterRef("pk"))
        .values("andon_id")
        .annotate(first=Min("contact__created_at"))
        .values("first")[:1]
    )
    qs = Andon.objects.all()
    if andon_ids is not None:
        ids = list(andon_ids)
        if not ids:
            return 0
        qs = qs.filter(pk__in=ids)
    return qs.update(first_report_at=earliest)
