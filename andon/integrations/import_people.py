"""The people import kind: accounts, roles, teams and leads of the organisation adopting
Andon (never a password, never admin rights)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext

from .import_common import ImportResult, Parsed, unique_rows


def people(rows: Parsed, result: ImportResult, actor_id: int | None) -> None:
    """Accounts, roles, teams and leads, set-based: one upsert of the accounts (new ones with
    no usable password), one of the teams, one of the profiles, and the role groups replaced
    in two statements. A lead must be in the file or already have an account."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group

    from andon.people.models import Profile, Team
    from andon.people.rules import GROUP_ROLES

    rows = unique_rows(rows, lambda r: r.username, result, "username")
    User = get_user_model()
    in_file = {r.username for _, r in rows}
    known = set(
        User.objects.filter(username__in={r.team_lead for _, r in rows if r.team_lead}).values_list(
            "username", flat=True
        )
    )
    good = []
    for n, r in rows:
        if r.team_lead and r.team_lead not in in_file | known:
            result.reject(
                n,
                "team_lead",
                gettext("No person '%(u)s' in the file or in Andon.") % {"u": r.team_lead},
            )
        elif r.team_lead and not r.team:
            result.reject(n, "team", gettext("A team lead is given for a team: name the team."))
        else:
            good.append((n, r))
    existing = User.objects.in_bulk([r.username for _, r in good], field_name="username")
    new = [
        User(username=r.username, password=make_password(None), is_active=True)
        for _, r in good
        if r.username not in existing
    ]
    User.objects.bulk_create(new, batch_size=500)
    users = User.objects.in_bulk(in_file | known, field_name="username")
    profiles = {p.user_id: p for p in Profile.objects.filter(user__in=users.values())}
    # Teams: created by code, their lead set when the file names one.
    leads = {r.team: r.team_lead for _, r in good if r.team and r.team_lead}
    codes = {r.team for _, r in good if r.team}
    teams = {t.code: t for t in Team.objects.filter(code__in=codes)}
    Team.objects.bulk_create(
        [Team(code=c, name_zh=c, name_en=c) for c in sorted(codes - set(teams))], batch_size=500
    )
    teams = {t.code: t for t in Team.objects.filter(code__in=codes)}
    changed_teams = [t for c, t in teams.items() if c in leads and t.lead_id != users[leads[c]].pk]
    for t in changed_teams:
        t.lead_id = users[leads[t.code]].pk
    Team.objects.bulk_update(changed_teams, ["lead"], batch_size=500)
    # Role groups: each imported person holds exactly the role of their row.
    groups = {g.name: g for g in Group.objects.filter(name__in=[r.value for r in GROUP_ROLES])}
    for role in GROUP_ROLES:
        if role.value not in groups:
            groups[role.value] = Group.objects.create(name=role.value)
    current = set(
        User.groups.through.objects.filter(
            user__in=[users[r.username] for _, r in good], group__name__in=list(groups)
        ).values_list("user_id", "group__name")
    )
    created_names = {u.username for u in new}
    for _n, r in good:
        uid = users[r.username].pk
        p = profiles.get(uid)
        team_id = teams[r.team].pk if r.team else None
        if r.username in created_names:
            result.created += 1
        elif (
            p is not None
            and p.display_name == r.display_name
            and p.team_id == team_id
            and current & {(uid, g) for g in groups} == {(uid, r.role)}
            and (r.team not in leads or not any(t.code == r.team for t in changed_teams))
        ):
            result.unchanged += 1
        else:
            result.updated += 1
    User.groups.through.objects.filter(
        user__in=[users[r.username] for _, r in good], group__name__in=list(groups)
    ).delete()
    User.groups.through.objects.bulk_create(
        [
            User.groups.through(user_id=users[r.username].pk, group_id=groups[r.role].pk)
            for _, r in good
        ],
        batch_size=500,
    )
    Profile.objects.bulk_create(
        [
            Profile(
                user_id=users[r.username].pk,
                display_name=r.display_name,
                team_id=teams[r.team].pk if r.team else None,
            )
            for _, r in good
        ],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["display_name", "team"],
        batch_size=500,
    )
