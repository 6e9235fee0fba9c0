from __future__ import annotations

from django.db.models import QuerySet

from .models import AuditEntry


def audit_of_andon(*, andon_id: int) -> QuerySet[AuditEntry]:
    """An andon's timeline, oldest first."""
    return (
        AuditEntry.objects.filter(andon_id=andon_id)
        .select_related("actor")
        .order_by("occurred_at", "id")
    )
