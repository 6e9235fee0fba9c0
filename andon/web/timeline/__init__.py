"""An andon's timeline in sentences: every audit action the domains record has its sentence
here, in both languages (a test reads the services for `Audit("…")` and fails on an action
without one). Names, notes and findings stay as typed (translate="no"); the sentence around
them is translated. The sentences live by what they tell: the cord's story (cord.py), what
follows a pull (after.py), problem corrections (problems.py), a customer's (customers.py)."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .after import AFTER
from .cord import CORD, holds_in_words
from .customers import CUSTOMERS
from .problems import PROBLEMS
from .words import Entry, actor_of, say

SENTENCES: dict[str, Callable[[Entry], SafeString]] = {**CORD, **AFTER, **PROBLEMS, **CUSTOMERS}

__all__ = ["SENTENCES", "Entry", "holds_in_words", "sentence"]


def sentence(e: Entry) -> SafeString:
    said = SENTENCES.get(e.action)
    if said is not None:
        return said(e)
    # An action recorded by a newer part of the product than this table: words, not a code.
    return say(
        _("%(who)s: %(what)s."),
        who=actor_of(e),
        what=capfirst(e.action.replace(".", " ").replace("_", " ")),
    )
