"""The demo's people: two teams of agents with their leads, one member per department, a
service confirmer, an integrator and an admin. Everyone signs in with the same password."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User

from andon.people.models import Department, Profile, Team
from andon.people.rules import GROUP_ROLES

PASSWORD = "andon-demo"
AGENTS = 12


@dataclass(frozen=True)
class Person:
    username: str
    display_name: str
    role: str
    groups: tuple[str, ...] = ()
    team: str = ""
    department: str = ""
    admin: bool = False


def people() -> list[Person]:
    """Who the demo creates, in the order the command prints them."""
    agent_names = [
        "王芳",
        "李娜",
        "张敏",
        "刘洋",
        "陈静",
        "杨磊",
        "黄艳",
        "赵杰",
        "吴婷",
        "周涛",
        "徐丽",
        "孙超",
    ]
    agents = [
        Person(
            f"agent{i}", agent_names[i - 1], "agent 客服代表", ("agent",), team=f"team-{2 - i % 2}"
        )
        for i in range(1, AGENTS + 1)
    ]
    return [
        *agents,
        Person("lead1", "郑强", "team lead 组长 (team-1)", ("team_lead",)),
        Person("lead2", "马丽", "team lead 组长 (team-2)", ("team_lead",)),
        Person("vendor1", "何军", "vendor management 供应商管理", department="vendor-management"),
        Person(
            "warehouse1", "高勇", "warehouse & logistics 仓储物流", department="warehouse-logistics"
        ),
        Person("catalog1", "林佳琪", "catalog & content 商品内容", department="catalog-content"),
        Person("delivery1", "罗浩然", "delivery 配送", department="delivery"),
        Person("confirmer1", "梁雪梅", "service confirmer 服务部门", ("confirmer",)),
        Person("integrator", "谢文博", "integrator 集成", ("integrator",)),
        Person("admin", "管理员", "admin 管理员 (superuser)", admin=True),
    ]


def people_load(departments: dict[str, Department]) -> dict[str, User]:
    # Hashing is deliberately slow (~0.3 s); everyone shares the password, so hash it once.
    hashed = make_password(PASSWORD)
    # The role groups come from a data migration, which a flush (--reset) empties.
    groups = {
        name: Group.objects.get_or_create(name=name)[0].pk
        for name in (r.value for r in GROUP_ROLES)
    }
    persons = people()
    User.objects.bulk_create(
        User(
            username=p.username,
            password=hashed,
            first_name=p.display_name,
            email=f"{p.username}@demo.andon.invalid",
            is_staff=p.admin,
            is_superuser=p.admin,
        )
        for p in persons
    )
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in persons])}
    teams = {
        "team-1": Team.objects.create(
            code="team-1", name_zh="一组", name_en="Team 1", lead=users["lead1"]
        ),
        "team-2": Team.objects.create(
            code="team-2", name_zh="二组", name_en="Team 2", lead=users["lead2"]
        ),
    }
    Profile.objects.bulk_create(
        Profile(user=users[p.username], display_name=p.display_name, team=teams.get(p.team))
        for p in persons
    )
    Membership = User.groups.through
    Membership.objects.bulk_create(
        Membership(user_id=users[p.username].pk, group_id=groups[g])
        for p in persons
        for g in p.groups
    )
    for p in persons:
        if p.department:
            departments[p.department].members.add(users[p.username])
    return users
