"""Console pages of reviews: the review queue, the bad-andon rate with its trend and drill
down, corrective actions, and the Monday review (printable). Thin: parse, check the role,
call a selector or one service, render."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from andon.core.errors import DomainError
from andon.core.http import AuthenticatedRequest
from andon.people.models import Department, Team
from andon.people.rules import Role
from andon.people.selectors import roles_of

from . import charts, rules
from .models import RootCauseChoices
from .monday import managers, monday_review
from .selectors import bad_andon_rate, corrective_actions, review_policy, review_queue, reviews_in
from .services import andon_review, corrective_action_done

TREND_PERIODS = {"week": 12, "month": 6}


def managers_only(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Team leads and admins; others get a 403 page."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not rules.may_see_kpis(roles_of(request.user)):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _is_admin(request: HttpRequest) -> bool:
    return Role.ADMIN in roles_of(request.user).roles


def _aware(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), timezone.get_current_timezone())


@managers_only
def queue(request: HttpRequest) -> HttpResponse:
    andons = review_queue(user_id=None if _is_admin(request) else request.user.pk)
    return render(
        request,
        "reviews/queue.html",
        {
            "andons": andons,
            "policy": review_policy(),
            **_form_choices(),
        },
    )


def _form_choices() -> dict:
    return {"causes": RootCauseChoices.choices, "departments": Department.objects.order_by("code")}


@require_POST
@managers_only
def review(request: AuthenticatedRequest, andon_id: int) -> HttpResponse:
    """One verdict. HTMX swaps the row with the outcome; without JS, back to the queue."""
    p = request.POST
    try:
        result = andon_review(
            actor=request.user,
            andon_id=andon_id,
            verdict=p.get("verdict", ""),
            root_cause=p.get("root_cause", "") if p.get("verdict") == "invalid" else "",
            action=p.get("action", ""),
            note=p.get("note", ""),
            department=p.get("department", ""),
        )
    except DomainError as e:
        if request.htmx:
            return render(
                request,
                "reviews/_review_form.html",
                {"error": e, "a": {"pk": andon_id}, **_form_choices()},
                status=422,
            )
        messages.error(request, e.detail)
        return redirect("reviews:queue")
    if request.htmx:
        return render(request, "reviews/_reviewed.html", {"result": result})
    messages.success(request, _("ANDON-%(id)s reviewed.") % {"id": andon_id})
    return redirect("reviews:queue")


@managers_only
def kpis(request: HttpRequest) -> HttpResponse:
    period = request.GET.get("period", "week")
    period = period if period in TREND_PERIODS else "week"
    by = request.GET.get("by", "team_lead")
    by = by if by in ("team_lead", "team", "all") else "team_lead"
    today = timezone.localdate()
    start = rules.period_start(today, period)
    for _i in range(TREND_PERIODS[period] - 1):
        start = rules.period_start(start - dt.timedelta(days=1), period)
    policy = review_policy()
    rows = bad_andon_rate(period=period, by=by, since=_aware(start), target=policy.target_rate)
    return render(
        request,
        "reviews/kpis.html",
        {
            "rows": sorted(rows, key=lambda r: (r.period_start, r.key), reverse=True),
            "chart": charts.rate_trend(rows, policy.target_rate),
            "period": period,
            "by": by,
            "target": policy.target_rate,
            "since": start,
        },
    )


@managers_only
def drill(request: HttpRequest) -> HttpResponse:
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
    if by == "team_lead" and key:
        lead_id = User.objects.filter(username=key).values_list("pk", flat=True).first() or -1
    elif by == "team" and key:
        team_id = Team.objects.filter(code=key).values_list("pk", flat=True).first() or -1
    reviews = reviews_in(
        since=_aware(start), until=_aware(end), team_lead_id=lead_id, team_id=team_id
    )
    invalid = sum(r.verdict == "invalid" for r in reviews)
    rate = rules.bad_andon_rate(len(reviews), invalid)
    return render(
        request,
        "reviews/drill.html",
        {
            "reviews": reviews,
            "start": start,
            "end": end - dt.timedelta(days=1),
            "key": key,
            "label": rules.period_label(start, period),
            "invalid": invalid,
            "rate": rate,
            "status": rules.status(rate, review_policy().target_rate),
        },
    )


@managers_only
def actions(request: HttpRequest) -> HttpResponse:
    show_all = request.GET.get("state") == "all"
    return render(
        request,
        "reviews/actions.html",
        {
            "actions": corrective_actions(open_only=not show_all),
            "show_all": show_all,
            "today": timezone.localdate(),
        },
    )


@require_POST
@login_required
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
    lead = None
    if request.GET.get("lead"):
        lead = User.objects.filter(username=request.GET["lead"]).first()
    m = monday_review(week_start=week, team_lead=lead)
    cause_labels = dict(RootCauseChoices.choices)
    return render(
        request,
        "reviews/monday.html",
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
        },
    )
