"""An andon's first report: the time of its earliest evidence contact, stored on the andon
(`first_report_at`) when evidence is linked, so time to contain (first report -> pull) is read
without joining the evidence. The pull stamps it from the contacts it reads for eligibility
(pulls.selectors.pull_facts: the earliest of the reason's contacts since the evidence window
began; contacts linked through a detected problem under another reason are not looked at, and
`andon rebuild-summaries --first-reports` restamps from the evidence itself)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Min, OuterRef, Subquery

from .models import Andon, AndonEvidence


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
