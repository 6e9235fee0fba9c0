"""Console pages of the bonus ledger: an agent's monthly statement, and its exports."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from andon.incentives.exports import statement_csv, statement_xlsx
from andon.incentives.selectors import Statement, month_totals, monthly_statement
from andon.people.rules import Role
from andon.people.selectors import roles_of


def _statement(request: HttpRequest) -> tuple[Statement, bool]:
    """The statement asked for; agents only ever get their own."""
    r = roles_of(request.user)
    manager = r.has(Role.TEAM_LEAD)
    username = request.GET.get("agent") or request.user.get_username()
    if username != request.user.get_username() and not manager:
        raise PermissionDenied
    agent = User.objects.filter(username=username).first()
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


@login_required
def statement(request: HttpRequest) -> HttpResponse:
    st, manager = _statement(request)
    return render(
        request,
        "web/incentives/statement.html",
        {
            "st": st,
            "manager": manager,
            "totals": month_totals(year=st.year, month=st.month) if manager else [],
            "agents": User.objects.filter(groups__name="agent").order_by("username")
            if manager
            else [],
        },
    )


@login_required
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
