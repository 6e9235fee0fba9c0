from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import NamedTuple

from django.contrib.auth.models import AnonymousUser, Group, User
from django.db import connection
from django.db.models import Model

from andon.core.errors import Forbidden
from andon.core.services import token_find

from .models import Department, Profile, Team
from .rules import GROUP_ROLES, Role, Roles

# Set on a user by `token_user`: the roles read in the token's own query, for this request.
_ROLES_READ = "_andon_roles"
# Likewise the user's team and its lead (ids), which a pull stamps on the andon.
_TEAM_READ = "_andon_team"


def roles_of(user: User | AnonymousUser) -> Roles:
    if not user.is_authenticated:
        return Roles()
    if (read := getattr(user, _ROLES_READ, None)) is not None:
        return read
    names = set(user.groups.values_list("name", flat=True))
    departments = frozenset(user.departments.values_list("code", flat=True))
    return _roles(user, names, departments)


def _roles(user: User, group_names: set[str], departments: frozenset[str]) -> Roles:
    roles = {r for r in GROUP_ROLES if r.value in group_names}
    if user.is_superuser or user.is_staff:
        roles.add(Role.ADMIN)
    return Roles(roles=frozenset(roles), department_codes=departments)


def _names_json(through: type[Model], owner: str, table: type[Model], column: str) -> str:
    """The `column` values of the user's rows of an M2M, as one JSON array (text), read by a
    correlated subquery of the token's statement (its token is `t`)."""
    q = connection.ops.quote_name
    agg = (
        f"COALESCE(JSON_AGG(x.{q(column)}), '[]'::json)::text"
        if connection.vendor == "postgresql"
        else f"JSON_GROUP_ARRAY(x.{q(column)})"
    )
    return (
        f"(SELECT {agg} FROM {q(table._meta.db_table)} x "
        f"JOIN {q(through._meta.db_table)} m ON m.{q(owner + '_id')} = x.id "
        "WHERE m.user_id = t.user_id)"
    )


def _team_column(column: str) -> str:
    """The user's team's `column` (its id, its lead's id), NULL without a team, read by a
    correlated subquery of the token's statement."""
    q = connection.ops.quote_name
    return (
        f"(SELECT x.{q(column)} FROM {q(Team._meta.db_table)} x "
        f"JOIN {q(Profile._meta.db_table)} p ON p.team_id = x.id "
        "WHERE p.user_id = t.user_id)"
    )


@lru_cache(maxsize=2)
def _token_extra(vendor: str) -> tuple[str, ...]:
    """The roles' and the team's subqueries, written once per process."""
    return (
        _names_json(User.groups.through, "group", Group, "name"),
        _names_json(Department.members.through, "department", Department, "code"),
        _team_column("id"),
        _team_column("lead_id"),
    )


def token_user(raw: str) -> User | None:
    """The active user behind a live bearer token, with the roles the request will check and
    the team a pull stamps read in the same query (one statement where four were: token,
    groups, departments, team)."""
    found = token_find(raw, _token_extra(connection.vendor))
    if found is None:
        return None
    token, (group_names, department_codes, team_id, team_lead_id) = found
    user = token.user
    groups = set(json.loads(group_names))
    departments = frozenset(json.loads(department_codes))
    setattr(user, _ROLES_READ, _roles(user, groups, departments))
    setattr(user, _TEAM_READ, TeamIds(team_id, team_lead_id))
    return user


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


class TeamIds(NamedTuple):
    team_id: int | None
    lead_id: int | None


def team_ids_of(user: User) -> TeamIds:
    """The user's team now and its lead, as ids (both None without a team): read with the
    bearer token when the request came with one, else one query."""
    if (read := getattr(user, _TEAM_READ, None)) is not None:
        return read
    row = Profile.objects.filter(user_id=user.pk).values_list("team_id", "team__lead_id").first()
    return TeamIds(*row) if row else TeamIds(None, None)


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
