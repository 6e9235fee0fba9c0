from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render

from andon.core.http import AuthenticatedRequest
from andon.people import rules as people_rules
from andon.people.rules import Role
from andon.pulls.selectors import andons_list, andons_of_team_lead

from ..access import require, roles


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role lands on the page it works in all day."""
    r = roles(request)
    if Role.ADMIN in r.roles:
        return overview(request)
    if r.has(Role.CONFIRMER):
        return redirect("web:confirm_queue")
    if r.has(Role.TEAM_LEAD):
        return redirect("web:team")
    if r.has(Role.AGENT):
        return redirect("web:workspace")
    if r.department_codes:
        return redirect("web:department_queue", code=sorted(r.department_codes)[0])
    return overview(request)


@login_required
def overview(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "web/home.html",
        {
            "open_andons": andons_list(state="open", limit=50),
            "is_admin": people_rules.may_configure(roles(request)),
        },
    )


@require(lambda r: r.has(Role.TEAM_LEAD))
def team(request: AuthenticatedRequest) -> HttpResponse:
    return render(
        request,
        "web/team.html",
        {
            "pulls": andons_of_team_lead(user_id=request.user.pk),
        },
    )
