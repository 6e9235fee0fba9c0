"""Names and shown numbers of the flywheel's figures, one place for the console, the exports
and the charts (so the numbers in a chart, a table and a spreadsheet are the same). Pure.

A share is shown as a percentage through andon.core.rates (rounded half up, with the places
it takes beside its target); other figures are shown as computed (hours and minutes one
place, money and per-1,000 figures two)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from andon.core.rates import NO_RATE, rate_percent
from andon.core.rates import target_text as rate_target_text

from .rules import Element, Figure, Layer, Number

LAYERS: dict[str, Promise] = {
    Layer.EMPOWERMENT: _("Organisational empowerment"),
    Layer.VALUE: _("Value realisation"),
    Layer.MEMBERSHIP: _("Membership, the accelerator"),
}

ELEMENTS: dict[str, Promise] = {
    Element.TOOLS: _("Tools: the cord"),
    Element.RULES: _("Rules"),
    Element.CULTURE: _("Culture"),
    Element.STRATEGY: _("Strategy and business model"),
    Element.TALENT: _("Organisation and talent"),
    Element.PROCESS: _("Process re-engineering"),
    Element.MEMBERSHIP: _("Membership"),
}

FIGURES: dict[str, Promise] = {
    "pulls": _("Pulls"),
    "contain_hours": _("Time to contain (first report → pull, mean)"),
    "relist_hours": _("Time to relist (pull → sold again, mean)"),
    "problems_pulled": _("Detected problems pulled"),
    "recovery_within_guide": _("Recovery within the guide"),
    "bad_andon_rate": _("Bad-andon rate"),
    "reviews_on_time": _("Reviews within a week"),
    "agents_pulling": _("Agents who pulled (of agents with contacts)"),
    "bonuses_paid": _("Bonuses paid"),
    "actions_on_time": _("Corrective actions done on time"),
    "complaints_per_1000_orders": _("Complaints per 1,000 orders"),
    "repeat_contact_rate": _("Repeat contacts (a customer's second and later in the period)"),
    "products_suppressed": _("Products stopped"),
    "gmv_protected": _("GMV protected (held units × price)"),
    "recovery_cost_per_order": _("Recovery cost per order"),
    "training_actions_done": _("Training actions done"),
    "minutes_per_contact": _("Minutes per contact"),
    "work_orders_by_department": _("Work orders by department"),
    "repeat_problems_after_fix": _("Problems back after a fix"),
    "work_order_sla_met": _("Work orders resolved in time"),
    "enrolments": _("Member enrolments"),
    "trial_conversion": _("Trials converted to paid (of trials decided)"),
    "renewal_rate": _("Paid periods renewed (of renewals due)"),
}

SUFFIX: dict[str, str] = {"share": "%", "hours": " h", "minutes": " min"}


def shown(value: Number, unit: str, target: Decimal | None = None) -> Decimal | int | None:
    """The number as the page shows it (a share as its percentage)."""
    if value is None:
        return None
    if unit == "share":
        return rate_percent(Decimal(value), against=target)
    return value


def text(value: Number, unit: str, target: Decimal | None = None) -> str:
    """The figure as text in the reader's number format: "50.0%", "24.0 h", "380.00"."""
    n = shown(value, unit, target)
    if n is None:
        return NO_RATE
    if isinstance(n, int):
        return number_format(n, force_grouping=True)
    exponent = n.as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return f"{number_format(n, places, force_grouping=True)}{SUFFIX.get(unit, '')}"


def target_text(f: Figure) -> str:
    if f.target is None:
        return ""
    if f.unit == "share":
        return rate_target_text(f.target)
    return text(f.target.normalize(), f.unit)
