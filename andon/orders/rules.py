"""Customers' personal data on screen. Pure.

A phone number is shown masked (138****4567): enough to match what the caller says, not
enough to copy a customer list off a screen. The full number is for calling back, shown on
request to service people, and each reveal is audited (who saw whose number, when)."""

from __future__ import annotations

import unicodedata

MASK = "*"


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits of a number of 8 or more digits (the last 2 of a
    shorter one); every other digit becomes "*", separators stay."""
    digits = [i for i, ch in enumerate(phone) if ch.isdigit()]
    if not digits:
        return phone
    keep = set(digits[:3] + digits[-4:]) if len(digits) >= 8 else set(digits[-2:])
    return "".join(MASK if i in digits and i not in keep else ch for i, ch in enumerate(phone))


def mask_address(address: str) -> str:
    """Keep the first 6 characters of a street address (district, road) and hide the rest:
    enough to see that two accounts share one, not enough to send them a parcel."""
    address = address.strip()
    if len(address) <= 6:
        return MASK * len(address)
    return address[:6] + MASK * 4


def normalise_text_key(value: str) -> str:
    """One spelling for matching: full-width to half-width (NFKC), case folded, and every
    space and punctuation mark dropped ("Room 3, 12 Main St." == "room3 12mainst")."""
    folded = unicodedata.normalize("NFKC", value).casefold()
    return "".join(ch for ch in folded if ch.isalnum())


_CITY_SUFFIXES = ("市", "city")


def normalise_city(city: str) -> str:
    """ "上海市", "上海", "Shanghai City" and " shanghai " are one city each way they are typed."""
    key = normalise_text_key(city)
    for suffix in _CITY_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            key = key[: -len(suffix)]
    return key


def address_key(address: str, city: str) -> str:
    """The key two accounts share when they give one address: normalised city + street."""
    street = normalise_text_key(address)
    if not street:
        return ""
    return f"{normalise_city(city)}|{street}"[:255]


def normalise_city_display(city: str) -> str:
    """The city as stored and shown: NFKC (full-width letters folded), spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", city).split())
