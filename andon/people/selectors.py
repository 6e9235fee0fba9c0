from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import AnonymousUser, User

from andon.core.errors import Forbidden

from .models import Department, Team
from .rules import GROUP_ROLES, Role, Roles


def roles_of(user: User | AnonymousUser) -> Roles:
    if not user.is_authenticated:
        return Roles()
    names = set(user.groups.values_list("name", flat=True))
    roles = {r for r in GROUP_ROLES if r.value in names}
    if user.is_superuser or user.is_staff:
        roles.add(Role.ADMIN)
    departments = frozenset(user.departments.values_list("code", flat=True))
    return Roles(roles=frozenset(roles), department_codes=departments)


def actor_require(
    actor: User | AnonymousUser, rule: Callable[[Roles], bool], refusal: str
) -> Roles:
    """The one role check of a service: `rule(roles of actor)` holds, else Forbidden (403)
    with `refusal` (already translated) as its detail. Returns the roles, for finer checks."""
    roles = roles_of(actor)
    if not rule(roles):
        raise Forbidden(refusal)
    return roles


def team_of(user_id: int) -> Team | None:
    """The agent's team now, with its lead: a pull keeps both, for the bad-andon rate."""
    return Team.objects.filter(members__user_id=user_id).select_related("lead").first()


def departments_by_code(*, codes: list[str] | None = None) -> dict[str, Department]:
    """Departments by code (all when `codes` is None), to show names where data holds codes."""
    qs = Department.objects.all() if codes is None else Department.objects.filter(code__in=codes)
    return {d.code: d for d in qs}


def departments_list() -> list[Department]:
    return list(Department.objects.order_by("code"))


def user_by_username(username: str) -> User | None:
    """The person behind a username in a URL or a filter; None when there is none."""
    if not username:
        return None
    return User.objects.filter(username=username).first()


def team_id_by_code(code: str) -> int | None:
    return Team.objects.filter(code=code).values_list("pk", flat=True).first()


def service_people() -> list[User]:
    """Agents and team leads: the people who pull the cord and earn bonuses, by username."""
    names = [Role.AGENT.value, Role.TEAM_LEAD.value]
    return list(User.objects.filter(groups__name__in=names).distinct().order_by("username"))


def teams_list() -> list[Team]:
    return list(Team.objects.order_by("code"))
