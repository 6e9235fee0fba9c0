from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from .models import Team
from .rules import GROUP_ROLES, Role, Roles


def roles_of(user: AbstractBaseUser) -> Roles:
    if not user.is_authenticated:
        return Roles()
    names = set(user.groups.values_list("name", flat=True))
    roles = {r for r in GROUP_ROLES if r.value in names}
    if user.is_superuser or user.is_staff:
        roles.add(Role.ADMIN)
    departments = frozenset(user.departments.values_list("code", flat=True))
    return Roles(roles=frozenset(roles), department_codes=departments)


def team_of(user_id: int) -> Team | None:
    """The agent's team now, with its lead: a pull keeps both, for the bad-andon rate."""
    return Team.objects.filter(members__user_id=user_id).select_related("lead").first()
