"""Sentences of problem detection's corrections: contacts moved, problems merged and split."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .words import Entry, actor_of, say


def _contacts(e: Entry) -> str:
    n = len(e.data.get("contacts") or [])
    return ngettext("%(n)d contact", "%(n)d contacts", n) % {"n": n}


def _problem_ids(ids: Any) -> str:
    return ", ".join(f"#{i}" for i in (ids if isinstance(ids, list) else [ids]) if i)


PROBLEMS: dict[str, Callable[[Entry], SafeString]] = {
    "problem.contacts_moved": lambda e: say(
        _("%(who)s moved %(contacts)s from problem %(source)s into problem #%(problem)s."),
        who=actor_of(e),
        contacts=_contacts(e),
        source=_problem_ids(e.data.get("from")) or "—",
        problem=e.subject_id,
    ),
    "problem.merged": lambda e: say(
        _("%(who)s merged problem #%(source)s into problem #%(problem)s (%(contacts)s)."),
        who=actor_of(e),
        source=e.data.get("merged", ""),
        problem=e.subject_id,
        contacts=_contacts(e),
    ),
    "problem.split": lambda e: say(
        _("%(who)s split %(contacts)s off problem #%(problem)s into problem #%(into)s."),
        who=actor_of(e),
        contacts=_contacts(e),
        problem=e.subject_id,
        into=e.data.get("into", ""),
    ),
}
