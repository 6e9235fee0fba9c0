"""Console pages of the bonus ledger: an agent's monthly statement, and its exports."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from andon.incentives.exports import statement_csv, statement_xlsx
from andon.incentives.selectors import Statement, month_totals, monthly_statement
from andon.people import rules as people_rules
from andon.people.selectors import service_people, user_by_username

from ..access import require, roles


def _statement(request: HttpRequest) -> tuple[Statement, bool]:
    """The statement asked for; agents only ever get their own."""
    manager = people_rules.may_see_kpis(roles(request))
    username = request.GET.get("agent") or request.user.get_username()
    if username != request.user.get_username() and not manager:
        raise PermissionDenied
    agent = user_by_username(username)
    if agent is None:
        raise Http404
    today = timezone.localdate()
    try:
        month = dt.date.fromisoformat(request.GET.get("month", "") + "-01")
    except ValueError:
        month = today.replace(day=1)
    return monthly_statement(
        agent_id=agent.pk, agent=username, year=month.year, month=month.month
    ), manager


@require(people_rules.may_earn_bonus)
def statement(request: HttpRequest) -> HttpResponse:
    st, manager = _statement(request)
    return render(
        request,
        "web/incentives/statement.html",
        {
            "st": st,
            "manager": manager,
            "totals": month_totals(year=st.year, month=st.month) if manager else [],
            # Leads pull too: the one whose statement is shown is always in the list.
            "agents": service_people() if manager else [],
        },
    )


@require(people_rules.may_earn_bonus)
def statement_export(request: HttpRequest, fmt: str) -> HttpResponse:
    st, _ = _statement(request)
    name = f"bonus-{st.agent}-{st.period}.{fmt}"
    if fmt == "csv":
        response = HttpResponse(statement_csv(st), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(
            statement_xlsx(st),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
