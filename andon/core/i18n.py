"""Configuration text kept in both languages (reason labels, department names, routing
instructions, recovery actions): the one the reader reads."""

from __future__ import annotations

from django.utils.translation import get_language


def in_reader_language(zh: str, en: str) -> str:
    """English for an English reader; Chinese otherwise (the product's default language)."""
    return en if (get_language() or "").startswith("en") else zh
