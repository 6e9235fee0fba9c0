"""Customers' personal data on screen. Pure.

A phone number is shown masked (138****4567): enough to match what the caller says, not
enough to copy a customer list off a screen. The full number is for calling back, shown on
request to service people, and each reveal is audited (who saw whose number, when)."""

from __future__ import annotations

MASK = "*"


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits of a number of 8 or more digits (the last 2 of a
    shorter one); every other digit becomes "*", separators stay."""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if not digits:
        return phone
    keep = set(digits[:3] + digits[-4:]) if len(digits) >= 8 else set(digits[-2:])
    return "".join(MASK if i in digits and i not in keep else ch for i, ch in enumerate(phone))
