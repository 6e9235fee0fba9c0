"""The people and configuration of the story, made the way an admin would (there is no API
for them): departments, teams with leads, agents, a confirmer, an integrator, the print-defect
reason routed to vendor management and warehouse & logistics, and a bearer token for each."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Group, User

from andon.contacts.models import ReasonCode, ReasonRoute
from andon.core.models import ApiToken, hash_token
from andon.people.models import Department, Profile, Team
from andon.recovery.services import catalogue_ensure_defaults

SKU = "9787549529322"


@dataclass
class World:
    tokens: dict[str, str]
    users: dict[str, User]

    def auth(self, username: str) -> dict[str, str]:
        return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[username]}"}


def _user(username: str, *groups: str, **extra) -> User:
    user = User.objects.create_user(username=username, password=f"{username}-pass", **extra)
    # get_or_create, not the migration's rows: a transactional test's flush removes those.
    user.groups.add(*(Group.objects.get_or_create(name=g)[0] for g in groups))
    return user


def build_world() -> World:
    users = {
        "agent1": _user("agent1", "agent"),
        "agent2": _user("agent2", "agent"),
        "lead1": _user("lead1", "team_lead"),
        "lead2": _user("lead2", "team_lead"),
        "vendor1": _user("vendor1"),
        "warehouse1": _user("warehouse1"),
        "confirmer1": _user("confirmer1", "confirmer"),
        "integrator": _user("integrator", "integrator"),
    }
    t1 = Team.objects.create(code="team-1", name_zh="一组", name_en="Team 1", lead=users["lead1"])
    t2 = Team.objects.create(code="team-2", name_zh="二组", name_en="Team 2", lead=users["lead2"])
    Profile.objects.create(user=users["agent1"], team=t1)
    Profile.objects.create(user=users["agent2"], team=t2)
    vendor = Department.objects.create(
        code="vendor-management", name_zh="供应商管理", name_en="Vendor management"
    )
    warehouse = Department.objects.create(
        code="warehouse-logistics", name_zh="仓储物流", name_en="Warehouse & logistics"
    )
    vendor.members.add(users["vendor1"])
    warehouse.members.add(users["warehouse1"])
    reason = ReasonCode.objects.create(
        code="print-defect",
        label_zh="印刷/装订缺陷",
        label_en="Print defect",
        threshold=2,
        window_days=30,
    )
    ReasonRoute.objects.create(
        reason=reason,
        department=vendor,
        sla_hours=24,
        instruction_zh="联系出版社和印厂，停止入库，检验并拒收不良批次：{title}（{sku}）",
        instruction_en="Contact publisher and printer, stop inbound, inspect, reject bad "
        "batches: {title} ({sku})",
    )
    ReasonRoute.objects.create(
        reason=reason,
        department=warehouse,
        sla_hours=8,
        instruction_zh="开箱检验被扣库存和已打包订单：批次问题退回批次，单件问题修复单件",
        instruction_en="Open and inspect held stock and packed orders: batch problem -> return "
        "the batch; single-unit problem -> fix the unit",
    )
    ReasonCode.objects.create(code="wrong-item", label_zh="发错货", label_en="Wrong item")
    # The recovery catalogue comes from a data migration, which a transactional test's flush
    # removes: put the defaults back, as `andon demo` does.
    catalogue_ensure_defaults()
    tokens = {}
    for name, user in users.items():
        raw = ApiToken.new_raw()
        ApiToken.objects.create(user=user, token_hash=hash_token(raw), prefix=raw[:12])
        tokens[name] = raw
    return World(tokens=tokens, users=users)
