"""Console pages of reviews: the review queue, the bad-andon rate with its trend and drill
down, corrective actions, and the Monday review (printable). Thin: parse, check the role,
call a selector or one service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.flywheel.alarms import alarms
from andon.incentives.selectors import ledger_of_pull
from andon.integrity import selectors as integrity
from andon.people import rules as people_rules
from andon.people.rules import Role
from andon.people.selectors import departments_list, team_id_by_code, user_by_username
from andon.reviews import rules
from andon.reviews.choices import RootCauseChoices
from andon.reviews.exports import rates_csv
from andon.reviews.monday import managers, monday_review
from andon.reviews.selectors import (
    bad_andon_rate,
    corrective_actions,
    review_of,
    review_policy,
    review_queue,
    reviews_in,
)
from andon.reviews.services import (
    CorrectionResult,
    andon_review,
    corrective_action_done,
    review_correct,
)

from .. import charts
from ..access import require, roles
from ..formatting import day, money
from ..forms import CorrectionForm, ReviewForm
from . import flywheel as flywheel_views

TREND_PERIODS = {"week": 12, "month": 6}


managers_only = require(people_rules.may_see_kpis)


def _is_admin(request: HttpRequest) -> bool:
    return Role.ADMIN in roles(request).roles


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())


def _departments() -> list[tuple[str, str]]:
    return [(d.code, d.name) for d in departments_list()]


def _review_form(andon_id: int, departments: list[tuple[str, str]], **kw) -> ReviewForm:
    # Unprefixed names (the API's words), ids unique per row of the queue.
    return ReviewForm(auto_id=f"rv{andon_id}-%s", departments=departments, **kw)


@managers_only
def queue(request: AuthenticatedRequest) -> HttpResponse:
    return _queue_page(request)


def _queue_page(
    request: AuthenticatedRequest, refused: tuple[int, ReviewForm, DomainError] | None = None
) -> HttpResponse:
    andons = review_queue(user_id=None if _is_admin(request) else request.user.pk)
    departments = _departments()
    rows: list[tuple[Any, ReviewForm, DomainError | None]] = []  # Any: the queue's andons
    for a in andons:
        if refused and refused[0] == a.pk:
            rows.append((a, refused[1], refused[2]))
        else:
            rows.append((a, _review_form(a.pk, departments), None))
    # The integrity notes of the whole page at once (the queue's cost must not grow with it).
    notes = (
        integrity.andons_review_notes({a.pk: a.opened_by.get_username() for a in andons})
        if people_rules.may_review_integrity(roles(request))
        else None
    )
    return render(
        request,
        "web/reviews/queue.html",
        {"rows": rows, "andons": andons, "policy": review_policy(), "integrity_notes": notes},
        status=refused[2].status if refused else 200,
    )


@require_POST
@managers_only
def review(request: AuthenticatedRequest, andon_id: int) -> HttpResponse:
    """One verdict. HTMX swaps the row with the outcome; without JS, back to the queue. A
    refusal shows the form again exactly as it was sent, with the reason."""
    form = _review_form(andon_id, _departments(), data=request.POST)
    verdict = form.value("verdict")
    try:
        result = andon_review(
            actor=request.user,
            andon_id=andon_id,
            verdict=verdict,
            root_cause=form.value("root_cause") if verdict == "invalid" else "",
            action=form.value("action"),
            department=form.value("department"),
        )
    except DomainError as e:
        form = _review_form(andon_id, _departments(), data=request.POST, error_field=e.field)
        if request.htmx:
            return render(
                request,
                "web/reviews/_review_form.html",
                {"error": e, "a": {"pk": andon_id}, "form": form},
                status=e.status,
            )
        return _queue_page(request, refused=(andon_id, form, e))
    if request.htmx:
        return render(request, "web/reviews/_reviewed.html", {"result": result})
    messages.success(request, _("ANDON-%(id)s reviewed.") % {"id": andon_id})
    return redirect("reviews:queue")


@require(people_rules.may_see_kpis)
def correct(request: AuthenticatedRequest, andon_id: int) -> HttpResponse:
    """Correct a reviewed pull's verdict, with the reason: its reviewer or an admin. Shows the
    verdict as it is, its corrections and what the pull paid; no verdict preselected."""
    review = review_of(andon_id=andon_id)
    if review is None:
        raise Http404
    if not rules.may_correct(
        roles(request), user_id=request.user.pk, reviewer_id=review.reviewer_id
    ):
        raise PermissionDenied
    departments = _departments()
    form = CorrectionForm(departments=departments)
    error = None
    if request.method == "POST":
        form = CorrectionForm(request.POST, departments=departments)
        verdict = form.value("verdict")
        try:
            result = review_correct(
                actor=request.user,
                andon_id=andon_id,
                verdict=verdict,
                reason=form.value("reason"),
                root_cause=form.value("root_cause") if verdict == "invalid" else "",
                action=form.value("action"),
                department=form.value("department"),
            )
        except DomainError as e:
            error = e
            form = CorrectionForm(request.POST, departments=departments, error_field=e.field)
        else:
            messages.success(request, correction_message(result))
            return redirect("reviews:correct", andon_id=andon_id)
    return render(
        request,
        "web/reviews/correct.html",
        {
            "review": review,
            "andon": review.andon,
            "form": form,
            "error": error,
            "ledger": ledger_of_pull(andon_id=andon_id),
        },
        status=error.status if error else 200,
    )


def _fill(message: str, **values: Any) -> SafeString:
    """A translated message with its values put in, escaped except where a value is markup
    already (an amount's unbreakable span, a <time>)."""
    return mark_safe(
        conditional_escape(message) % {k: conditional_escape(v) for k, v in values.items()}
    )


def correction_message(result: CorrectionResult) -> SafeString:
    """What the correction did, in a sentence for the reviewer; amounts and days written as
    everywhere in the console (formatting), the rest escaped."""
    r = result.review
    if not result.changed:
        return _fill(
            _("The verdict is already “%(verdict)s”: nothing changed."),
            verdict=r.get_verdict_display(),
        )
    parts = [
        _("Verdict corrected to “%(verdict)s”.") % {"verdict": r.get_verdict_display()},
    ]
    if result.reversals:
        amount = sum(-line.amount for line in result.reversals)
        parts.append(
            _fill(
                _(
                    "The bonus of %(amount)s is taken back by a correction line on the agent's "
                    "statement (not a penalty)."
                ),
                amount=money(amount),
            )
        )
    if result.credit:
        parts.append(
            _fill(
                _("A bonus of %(amount)s is credited to the agent."),
                amount=money(result.credit.amount),
            )
        )
    if result.withdrawn:
        parts.append(
            ngettext(
                "%(n)d open corrective action is withdrawn.",
                "%(n)d open corrective actions are withdrawn.",
                result.withdrawn,
            )
            % {"n": result.withdrawn}
        )
    if result.action:
        parts.append(
            _fill(
                _("Corrective action “%(what)s” due %(due)s."),
                what=result.action.description,
                due=day(result.action.due_on),
            )
        )
    return mark_safe(" ".join(conditional_escape(p) for p in parts))


def _kpi_rows(request: HttpRequest) -> dict:
    period = request.GET.get("period", "week")
    period = period if period in TREND_PERIODS else "week"
    by = request.GET.get("by", "team_lead")
    by = by if by in ("team_lead", "team", "all") else "team_lead"
    today = timezone.localdate()
    start = rules.period_start(today, period)
    for _i in range(TREND_PERIODS[period] - 1):
        start = rules.period_start(start - dt.timedelta(days=1), period)
    target = review_policy().target_rate
    rows = bad_andon_rate(period=period, by=by, since=_aware(start), target=target)
    return {"rows": rows, "period": period, "by": by, "target": target, "since": start}


@managers_only
def kpis(request: HttpRequest) -> HttpResponse:
    ctx = _kpi_rows(request)
    rows = ctx["rows"]
    return render(
        request,
        "web/reviews/kpis.html",
        {
            **ctx,
            "rows": sorted(rows, key=lambda r: (r.period_start, r.key), reverse=True),
            "chart": charts.rate_trend(rows, ctx["target"]),
        },
    )


@managers_only
def kpis_export(request: HttpRequest) -> HttpResponse:
    """The table of the KPI page as CSV, with the rates as the page shows them."""
    ctx = _kpi_rows(request)
    response = HttpResponse(
        rates_csv(ctx["rows"], by=ctx["by"], target=ctx["target"]),
        content_type="text/csv; charset=utf-8",
    )
    name = f"bad-andon-rate-{ctx['period']}-{ctx['by']}-{ctx['since']:%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@managers_only
def drill(request: AuthenticatedRequest) -> HttpResponse:
    """The pulls behind one cell of the KPI table, with verdicts, root causes and actions."""
    period = "month" if request.GET.get("period") == "month" else "week"
    try:
        start = dt.date.fromisoformat(request.GET.get("start", ""))
    except ValueError:
        start = rules.last_week(timezone.localdate())[0]
    start = rules.period_start(start, period)
    end = (
        start + dt.timedelta(days=7)
        if period == "week"
        else rules.period_start(start + dt.timedelta(days=32), "month")
    )
    by, key = request.GET.get("by", "team_lead"), request.GET.get("key", "")
    lead_id = team_id = None
    # An unknown key matches nothing (-1), rather than everyone.
    if by == "team_lead" and key:
        lead = user_by_username(key)
        lead_id = lead.pk if lead else -1
    elif by == "team" and key:
        team_id = team_id_by_code(key) or -1
    reviews = reviews_in(
        since=_aware(start), until=_aware(end), team_lead_id=lead_id, team_id=team_id
    )
    invalid = sum(r.verdict == "invalid" for r in reviews)
    rate = rules.bad_andon_rate(len(reviews), invalid)
    target = review_policy().target_rate
    return render(
        request,
        "web/reviews/drill.html",
        {
            "reviews": reviews,
            "start": start,
            "end": end - dt.timedelta(days=1),
            "key": key,
            "label": rules.period_label(start, period),
            "invalid": invalid,
            "rate": rate,
            "target": target,
            "status": rules.status(rate, target),
            # The reviewer (or an admin) may correct a verdict from here.
            "correctable": {
                r.pk
                for r in reviews
                if rules.may_correct(
                    roles(request), user_id=request.user.pk, reviewer_id=r.reviewer_id
                )
            },
        },
    )


@managers_only
def actions(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("state") == "all"
    return render(
        request,
        "web/reviews/actions.html",
        {
            "actions": corrective_actions(open_only=not show_all),
            "show_all": show_all,
            "today": timezone.localdate(),
        },
    )


@require_POST
@require(people_rules.signed_in)
def action_done(request: AuthenticatedRequest, action_id: int) -> HttpResponse:
    try:
        corrective_action_done(actor=request.user, action_id=action_id)
        messages.success(request, _("Corrective action marked done."))
    except DomainError as e:
        messages.error(request, e.detail)
    return redirect(request.POST.get("next") or "reviews:actions")


@managers_only
def monday(request: HttpRequest) -> HttpResponse:
    """Last week by default; `week` picks another, `lead` one manager (else everyone)."""
    try:
        week = dt.date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        week = rules.last_week(timezone.localdate())[0]
    lead = user_by_username(request.GET.get("lead", ""))
    m = monday_review(week_start=week, team_lead=lead)
    cause_labels = {k: capfirst(label) for k, label in RootCauseChoices.choices}
    return render(
        request,
        "web/reviews/monday.html",
        {
            "m": m,
            "managers": managers(),
            "lead": lead,
            "prev": m.week_start - dt.timedelta(days=7),
            "next": m.week_end,
            "last_day": m.week_end - dt.timedelta(days=1),
            "trend_chart": charts.rate_trend(
                m.trend, m.target, all_label=lead.get_username() if lead else ""
            ),
            "causes_chart": charts.causes_bar(m.causes, cause_labels),
            "causes": [(cause_labels[k], v) for k, v in m.causes.items()],
            # The silent-cord alarms of the week under review (the lead's teams, or all).
            "alarms": flywheel_views.visible_alarms(
                request, alarms(period="week", today=m.week_end)
            ),
        },
    )
