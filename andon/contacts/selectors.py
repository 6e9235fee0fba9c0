from __future__ import annotations

from .errors import UnknownReason
from .models import ReasonCode


def reason_get(*, code: str, field: str = "reason") -> ReasonCode:
    try:
        return ReasonCode.objects.get(code=code, active=True)
    except ReasonCode.DoesNotExist:
        raise UnknownReason(f"No active reason code '{code}'.", field=field) from None


def reasons_active() -> list[ReasonCode]:
    return list(ReasonCode.objects.filter(active=True).order_by("code"))
