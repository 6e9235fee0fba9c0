"""Correcting a verdict: by its reviewer or an admin, with a reason, audited; the bonus follows
through the ledger (a reversal line, never a fine), the bad-andon rate follows the verdict as it
is now, and a retried correction changes nothing."""

from __future__ import annotations

import json
import threading
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.utils import timezone

from andon.core.models import AuditEntry, OutboxEvent
from andon.incentives.models import BonusCredit, EntryKind
from andon.incentives.selectors import monthly_statement, pull_balance
from andon.reviews.models import CorrectiveAction, PullReview, VerdictCorrection

from .factories import pull

pytestmark = pytest.mark.django_db

INVALID = {"verdict": "invalid", "root_cause": "training", "action": "按灯规则培训"}


def review(api, andon_id: int, as_: str, body: dict):
    return api.call("POST", f"/andons/{andon_id}/review", as_, body)


def correct(api, andon_id: int, as_: str, body: dict, **headers):
    return api.call("PUT", f"/andons/{andon_id}/review", as_, body, **headers)


def ledger(andon_id: int) -> list[tuple[int, str, Decimal]]:
    return list(
        BonusCredit.objects.filter(andon_id=andon_id)
        .order_by("sequence")
        .values_list("sequence", "kind", "amount")
    )


def written() -> tuple[int, ...]:
    """Everything a correction may write, counted."""
    return (
        VerdictCorrection.objects.count(),
        BonusCredit.objects.count(),
        CorrectiveAction.objects.count(),
        AuditEntry.objects.count(),
        OutboxEvent.objects.count(),
    )


def rate_of(api, lead: str = "lead1") -> list[tuple[int, int, str]]:
    rows = api.call("GET", "/kpis/bad-andon-rate?period=week", lead).json()["rows"]
    return [(r["reviewed"], r["invalid"], r["rate_display"]) for r in rows]


def test_invalid_corrected_to_valid_credits_the_bonus_once_and_withdraws_the_training(api):
    andon = pull(api.world, "agent1")
    assert review(api, andon.pk, "lead1", INVALID).status_code == 201
    assert rate_of(api) == [(1, 1, "100.0%")]
    body = {"verdict": "valid", "reason": "复核：两位客户确有同一问题"}
    r = correct(api, andon.pk, "lead1", body)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["corrected"] is True and out["verdict"] == "valid" and out["root_cause"] is None
    assert out["bonus_credited"] == "50.00" and out["bonus_reversed"] is None
    [c] = out["corrections"]
    assert (c["old_verdict"], c["verdict"], c["old_root_cause"], c["root_cause"]) == (
        "invalid",
        "valid",
        "training",
        None,
    )
    assert c["reason"] == body["reason"] and c["corrected_by"] == "lead1" and c["corrected_at"]
    [action] = out["actions"]
    assert action["withdrawn_at"] and action["done_at"] is None
    assert api.call("GET", "/corrective-actions", "lead1").json() == []
    assert ledger(andon.pk) == [(1, "credit", Decimal("50.00"))]
    # The KPI follows the verdict as it is now.
    assert rate_of(api) == [(1, 0, "0.0%")]
    # Audited with who, when, why, the old and the new verdict; told to the outside.
    [entry] = AuditEntry.objects.filter(action="andon.review_corrected", andon_id=andon.pk)
    assert entry.actor == api.world.users["lead1"] and entry.occurred_at
    assert entry.data["old_verdict"] == "invalid" and entry.data["verdict"] == "valid"
    assert entry.data["reason"] == body["reason"] and entry.data["credited"] == "50.00"
    assert entry.data["actions_withdrawn"] == 1
    assert OutboxEvent.objects.filter(event_type="andon.review_corrected").count() == 1
    # Retried: nothing changes, nothing is written.
    before = written()
    again = correct(api, andon.pk, "lead1", body)
    assert again.status_code == 200 and again.json()["corrected"] is False
    assert again.json()["bonus_credited"] is None
    assert written() == before


def test_valid_corrected_to_invalid_reverses_the_bonus_with_a_correction_line(api):
    andon = pull(api.world, "agent1")
    assert review(api, andon.pk, "lead1", {"verdict": "valid"}).status_code == 201
    body = {**INVALID, "reason": "同一客户换号重复投诉"}
    r = correct(api, andon.pk, "lead1", body)
    assert r.status_code == 200, r.content
    out = r.json()
    assert out["verdict"] == "invalid" and out["root_cause"] == "training"
    assert out["bonus_reversed"] == "50.00" and out["bonus_credited"] is None
    [action] = out["actions"]
    assert action["kind"] == "training" and action["assignee"] == "agent1"
    assert ledger(andon.pk) == [(1, "credit", Decimal("50.00")), (2, "reversal", Decimal("-50.00"))]
    reversal = BonusCredit.objects.get(kind=EntryKind.REVERSAL)
    assert reversal.reverses == BonusCredit.objects.get(kind=EntryKind.CREDIT)
    assert reversal.note == body["reason"]
    assert pull_balance(andon_id=andon.pk, agent_id=api.world.users["agent1"].pk) == 0
    assert rate_of(api) == [(1, 1, "100.0%")]
    # The agent's statement: the credit and its correction, nothing owed beyond it.
    bonuses = api.call("GET", "/bonuses?agent=agent1", "agent1").json()
    assert [(c["kind"], c["amount"]) for c in bonuses["credits"]] == [
        ("credit", "50.00"),
        ("reversal", "-50.00"),
    ]
    assert bonuses["credits"][1]["reverses_credited_at"] == bonuses["credits"][0]["credited_at"]
    assert (bonuses["credited"], bonuses["corrected"], bonuses["total"]) == (
        "50.00",
        "-50.00",
        "0.00",
    )
    assert AuditEntry.objects.filter(action="bonus.reversed", andon_id=andon.pk).count() == 1
    assert OutboxEvent.objects.filter(event_type="bonus.reversed").count() == 1


def test_valid_invalid_valid_credits_again_without_a_duplicate(api):
    andon = pull(api.world, "agent1")
    agent = api.world.users["agent1"]
    review(api, andon.pk, "lead1", {"verdict": "valid"})
    assert correct(api, andon.pk, "lead1", {**INVALID, "reason": "看错了"}).status_code == 200
    r = correct(api, andon.pk, "lead1", {"verdict": "valid", "reason": "再次复核：有效"})
    assert r.status_code == 200 and r.json()["bonus_credited"] == "50.00"
    assert ledger(andon.pk) == [
        (1, "credit", Decimal("50.00")),
        (2, "reversal", Decimal("-50.00")),
        (3, "credit", Decimal("50.00")),
    ]
    assert pull_balance(andon_id=andon.pk, agent_id=agent.pk) == Decimal("50.00")
    # Asked again (another reason, same verdict): still one standing credit.
    r = correct(api, andon.pk, "lead1", {"verdict": "valid", "reason": "确认"})
    assert r.json()["corrected"] is False and len(ledger(andon.pk)) == 3
    # The training opened by the invalid verdict was withdrawn when it became valid again.
    assert not CorrectiveAction.objects.filter(
        done_at__isnull=True, withdrawn_at__isnull=True
    ).exists()
    assert VerdictCorrection.objects.count() == 2
    today = timezone.localdate()
    st = monthly_statement(agent_id=agent.pk, agent="agent1", year=today.year, month=today.month)
    assert (st.credited, st.corrected, st.total) == (
        Decimal("100.00"),
        Decimal("-50.00"),
        Decimal("50.00"),
    )


def test_the_ledger_refuses_a_second_standing_credit_and_a_reversal_of_nothing(api):
    andon = pull(api.world, "agent1")
    review(api, andon.pk, "lead1", {"verdict": "valid"})
    credit = BonusCredit.objects.get()
    agent = api.world.users["agent1"]
    common = {"agent": agent, "andon": andon, "credited_at": timezone.now()}
    with pytest.raises(IntegrityError), transaction.atomic():
        BonusCredit.objects.create(sequence=1, amount=Decimal("50.00"), **common)
    with pytest.raises(IntegrityError), transaction.atomic():  # a credit on an even line
        BonusCredit.objects.create(sequence=2, amount=Decimal("50.00"), **common)
    with pytest.raises(IntegrityError), transaction.atomic():  # a reversal reversing nothing
        BonusCredit.objects.create(
            kind=EntryKind.REVERSAL, sequence=2, amount=Decimal("-50.00"), **common
        )
    with pytest.raises(IntegrityError), transaction.atomic():  # a reversal that adds
        BonusCredit.objects.create(
            kind=EntryKind.REVERSAL, sequence=2, reverses=credit, amount=Decimal("50"), **common
        )
    assert BonusCredit.objects.count() == 1


def test_correcting_to_invalid_needs_a_root_cause_an_action_and_a_reason(api):
    andon = pull(api.world, "agent1")
    review(api, andon.pk, "lead1", {"verdict": "valid"})
    before = written()
    cases = [
        ({"verdict": "invalid", "action": "培训", "reason": "x"}, "root_cause"),
        ({"verdict": "invalid", "root_cause": "training", "reason": "x"}, "action"),
        ({**INVALID, "reason": "   "}, "reason"),
        ({**INVALID}, "reason"),
        ({**INVALID, "reason": "x", "department": "nowhere"}, "department"),
        ({"verdict": "maybe", "reason": "x"}, "verdict"),
    ]
    for body, field in cases:
        r = correct(api, andon.pk, "lead1", body)
        assert r.status_code == 422, (body, r.content)
        assert r.json()["field"] == field, (body, r.json())
    assert written() == before
    assert PullReview.objects.get().verdict == "valid"


def test_an_invalid_pulls_root_cause_may_be_corrected_without_a_new_action(api):
    andon = pull(api.world, "agent1")
    review(api, andon.pk, "lead1", INVALID)
    r = correct(
        api,
        andon.pk,
        "lead1",
        {"verdict": "invalid", "root_cause": "process", "reason": "其实是流程问题"},
    )
    assert r.status_code == 200, r.content
    assert r.json()["root_cause"] == "process" and len(r.json()["actions"]) == 1
    assert not BonusCredit.objects.exists()
    [c] = r.json()["corrections"]
    assert (c["old_root_cause"], c["root_cause"]) == ("training", "process")


def test_only_the_reviewer_or_an_admin_corrects_and_a_refusal_writes_nothing(api):
    andon = pull(api.world, "agent1")
    review(api, andon.pk, "lead1", {"verdict": "valid"})
    before = written()
    body = {**INVALID, "reason": "不是我审的"}
    for who in ("agent1", "agent2", "lead2", "confirmer1"):
        r = correct(api, andon.pk, who, body)
        assert r.status_code == 403, (who, r.content)
    # The reviewer who is no longer a team lead may not either.
    api.world.users["lead1"].groups.remove(Group.objects.get(name="team_lead"))
    assert correct(api, andon.pk, "lead1", body).status_code == 403
    assert written() == before and PullReview.objects.get().verdict == "valid"
    User.objects.filter(username="integrator").update(is_staff=True)
    r = correct(api, andon.pk, "integrator", body)
    assert r.status_code == 200 and r.json()["corrections"][0]["corrected_by"] == "integrator"


def test_a_pull_not_reviewed_yet_cannot_be_corrected(api):
    andon = pull(api.world, "agent1")
    before = written()
    r = correct(api, andon.pk, "lead1", {"verdict": "valid", "reason": "x"})
    assert r.status_code == 404 and r.json()["code"] == "not-reviewed"
    assert correct(api, 999999, "lead1", {"verdict": "valid", "reason": "x"}).status_code == 404
    assert written() == before


def test_the_correction_is_in_the_openapi(api):
    spec = api.client.get("/api/v1/openapi.json").json()
    put = spec["paths"]["/api/v1/andons/{andon_id}/review"]["put"]
    assert {"200", "403", "404", "422"} <= set(put["responses"])
    body = put["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert set(spec["components"]["schemas"][body]["required"]) == {"verdict", "reason"}


@pytest.mark.django_db(transaction=True)
def test_simultaneous_corrections_leave_the_ledger_consistent_with_the_verdict(world):
    """Eight corrections at once, alternating valid and invalid: whatever order they commit
    in, the pull's balance is its bonus when the verdict ends valid and zero when invalid, the
    lines alternate credit/reversal, and there is one correction row per change of verdict."""
    andon = pull(world, "agent1")
    Client().post(
        f"/api/v1/andons/{andon.pk}/review",
        data=json.dumps({"verdict": "valid"}),
        content_type="application/json",
        **world.auth("lead1"),
    )
    n = 8
    start = threading.Barrier(n)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def corrector(i: int) -> None:
        try:
            body = (
                {"verdict": "valid", "reason": f"第{i}次"}
                if i % 2
                else {**INVALID, "reason": f"第{i}次"}
            )
            start.wait(timeout=30)
            r = Client().put(
                f"/api/v1/andons/{andon.pk}/review",
                data=json.dumps(body),
                content_type="application/json",
                **world.auth("lead1"),
            )
            statuses.append(r.status_code)
        except BaseException as e:  # surfaced below
            errors.append(e)
        finally:
            connection.close()

    threads = [threading.Thread(target=corrector, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert statuses == [200] * n, statuses
    verdict = PullReview.objects.get().verdict
    lines = ledger(andon.pk)
    assert [seq for seq, _, _ in lines] == list(range(1, len(lines) + 1))
    assert [kind for _, kind, _ in lines] == [
        "credit" if seq % 2 else "reversal" for seq, _, _ in lines
    ]
    balance = pull_balance(andon_id=andon.pk, agent_id=world.users["agent1"].pk)
    assert balance == (Decimal("50.00") if verdict == "valid" else 0)
    changes = VerdictCorrection.objects.count()
    assert changes == len(lines) - 1  # every change of verdict moved the ledger by one line
