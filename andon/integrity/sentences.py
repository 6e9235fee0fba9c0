"""Integrity reasons as sentences in the reader's language. Pure: a reason is stored as a
code with its numbers (integrity.rules.Reason) and rendered when read, so that a team lead in
Shanghai and an admin in London each read it in their own language."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, ngettext

# --- sentences --------------------------------------------------------------------------


def sentence(code: str, params: dict[str, Any]) -> str:
    """A reason in the reader's language (the caller activates it)."""
    p = dict(params)
    if isinstance(p.get("shared"), list):
        p["shared"] = gettext(", ").join(shared_label(w) for w in p["shared"])
    n = int(p.get("count", p.get("claims", p.get("accounts", p.get("invalid", 0)))) or 0)
    texts = {
        "fraud.claims": ngettext(
            "%(claims)s claim on %(orders)s delivered orders, about %(products)s different "
            "products (population: %(population)s claims per 100 orders).",
            "%(claims)s claims on %(orders)s delivered orders, about %(products)s different "
            "products (population: %(population)s claims per 100 orders).",
            n,
        ),
        "fraud.z": gettext(
            "Claim rate %(z)s robust standard deviations above the median of %(customers)s "
            "customers."
        ),
        "fraud.chance": gettext(
            "A customer with that many orders claims this often by chance once in %(odds)s."
        ),
        "fraud.value": gettext(
            "Recovery received: %(value)s CNY, %(per_order)s CNY per delivered order "
            "(median: %(median)s CNY)."
        ),
        "cluster.shared": gettext(
            "%(accounts)s accounts that share %(shared)s reported %(product)s within %(hours)s h."
        ),
        "cluster.new": gettext(
            "%(new)s of %(accounts)s registered less than %(days)s days before their report."
        ),
        "cluster.reporters": gettext(
            "They are %(accounts)s of the %(reporters)s customers who reported it in that time."
        ),
        "andon.cluster": gettext(
            "%(suspicious)s of %(reporters)s reporters registered less than %(days)s days "
            "before their report and share %(shared)s."
        ),
        "product.targeted": ngettext(
            "%(product)s is reported by %(clusters)s cluster of new accounts (%(accounts)s "
            "accounts): possibly an organised campaign against it.",
            "%(product)s is reported by %(clusters)s clusters of new accounts (%(accounts)s "
            "accounts): possibly an organised campaign against it.",
            int(params.get("clusters", 0) or 0),
        ),
        "misuse.invalid": gettext(
            "%(invalid)s of %(reviewed)s reviewed pulls invalid (%(rate)s%%); the rest of the "
            "team: %(team)s%%."
        ),
        "misuse.few_customers": gettext(
            "%(share)s%% of the evidence of %(andons)s pulls comes from the same customers: "
            "%(customers)s."
        ),
        "misuse.repeats": gettext(
            "%(repeats)s of %(contacts)s contacts repeat one customer, product and reason "
            "(%(rate)s%%; other agents: %(others)s%%)."
        ),
        "misuse.bonus": gettext(
            "Holds %(share)s%% of the team's bonus this quarter (an even share: %(fair)s%%)."
        ),
        "system.contacts": gettext(
            "%(count)s contacts on %(products)s different products within %(minutes)s min."
        ),
        "system.pulls": gettext(
            "%(count)s pulls on %(products)s different products within %(minutes)s min."
        ),
        "system.import": gettext(
            "Import burst: %(count)s contacts on %(products)s different products within "
            "%(minutes)s min."
        ),
    }
    text = texts.get(code)
    if text is None:
        return code
    return text % p


SHARED_LABELS = ("phone", "address", "device")


def shared_label(what: str) -> str:
    return {
        "phone": gettext("a phone"),
        "address": gettext("an address"),
        "device": gettext("a device"),
    }.get(what, what)
