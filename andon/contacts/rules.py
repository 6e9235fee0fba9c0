"""What makes a contact evidence. Pure.

A contact is the customer's words about a product: it counts toward a pull (distinct customers,
same product, same reason) only with them. Text is required and must say something: blank or
whitespace-only text is refused wherever a contact comes in (the API answers 422 naming
`text`, the console shows the form's error, the import rejects the row), never kept as a
silent piece of evidence. What the customer said is stored as said.
"""

from __future__ import annotations

from django.utils.translation import gettext as _


def text_problem(text: str | None) -> str | None:
    """Why this text cannot be a contact's (None when it can)."""
    if text is None or not text.strip():
        return _("Write what the customer said: a contact without words is no evidence.")
    return None
