"""Proactive recovery: the past buyers who have not called, reached once each per andon,
however often it runs, with its figures and events."""

from __future__ import annotations

import os
from decimal import Decimal

import pytest
from django.db.models import Count

from andon.contacts.models import Contact
from andon.core.models import AuditEntry, OutboxEvent
from andon.recovery.models import ProactiveJob, ProactiveRecovery
from andon.recovery.proactive import proactive_run

from .proactive_world import SKU, past_buyers_world

# ANDON_PROACTIVE_BUYERS=10000 runs the many-buyers test at the size; the suite proves
# the same once-each guarantee across batches and a rerun at a size that keeps it quick.
BIG = int(os.environ.get("ANDON_PROACTIVE_BUYERS", "4000"))

pytestmark = pytest.mark.django_db


def start(api, andon_id: int, body: dict, who: str = "confirmer1"):
    return api.call("POST", f"/andons/{andon_id}/proactive-recovery", who, body)


def summary(api, andon_id: int) -> dict:
    r = api.call("GET", f"/andons/{andon_id}/proactive-recovery", "confirmer1")
    assert r.status_code == 200, r.content
    return r.json()


def test_all_past_buyers_once_each_when_run_twice(api, world):
    andon = past_buyers_world(world, buyers=50)
    assert summary(api, andon.pk) | {"cost": "0"} == {
        "eligible": 47,
        "reached": 0,
        "pending": 47,
        "cost": "0",
        "contacted_anyway": 0,
        "running": False,
    }
    r = start(api, andon.pk, {"action": "coupon-5", "customers": "all", "reason": ""})
    assert r.status_code == 202, r.content
    job = r.json()["job"]
    assert job["total"] == 47 and job["reached"] == 0
    assert proactive_run(job_id=job["id"], batch=10) == 47
    assert proactive_run(job_id=job["id"]) == 0
    # Sent again: a new job with nobody left to reach.
    again = start(api, andon.pk, {"action": "coupon-5", "customers": "all"}).json()["job"]
    assert again["total"] == 0 and proactive_run(job_id=again["id"]) == 0
    s = summary(api, andon.pk)
    assert (s["eligible"], s["reached"], s["pending"]) == (47, 47, 0)
    assert Decimal(s["cost"]) == Decimal("235.00")
    dupes = ProactiveRecovery.objects.values("customer").annotate(n=Count("id")).filter(n__gt=1)
    assert not dupes.exists()
    events = OutboxEvent.objects.filter(event_type="recovery.proactive")
    assert events.count() == 47
    payload = events.first().payload
    assert {k: payload[k] for k in ("andon_id", "sku", "action", "kind", "cost")} == {
        "andon_id": andon.pk,
        "sku": SKU,
        "action": "coupon-5",
        "kind": "coupon",
        "cost": "5.00",
    }
    # The reporters and the buyer from long ago are not reached.
    reached = set(ProactiveRecovery.objects.values_list("customer__external_id", flat=True))
    assert not reached & {f"{SKU}-c0", f"{SKU}-c1", f"{SKU}-c2", f"{SKU}-c50"}
    assert AuditEntry.objects.filter(action="recovery.proactive", andon_id=andon.pk).count() == 2


def test_a_selection_and_who_contacted_anyway(api, world):
    andon = past_buyers_world(world, buyers=20)
    chosen = [f"{SKU}-c5", f"{SKU}-c6"]
    job = start(api, andon.pk, {"action": "coupon-5", "customers": chosen}).json()["job"]
    assert job["total"] == 2
    proactive_run(job_id=job["id"])
    customer = ProactiveRecovery.objects.get(customer__external_id=f"{SKU}-c5").customer
    line = customer.orders.get().lines.get()
    Contact.objects.create(
        created_at=ProactiveRecovery.objects.get(customer=customer).given_at.replace(year=2027),
        customer=customer,
        order_line=line,
        product=line.product,
        reason_id=Contact.objects.first().reason_id,
        text="还是想退货",
        agent=world.users["agent1"],
    )
    s = summary(api, andon.pk)
    assert (s["reached"], s["pending"], s["contacted_anyway"]) == (2, 15, 1)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"action": "nope", "customers": "all"}, "action"),
        ({"action": "coupon-5", "customers": "some"}, "customers"),
        ({"action": "coupon-5", "customers": []}, "customers"),
        ({"action": "coupon-5", "customers": [f"{SKU}-c0"]}, "customers"),  # called already
        ({"action": "refund", "customers": "all"}, "reason"),  # 55 CNY x: above an agent's 200?
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(api, world, body, field):
    andon = past_buyers_world(world, buyers=5)
    who = "agent1"
    if field == "reason":
        # Above the guide: the refund's default is the product's price; lower the guide.
        from andon.recovery.models import GuideLimit

        GuideLimit.objects.filter(action__code="refund").update(max_cost=Decimal("10"))
    r = start(api, andon.pk, body, who)
    assert r.status_code == 422, r.content
    assert r.json()["field"] == field
    assert not ProactiveJob.objects.exists()


def test_above_the_guide_a_reason_line_is_all_it_takes(api, world):
    from andon.recovery.models import GuideLimit

    andon = past_buyers_world(world, buyers=5)
    GuideLimit.objects.filter(action__code="refund").update(max_cost=Decimal("10"))
    r = start(
        api, andon.pk, {"action": "refund", "customers": "all", "reason": "整批白页"}, "agent1"
    )
    assert r.status_code == 202, r.content
    assert ProactiveJob.objects.get().above_guide is True


def test_only_people_who_work_the_andon_give_it(api, world):
    andon = past_buyers_world(world, buyers=5)
    r = start(api, andon.pk, {"action": "coupon-5", "customers": "all"}, "integrator")
    assert r.status_code == 403


@pytest.mark.slow
def test_many_past_buyers_once_each_when_run_twice(api, world):
    andon = past_buyers_world(world, buyers=BIG)
    job = start(api, andon.pk, {"action": "coupon-5", "customers": "all"}).json()["job"]
    assert job["total"] == BIG - 3
    # Interrupted after three batches: the rest is reached by a second run, no one twice.
    from andon.recovery.proactive import run_batch

    for _ in range(3):
        run_batch(job["id"], 1000)
    assert ProactiveJob.objects.get(pk=job["id"]).reached == 3000
    assert proactive_run(job_id=job["id"]) == BIG - 3 - 3000
    again = start(api, andon.pk, {"action": "coupon-5", "customers": "all"}).json()["job"]
    assert proactive_run(job_id=again["id"]) == 0
    assert ProactiveRecovery.objects.count() == BIG - 3
    assert ProactiveRecovery.objects.values("customer").distinct().count() == BIG - 3
    assert OutboxEvent.objects.filter(event_type="recovery.proactive").count() == BIG - 3


def test_the_andon_page_shows_the_figures_and_starts_it_for_all_pending(world):
    import re
    from html import unescape

    from django.test import Client

    andon = past_buyers_world(world, buyers=8)
    client = Client(headers={"accept-language": "en"})
    assert client.login(username="confirmer1", password="confirmer1-pass")
    page = client.get(f"/andons/{andon.pk}/").content.decode()
    panel = page[page.index('id="proactive-recovery"') :]
    panel = re.sub(
        r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", panel[: panel.index("</section>")]))
    )
    assert "Eligible: 5" in panel and "Pending: 5" in panel
    r = client.post(f"/andons/{andon.pk}/proactive-recovery", {"action": "coupon-5", "reason": ""})
    assert r.status_code == 302
    job = ProactiveJob.objects.get()
    assert job.total == 5 and job.customers is None
    proactive_run(job_id=job.pk)
    page = client.get(f"/andons/{andon.pk}/").content.decode()
    assert "Reached: 5" in re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", page)))


def test_the_andon_page_lists_the_buyers_pending_first_and_gives_to_a_selection(world):
    import re
    from html import unescape

    from django.test import Client

    andon = past_buyers_world(world, buyers=60, contacted=3)  # 57 eligible
    client = Client(headers={"accept-language": "en"})
    assert client.login(username="confirmer1", password="confirmer1-pass")

    def rows(html: str) -> list[str]:
        table = html[html.index('id="proactive-buyers"') :]
        table = table[: table.index("</table>")]
        return re.findall(r'data-customer="([^"]+)"', table)

    page = client.get(f"/andons/{andon.pk}/").content.decode()
    first = rows(page)
    assert len(first) == 50 and 'rel="next"' in page
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", page)))
    assert "Past buyers 1–50 of 57" in text and "Give it to all pending (57)" in text
    chosen = first[:2]
    r = client.post(
        f"/andons/{andon.pk}/proactive-recovery",
        {"action": "coupon-5", "reason": "", "scope": "selected", "customers": chosen},
    )
    assert r.status_code == 302
    job = ProactiveJob.objects.get()
    assert job.total == 2 and job.customers == sorted(chosen)
    # The progress fragment polls while the job runs, and stops once it is done.
    frag = client.get(f"/andons/{andon.pk}/proactive-recovery/progress").content.decode()
    assert 'hx-trigger="every 2s"' in frag and "Running: 0 of 2 reached." in unescape(frag)
    proactive_run(job_id=job.pk)
    frag = client.get(f"/andons/{andon.pk}/proactive-recovery/progress").content.decode()
    assert "hx-trigger" not in frag and "Done: 2 of 2 reached." in unescape(frag)
    # The reached come after the pending: on the second page, last.
    second = client.get(f"/andons/{andon.pk}/?buyers=50").content.decode()
    assert rows(second)[-2:] == first[:2] and len(rows(second)) == 7
    assert chosen[0] not in rows(client.get(f"/andons/{andon.pk}/").content.decode())
    # Selected nothing: said, nothing started.
    r = client.post(
        f"/andons/{andon.pk}/proactive-recovery",
        {"action": "coupon-5", "scope": "selected"},
        follow=True,
    )
    assert "Select past buyers" in unescape(r.content.decode())
    assert ProactiveJob.objects.count() == 1
