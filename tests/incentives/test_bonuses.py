"""The bonus ledger: credited once per valid pull, never for an invalid one, never a debit;
a monthly statement per agent, exportable as CSV and XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from andon.incentives.exports import statement_csv, statement_xlsx
from andon.incentives.models import BonusCredit, BonusPolicy
from andon.incentives.selectors import month_totals, monthly_statement
from andon.incentives.services import bonus_credit
from andon.pulls.services import andon_pull
from andon.reviews.services import andon_review

from ..reviews.factories import pull, reported_product

pytestmark = pytest.mark.django_db


def test_credited_once_however_often_it_is_asked(world):
    andon = pull(world, "agent1")
    agent = world.users["agent1"]
    now = timezone.now()
    first = bonus_credit(
        andon_id=andon.pk, agent_id=agent.pk, agent_username="agent1", actor_id=None, at=now
    )
    second = bonus_credit(
        andon_id=andon.pk, agent_id=agent.pk, agent_username="agent1", actor_id=None, at=now
    )
    assert first is not None and second is None
    assert BonusCredit.objects.count() == 1


def test_never_credited_for_an_invalid_pull_and_never_debited(world):
    lead = world.users["lead1"]
    bad = pull(world, "agent1")
    andon_review(
        actor=lead, andon_id=bad.pk, verdict="invalid", root_cause="training", action="培训"
    )
    assert not BonusCredit.objects.exists()
    good = pull(world, "agent1")
    andon_review(actor=lead, andon_id=good.pk, verdict="valid")
    assert list(BonusCredit.objects.values_list("andon_id", "amount")) == [
        (good.pk, Decimal("50.00"))
    ]
    assert not BonusCredit.objects.filter(amount__lt=0).exists()


def test_the_opening_pull_is_paid_not_the_pulls_that_joined(world):
    product, _ = reported_product(agent=world.users["agent1"])
    opened = andon_pull(
        actor=world.users["agent1"], sku=product.sku, reason="print-defect", note="未裁开"
    ).andon
    andon_pull(
        actor=world.users["agent2"], sku=product.sku, reason="print-defect", note="同样的问题"
    )
    andon_review(actor=world.users["lead1"], andon_id=opened.pk, verdict="valid")
    assert list(BonusCredit.objects.values_list("agent__username", flat=True)) == ["agent1"]


def test_the_configured_amount_is_what_is_credited(world):
    BonusPolicy.objects.create(amount_per_valid_pull=Decimal("88.00"))
    andon = pull(world, "agent1")
    result = andon_review(actor=world.users["lead1"], andon_id=andon.pk, verdict="valid")
    assert result.credit.amount == Decimal("88.00")


def test_the_monthly_statement_exports_as_csv_and_xlsx(world):
    lead = world.users["lead1"]
    for _ in range(3):
        andon_review(actor=lead, andon_id=pull(world, "agent1").pk, verdict="valid")
    today = timezone.localdate()
    st = monthly_statement(
        agent_id=world.users["agent1"].pk, agent="agent1", year=today.year, month=today.month
    )
    assert st.total == Decimal("150.00") and len(st.lines) == 3
    rows = list(csv.reader(io.StringIO(statement_csv(st).decode("utf-8-sig"))))
    assert len(rows) == 1 + 3 + 1 and rows[-1][7:9] == ["150.00", "CNY"]
    ws = load_workbook(io.BytesIO(statement_xlsx(st))).active
    assert ws.max_row == 5 and ws.cell(row=5, column=8).value == 150
    [total] = month_totals(year=today.year, month=today.month)
    assert (total.agent, total.credits, total.total) == ("agent1", 3, Decimal("150.00"))


def test_agents_see_only_their_own_bonuses(api):
    andon_review(
        actor=api.world.users["lead1"], andon_id=pull(api.world, "agent1").pk, verdict="valid"
    )
    assert api.call("GET", "/bonuses?agent=agent2", "agent1").status_code == 403
    assert api.call("GET", "/bonuses?agent=agent1", "lead2").status_code == 200
    month = timezone.localdate().strftime("%Y-%m")
    mine = api.call("GET", f"/bonuses?agent=agent1&month={month}", "agent1").json()
    assert mine["total"] == "50.00" and mine["month"] == month
    assert api.call("GET", "/bonuses?agent=agent1&month=2026-13", "agent1").status_code == 422
    assert api.call("GET", "/bonuses?agent=nobody", "lead1").status_code == 422
