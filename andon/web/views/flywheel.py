"""Console pages of the flywheel: the dashboard (seven elements, trends, targets, the
silent-cord alarm), the rows behind a figure, the CSV/XLSX export, the supplier /
manufacturer / department scorecards, and the agent's inbox. Thin: parse, check the role,
call a selector or one service, render."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from andon.core.http import AuthenticatedRequest
from andon.flywheel import display, rules
from andon.flywheel.alarms import TeamSilence, alarms
from andon.flywheel.exports import (
    dashboard_csv,
    dashboard_xlsx,
    scorecards_csv,
    scorecards_xlsx,
)
from andon.flywheel.families import bounds
from andon.flywheel.inbox import inbox_with_unread
from andon.flywheel.scorecards import BY, andons_behind, scorecards
from andon.flywheel.selectors import (
    ANDON_FIGURES,
    WORK_ORDER_FIGURES,
    Dashboard,
    andons_in,
    dashboard,
    work_orders_in,
)
from andon.flywheel.services import inbox_mark_read
from andon.people import rules as people_rules
from andon.people.selectors import departments_by_code, team_id_by_code, teams_list

from .. import charts
from ..access import require, roles

managers_only = require(people_rules.may_see_kpis)
SCORECARD_WEEKS = 12

# Figures whose rows live on another page of the console.
ELSEWHERE = {
    "bad_andon_rate": "reviews:kpis",
    "reviews_on_time": "reviews:kpis",
    "actions_on_time": "reviews:actions",
    "training_actions_done": "reviews:actions",
    "problems_pulled": "web:problems",
    # The members behind the membership figures are on the membership page.
    "enrolments": "web:membership",
    "trial_conversion": "web:membership",
    "renewal_rate": "web:membership",
}


def _period(request: HttpRequest) -> str:
    p = request.GET.get("period", "week")
    return p if p in rules.Period.__members__.values() else "week"


def _team(request: HttpRequest) -> tuple[str, int | None]:
    code = request.GET.get("team", "")
    team_id = team_id_by_code(code) if code else None
    if code and team_id is None:
        messages.warning(
            request, _("No team “%(code)s”: the whole organisation is shown.") % {"code": code}
        )
        return "", None
    return code, team_id


def visible_alarms(request: HttpRequest, found: list[TeamSilence]) -> list[TeamSilence]:
    """The alarms this person is told about: their own team's as its lead, all as an admin."""
    r = roles(request)
    return [
        s
        for s in found
        if people_rules.may_see_team_alarm(r, leads_team=s.lead_id == request.user.pk)
    ]


def _cards(d: Dashboard, query: str) -> list[dict]:
    out = []
    for e in d.elements:
        figures = []
        for f in e.figures:
            name = str(display.FIGURES[f.key])
            if f.key in ELSEWHERE:
                rows_url = reverse(ELSEWHERE[f.key])
            else:
                rows_url = reverse("web:flywheel_rows") + f"?figure={f.key}&{query}"
            figures.append(
                {
                    "f": f,
                    "name": name,
                    "value": display.text(f.value, f.unit, f.target),
                    "target": display.target_text(f),
                    "chart_id": f"chart-{f.key}",
                    "data_id": f"chart-{f.key}-data",
                    "chart": charts.figure_trend(d.window.labels, f, name),
                    "trend": [display.text(v, f.unit, f.target) for v in f.trend],
                    "rows_url": rows_url,
                }
            )
        out.append(
            {
                "e": e,
                "layer": display.LAYERS[e.layer],
                "name": display.ELEMENTS[e.element],
                "figures": figures,
            }
        )
    return out


@managers_only
def flywheel(request: AuthenticatedRequest) -> HttpResponse:
    period = _period(request)
    code, team_id = _team(request)
    d = dashboard(period=period, team_id=team_id)
    query = f"period={period}" + (f"&team={code}" if code else "")
    return render(
        request,
        "web/flywheel/dashboard.html",
        {
            "d": d,
            "period": period,
            "team": code,
            "teams": teams_list(),
            "query": query,
            "labels": d.window.labels,
            "elements": _cards(d, query),
            "alarms": visible_alarms(request, alarms(period=period, team_id=team_id)),
        },
    )


@managers_only
def flywheel_export(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    period = _period(request)
    code, team_id = _team(request)
    d = dashboard(period=period, team_id=team_id)
    name = f"flywheel-{period}{'-' + code if code else ''}-{d.window.labels[-1]}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(dashboard_csv(d), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            dashboard_xlsx(d),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@managers_only
def flywheel_rows(request: AuthenticatedRequest) -> HttpResponse:
    """The pulls or work orders behind a figure, for one period (`start`) or the whole trend."""
    period = _period(request)
    code, team_id = _team(request)
    key = request.GET.get("figure", "pulls")
    if key not in ANDON_FIGURES | WORK_ORDER_FIGURES:
        key = "pulls"
    starts = rules.periods(timezone.localdate(), period)
    try:
        start = rules.period_start(dt.date.fromisoformat(request.GET.get("start", "")), period)
        end = rules.period_end(start, period)
    except ValueError:
        start, end = starts[0], rules.period_end(starts[-1], period)
    since, until = bounds(start, end)
    andons = andons_in(since=since, until=until, team_id=team_id) if key in ANDON_FIGURES else []
    work_orders = (
        work_orders_in(since=since, until=until, team_id=team_id)
        if key in WORK_ORDER_FIGURES
        else []
    )
    return render(
        request,
        "web/flywheel/rows.html",
        {
            "figure": key,
            "name": display.FIGURES[key],
            "period": period,
            "team": code,
            "start": start,
            "last_day": end - dt.timedelta(days=1),
            "periods": [(s, rules.period_label(s, period)) for s in starts],
            "andons": andons,
            "work_orders": work_orders,
        },
    )


def _scorecards(request: HttpRequest) -> dict:
    by = request.GET.get("by", "supplier")
    if by not in BY:
        by = "supplier"
    until = timezone.localdate() + dt.timedelta(days=1)
    since = until - dt.timedelta(weeks=SCORECARD_WEEKS)
    start, end = bounds(since, until)
    names: dict[str, str] = {}
    if by == "department":
        names = {c: d.name for c, d in departments_by_code().items()}
    return {
        "by": by,
        "rows": scorecards(by=by, since=start, until=end),  # type: ignore[arg-type]
        "names": names,
        "since": since,
        "until": until,
        "bounds": (start, end),
    }


@managers_only
def scorecards_page(request: AuthenticatedRequest) -> HttpResponse:
    sc = _scorecards(request)
    start, end = sc["bounds"]
    key = request.GET.get("key")
    behind = andons_behind(by=sc["by"], key=key, since=start, until=end) if key is not None else []
    return render(
        request,
        "web/flywheel/scorecards.html",
        {
            "by": sc["by"],
            "rows": [(r, sc["names"].get(r.key, r.key)) for r in sc["rows"]],
            "since": sc["since"],
            "last_day": sc["until"] - dt.timedelta(days=1),
            "key": key,
            "behind": behind,
        },
    )


@managers_only
def scorecards_export(request: AuthenticatedRequest, fmt: str) -> HttpResponse:
    sc = _scorecards(request)
    name = f"scorecards-{sc['by']}-{sc['since']:%Y%m%d}-{sc['until']:%Y%m%d}.{fmt}"
    if fmt == "csv":
        body = scorecards_csv(sc["rows"], sc["by"], sc["names"])
        response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            scorecards_xlsx(sc["rows"], sc["by"], sc["names"]),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require(people_rules.signed_in)
def inbox_page(request: AuthenticatedRequest) -> HttpResponse:
    page = inbox_with_unread(user_id=request.user.pk)
    # inbox_unread: the header's count too, so the page asks for the unread once.
    return render(
        request,
        "web/flywheel/inbox.html",
        {"items": page.items, "unread": page.unread, "inbox_unread": page.unread},
    )


@require_POST
@require(people_rules.signed_in)
def inbox_read(request: AuthenticatedRequest) -> HttpResponse:
    ids = [int(i) for i in request.POST.getlist("andon") if i.isdigit()]
    if ids:
        inbox_mark_read(user_id=request.user.pk, andon_ids=ids)
    return redirect("web:inbox")
