"""Who may do what. Pure: takes the set of roles a person holds, never touches the database.

Agents (and team leads, who are service people too) record contacts and pull the cord;
department members act on their own department's work orders; service confirmers confirm or
reopen; integrators load catalog and orders; admins configure. Nothing here ever asks for an
approval: a role either may act or may not (SPEC: "No bureaucracy").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    TEAM_LEAD = "team_lead"
    CONFIRMER = "confirmer"
    INTEGRATOR = "integrator"
    MEMBERSHIP_MANAGER = "membership_manager"
    ADMIN = "admin"


# Groups that carry a role; department membership is a relation, not a group.
GROUP_ROLES = (
    Role.AGENT,
    Role.TEAM_LEAD,
    Role.CONFIRMER,
    Role.INTEGRATOR,
    Role.MEMBERSHIP_MANAGER,
)


@dataclass(frozen=True)
class Roles:
    roles: frozenset[Role] = frozenset()
    department_codes: frozenset[str] = field(default_factory=frozenset)

    def has(self, role: Role) -> bool:
        return role in self.roles or Role.ADMIN in self.roles


def may_record_contact(r: Roles) -> bool:
    return r.has(Role.AGENT) or r.has(Role.TEAM_LEAD)


def may_pull(r: Roles) -> bool:
    return r.has(Role.AGENT) or r.has(Role.TEAM_LEAD)


def may_work_on(r: Roles, department_code: str) -> bool:
    return department_code in r.department_codes or Role.ADMIN in r.roles


def may_confirm(r: Roles) -> bool:
    return r.has(Role.CONFIRMER)


def may_load_catalog(r: Roles) -> bool:
    return r.has(Role.INTEGRATOR)


def may_configure(r: Roles) -> bool:
    return Role.ADMIN in r.roles


def signed_in(r: Roles) -> bool:
    """Pages every signed-in person may read (andons, their timelines, product pages): the
    console checks the sign-in; what a page lets one do is checked by the rules above."""
    return True


def may_see_kpis(r: Roles) -> bool:
    """Managers (team leads and admins) see reviews, the bad-andon rate and the Monday review."""
    return r.has(Role.TEAM_LEAD)


def may_give_recovery(r: Roles) -> bool:
    """Agents give recovery; team leads are service people too and may as well."""
    return r.has(Role.AGENT) or r.has(Role.TEAM_LEAD)


def may_earn_bonus(r: Roles) -> bool:
    """Service people are credited for valid pulls and read their own bonus statement."""
    return r.has(Role.AGENT) or r.has(Role.TEAM_LEAD)


def may_reveal_phone(r: Roles) -> bool:
    """Service people call customers back; everyone else sees the masked number only."""
    return may_record_contact(r)


def may_act_on_work_orders(r: Roles) -> bool:
    """Department members and confirmers; which work order and which step is the service's
    decision (its department, its state)."""
    return bool(r.department_codes) or r.has(Role.CONFIRMER)


def may_correct_problems(r: Roles) -> bool:
    """Team leads (and admins) merge, split and move contacts between detected problems."""
    return r.has(Role.TEAM_LEAD)


def may_read_work_orders(r: Roles, department_code: str) -> bool:
    """A department's work orders in full (instruction, findings, holds): its members, who
    work its queue, and the confirmers, who judge every department's work. What the console's
    department and confirm queues show; everyone signed in sees an andon's work orders in
    brief (department, state, due time) on the andon's page."""
    return may_work_on(r, department_code) or may_confirm(r)


def may_read_any_work_orders(r: Roles) -> bool:
    """Whether some department's work orders are readable at all (the API's queue)."""
    return bool(r.department_codes) or may_confirm(r) or Role.ADMIN in r.roles


def may_read_orders(r: Roles) -> bool:
    """A customer's orders: the service people, on the customer's page, and the integrators,
    who load them and read back what they loaded (they have no console page for it)."""
    return may_record_contact(r) or may_load_catalog(r)


def may_read_recovery(r: Roles) -> bool:
    """A customer's recovery history: the service people, on the customer's page."""
    return may_record_contact(r)


def may_see_team_alarm(r: Roles, *, leads_team: bool) -> bool:
    """A team's silent-cord alarm goes to the team's lead and to the admins."""
    return Role.ADMIN in r.roles or (r.has(Role.TEAM_LEAD) and leads_team)


def may_review_integrity(r: Roles) -> bool:
    """Team leads (in the pull review and the Monday review) and admins (who triage) read the
    integrity signals and dismiss or confirm them. Agents see only a short neutral note."""
    return r.has(Role.TEAM_LEAD)


def may_manage_membership(r: Roles) -> bool:
    """Membership managers (and admins) own plans, launches and the member figures."""
    return r.has(Role.MEMBERSHIP_MANAGER)


def may_enrol_member(r: Roles) -> bool:
    """Enrol, renew, mark past due or cancel a customer's membership: the service people (a
    customer asks on a contact), the integrator (the storefront syncs its own members) and
    the membership managers."""
    return may_record_contact(r) or r.has(Role.INTEGRATOR) or may_manage_membership(r)


def may_read_membership(r: Roles) -> bool:
    """A customer's membership and its history: whoever may change it."""
    return may_enrol_member(r)


def may_see_member_kpis(r: Roles) -> bool:
    """The member figures: membership managers and the managers who see the other KPIs."""
    return may_manage_membership(r) or may_see_kpis(r)
