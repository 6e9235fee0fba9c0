"""The `memberships` import kind: a storefront syncs its own members in bulk as the PUT
does (history, audit, events), row-precise refusals with line numbers, idempotent re-import,
a fixed number of queries whatever the number of rows."""

from __future__ import annotations

import csv
import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from andon.core.models import AuditEntry, OutboxEvent
from andon.integrations.imports import rows_import
from andon.membership.models import Membership, MembershipChange
from andon.membership.services import plans_ensure_defaults
from andon.orders.models import Customer

pytestmark = pytest.mark.django_db

T0 = "2026-10-01T10:00:00+08:00"
T30 = "2026-10-31T10:00:00+08:00"
T60 = "2026-11-30T10:00:00+08:00"


@pytest.fixture
def shop(world):
    plans_ensure_defaults()
    Customer.objects.bulk_create(
        Customer(external_id=f"c{i}", name=f"客户{i}") for i in range(1, 6)
    )
    return world


def imp(api, rows, as_="integrator"):
    r = api.call("POST", "/imports/memberships", as_, rows)
    assert r.status_code == 200, r.content
    return r.json()


def events() -> list[tuple[str, str]]:
    return [
        (e.event_type, e.payload["customer"])
        for e in OutboxEvent.objects.filter(event_type__startswith="membership.").order_by("id")
    ]


def row(customer, state, ends=T30, **kw):
    return {"customer": customer, "plan": "member-98", "state": state, "started_at": T0,
            "ends_at": ends, **kw}  # fmt: skip


def test_new_members_are_created_with_history_and_events_and_bad_rows_are_named(api, shop):
    body = imp(
        api,
        [
            row("c1", "trial"),
            row("c2", "active"),
            row("nobody", "trial"),
            {**row("c3", "trial"), "plan": "gold"},
            row("c4", "member"),
            row("c1", "active"),
            row("c5", "active", ends="2026-09-01T10:00:00+08:00"),
            row("c4", "expired"),
        ],
    )
    assert (body["created"], body["updated"], body["unchanged"]) == (2, 0, 0)
    assert [(r["row"], r["field"]) for r in body["rejected"]] == [
        (3, "customer"),
        (4, "plan"),
        (5, "state"),
        (6, "customer"),
        (7, "ends_at"),
        (8, "state"),
    ]
    reasons = {r["row"]: r["reason"] for r in body["rejected"]}
    assert "nobody" in reasons[3] and "gold" in reasons[4] and "row 1" in reasons[6]
    assert "no live membership" in reasons[8]
    assert events() == [("membership.started", "c1"), ("membership.started", "c2")]
    c1 = Membership.objects.get(customer__external_id="c1")
    assert (c1.state, c1.source, c1.trial_ends_at, c1.paid_from) == (
        "trial",
        "storefront",
        c1.ends_at,
        None,
    )
    c2 = Membership.objects.get(customer__external_id="c2")
    assert (c2.state, c2.paid_periods, c2.paid_from) == ("active", 1, c2.started_at)
    assert c2.enrolled_by is not None and c2.enrolled_by.username == "integrator"
    assert AuditEntry.objects.filter(action="membership.started").count() == 2


def test_the_same_file_again_changes_nothing(api, shop):
    rows = [row("c1", "trial"), row("c2", "active"), row("c3", "cancelled")]
    imp(api, rows)
    before = (events(), MembershipChange.objects.count(), AuditEntry.objects.count())
    body = imp(api, rows)
    assert (body["created"], body["updated"], body["unchanged"], body["rejected"]) == (0, 0, 3, [])
    assert (events(), MembershipChange.objects.count(), AuditEntry.objects.count()) == before


def test_the_storefront_moves_members_forward_in_order_and_expiry_is_idempotent(api, shop):
    imp(api, [row("c1", "trial"), row("c2", "active"), row("c3", "active"), row("c4", "active")])
    body = imp(
        api,
        [
            row("c1", "active", ends=T60),  # the trial converted
            row("c2", "active", ends=T60),  # paid for another period
            row("c3", "cancelled"),
            row("c4", "active", auto_renew="false"),  # only the flag: audited, no event
        ],
    )
    assert (body["created"], body["updated"], body["unchanged"]) == (0, 4, 0)
    assert events()[4:] == [
        ("membership.converted", "c1"),
        ("membership.renewed", "c2"),
        ("membership.cancelled", "c3"),
    ]
    assert AuditEntry.objects.filter(action="membership.synced").count() == 1
    c3 = Membership.objects.get(customer__external_id="c3")
    assert (c3.state, c3.auto_renew) == ("cancelled", False) and c3.cancelled_at is not None
    expired = [row("c3", "expired")]
    assert imp(api, expired)["updated"] == 1
    assert events()[-1] == ("membership.expired", "c3")
    again = imp(api, expired)
    assert (again["unchanged"], again["rejected"]) == (1, [])
    assert events()[-1] == ("membership.expired", "c3") and len(events()) == 8


def test_a_step_back_or_another_plan_is_refused_on_its_row(api, shop):
    from andon.membership.models import Plan

    Plan.objects.create(
        code="gold", name_zh="金卡", name_en="Gold", price="99", period="year", trial_days=0
    )
    imp(api, [row("c1", "active"), row("c2", "active")])
    body = imp(api, [row("c1", "trial"), {**row("c2", "active"), "plan": "gold"}])
    assert [(r["row"], r["field"]) for r in body["rejected"]] == [(1, "state"), (2, "plan")]
    assert "cancel it before" in body["rejected"][1]["reason"]
    assert Membership.objects.filter(state="active").count() == 2


def test_agents_may_not_import(api, shop):
    r = api.call("POST", "/imports/memberships", "agent1", [row("c1", "trial")])
    assert r.status_code == 403
    assert not Membership.objects.exists()


def test_a_fixed_number_of_queries_whatever_the_rows(api, shop):
    Customer.objects.bulk_create(Customer(external_id=f"m{i}", name=f"m{i}") for i in range(300))

    def count(rows) -> int:
        with CaptureQueriesContext(connection) as q:
            result = rows_import(actor=shop.users["integrator"], kind="memberships", rows=rows)
        assert result.rejected == [], result.rejected
        return len(q.captured_queries)

    # SQLite splits a bulk insert into statements of at most 999 parameters (a few dozen
    # rows); PostgreSQL writes 500 rows a statement.
    per_batch = 40 if connection.vendor == "sqlite" else 500
    small = count([row(f"m{i}", "trial") for i in range(3)])
    large = count([row(f"m{i}", "trial") for i in range(3, 300)])
    assert large <= small + 4 * (300 // per_batch), (small, large)
    moved = count([row(f"m{i}", "active", ends=T60) for i in range(300)])
    assert moved <= small + 6 * (300 // per_batch + 1), (small, moved)
    assert small <= 16, small
    assert MembershipChange.objects.filter(change="converted").count() == 300


def test_the_command_names_rejected_lines_as_the_spreadsheet_shows_them(shop, tmp_path):
    path = tmp_path / "members.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["customer", "plan", "state", "started_at", "ends_at", "auto_renew"])
        w.writerow(["c1", "member-98", "trial", "2026-10-01 10:00", "2026-10-31 10:00", ""])
        w.writerow(["c2", "member-98", "active", "2026-10-01 10:00", "not a date", "yes"])
        w.writerow(["c3", "member-98", "active", "2026-10-01 10:00", "2026-11-01 10:00", "no"])
    with pytest.raises(CommandError) as e:
        call_command("import", "memberships", str(path), "--no-progress")
    assert e.value.returncode == 3
    rejects = list(csv.reader((tmp_path / "members.csv.rejects.csv").open(encoding="utf-8")))
    assert [(r[0], r[1]) for r in rejects[1:]] == [("3", "ends_at")]
    c1 = Membership.objects.get(customer__external_id="c1")
    # A time without a zone is the product's (Asia/Shanghai): 10:00 there is 02:00 UTC.
    assert c1.started_at == dt.datetime(2026, 10, 1, 2, 0, tzinfo=dt.UTC)
    assert Membership.objects.get(customer__external_id="c3").auto_renew is False
    # The corrected file imports as is; the rows already in are unchanged.
    path.write_text(path.read_text(encoding="utf-8").replace("not a date", "2026-11-01 10:00"))
    call_command("import", "memberships", str(path), "--no-progress")
    assert Membership.objects.count() == 3
