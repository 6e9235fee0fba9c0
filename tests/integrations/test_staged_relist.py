"""The staged relist: the last confirmation lists the product `limited` (a cap, a watch); a
complaint on the same problem during the watch suppresses it again in the contact's own
transaction and reopens the andon; a quiet watch ends in a full relist exactly once."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from andon.catalog.models import Product
from andon.catalog.watch import watches_end
from andon.core.models import AuditEntry, OutboxEvent
from andon.pulls.models import Andon

from .story import SKU, catalog_load, pull

pytestmark = pytest.mark.django_db
MEMBERS = {"vendor-management": "vendor1", "warehouse-logistics": "warehouse1"}
STAGED = {"relist": "staged", "max_units": 50, "watch_days": 7}


def fix_and_confirm(api, andon: dict, last: dict | None = None):
    r = None
    for n, wo in enumerate(andon["work_orders"]):
        who = MEMBERS[wo["department"]]
        assert api.call("POST", f"/work-orders/{wo['id']}/start", who).status_code == 200
        r = api.call(
            "POST",
            f"/work-orders/{wo['id']}/resolve",
            who,
            {"findings": "已检验", "disposition": "release"},
        )
        assert r.status_code == 200, r.content
        body = last if n == len(andon["work_orders"]) - 1 else None
        r = api.call("POST", f"/work-orders/{wo['id']}/confirm", "confirmer1", body)
        assert r.status_code == 200, r.content
    return r


def staged(api) -> dict:
    catalog_load(api)
    andon = pull(api)
    r = fix_and_confirm(api, andon, STAGED)
    out = r.json()
    assert out["relisted"] is True and out["listing_status"] == "limited"
    assert out["max_units"] == 50
    return andon


def complain(api, agent="agent1", cust="cust-a", reason="print-defect"):
    return api.call(
        "POST",
        "/contacts",
        agent,
        {
            "customer": cust,
            "order": f"order-{cust}-{SKU}",
            "line_no": 1,
            "reason": reason,
            "text": "修好以后还是有白页",
        },
    )


def listing_events() -> list[tuple[str, dict, int]]:
    return [
        (e.event_type, e.payload, e.product_sequence)
        for e in OutboxEvent.objects.filter(
            product_sku=SKU, event_type__startswith="listing."
        ).order_by("product_sequence")
    ]


def test_a_staged_relist_lists_limited_with_its_cap_and_watch(api):
    staged(api)
    product = Product.objects.get(sku=SKU)
    assert product.listing_status == "limited" and product.listing_max_units == 50
    assert product.listing_until is not None
    until = product.listing_until
    assert abs((until - timezone.now()) - dt.timedelta(days=7)) < dt.timedelta(minutes=1)
    kind, payload, _seq = listing_events()[-1]
    assert kind == "listing.limited"
    assert {k: payload[k] for k in ("sku", "listing_status", "max_units", "until")} == {
        "sku": SKU,
        "listing_status": "limited",
        "max_units": 50,
        "until": until.isoformat(),
    }
    assert dt.datetime.fromisoformat(payload["until"]) == until
    # The feed for polling storefronts carries the cap and the watch too.
    feed = api.call("GET", "/listing-events?after=0", "integrator").json()["events"]
    last = [e for e in feed if e["sku"] == SKU][-1]
    assert (last["event_type"], last["listing_status"], last["max_units"]) == (
        "listing.limited",
        "limited",
        50,
    )
    fed = dt.datetime.fromisoformat(last["until"].replace("Z", "+00:00"))
    assert abs(fed - until) < dt.timedelta(milliseconds=1)  # the API writes milliseconds


def test_the_default_is_todays_full_relist(api):
    catalog_load(api)
    r = fix_and_confirm(api, pull(api))
    assert r.json()["listing_status"] == "active" and r.json()["max_units"] is None
    assert listing_events()[-1][0] == "listing.relisted"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"relist": "later"}, "relist"),
        ({"relist": "staged", "watch_days": 7}, "max_units"),
        ({"relist": "staged", "max_units": 0, "watch_days": 7}, "max_units"),
        ({"relist": "staged", "max_units": 5}, "watch_days"),
        ({"relist": "staged", "max_units": 5, "watch_days": 91}, "watch_days"),
        ({"relist": "full", "max_units": 5}, "max_units"),
    ],
)
def test_a_wrong_relist_choice_is_refused_naming_the_field(api, body, field):
    catalog_load(api)
    andon = pull(api)
    wo = andon["work_orders"][0]
    who = MEMBERS[wo["department"]]
    api.call("POST", f"/work-orders/{wo['id']}/start", who)
    api.call(
        "POST",
        f"/work-orders/{wo['id']}/resolve",
        who,
        {"findings": "已检验", "disposition": "release"},
    )
    r = api.call("POST", f"/work-orders/{wo['id']}/confirm", "confirmer1", body)
    assert 400 <= r.status_code < 500, r.content
    assert field in str(r.json()), r.json()


def test_a_complaint_in_the_watch_suppresses_again_with_the_contact_and_reopens_the_andon(api):
    andon = staged(api)
    r = complain(api)
    assert r.status_code == 201, r.content
    contact_id = r.json()["id"]
    product = Product.objects.get(sku=SKU)
    assert product.listing_status == "suppressed" and product.listing_max_units is None
    reopened = Andon.objects.get(pk=andon["id"])
    assert reopened.state == "open" and reopened.closed_at is None
    assert reopened.evidence_links.filter(contact_id=contact_id).exists()
    assert set(reopened.work_orders.values_list("state", flat=True)) == {"reopened"}
    # Same transaction as the contact: the contact's audit and the re-suppression share it.
    kinds = [k for k, _p, _s in listing_events()]
    assert kinds[-2:] == ["listing.limited", "listing.suppressed"]
    seqs = [s for _k, _p, s in listing_events()]
    assert seqs == sorted(seqs)
    entry = AuditEntry.objects.get(action="andon.reopened")
    assert entry.data["contact"] == contact_id and entry.data["work_orders"] == 2
    # The history is kept: the first closing and its limited relist stay on the andon.
    actions = list(AuditEntry.objects.filter(andon_id=andon["id"]).values_list("action", flat=True))
    assert {"andon.closed", "listing.limited", "andon.reopened"} <= set(actions)
    # The end of the watch has nothing left to do.
    assert watches_end(now=timezone.now() + dt.timedelta(days=8)) == 0


def test_a_complaint_for_another_reason_does_not_stop_the_limited_listing(api, world):
    from andon.contacts.models import ReasonCode

    assert ReasonCode.objects.filter(code="wrong-item").exists()
    staged(api)
    assert complain(api, reason="wrong-item").status_code == 201
    assert Product.objects.get(sku=SKU).listing_status == "limited"


def test_a_failed_resuppression_leaves_no_contact_either(api, monkeypatch):
    from andon.pulls import watch

    staged(api)
    contacts_before = AuditEntry.objects.filter(action="contact.created").count()

    def fail(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(watch, "work_orders_reopen_after_watch", fail)
    with pytest.raises(RuntimeError):
        complain(api)
    assert AuditEntry.objects.filter(action="contact.created").count() == contacts_before
    assert Product.objects.get(sku=SKU).listing_status == "limited"


def test_a_quiet_watch_ends_in_a_full_relist_exactly_once(api):
    andon = staged(api)
    product = Product.objects.get(sku=SKU)
    assert watches_end(now=product.listing_until - dt.timedelta(seconds=1)) == 0
    later = product.listing_until + dt.timedelta(minutes=1)
    out = StringIO()
    call_command("listing", "tick", "--at", later.isoformat(), stdout=out)
    assert out.getvalue().startswith("1 relisted")
    assert watches_end(now=later) == 0
    call_command("listing", "tick", "--at", later.isoformat(), stdout=StringIO())
    product.refresh_from_db()
    assert product.listing_status == "active" and product.listing_until is None
    kinds = [k for k, _p, _s in listing_events()]
    assert kinds[-2:] == ["listing.limited", "listing.relisted"]
    assert kinds.count("listing.relisted") == 1
    relisted = AuditEntry.objects.get(action="listing.relisted", andon_id=andon["id"])
    assert relisted.data["after_watch"] is True
    # A complaint after the watch is an ordinary contact: the product stays listed.
    assert complain(api).status_code == 201
    assert Product.objects.get(sku=SKU).listing_status == "active"


def test_the_watch_tick_runs_as_a_task(api):
    from andon.catalog.tasks import watches_end_task

    staged(api)
    Product.objects.filter(sku=SKU).update(listing_until=timezone.now() - dt.timedelta(seconds=1))
    assert watches_end_task.call() == 1
    assert watches_end_task.call() == 0


def test_the_reopen_holds_the_stock_and_packed_lines_again_with_the_contact(api, monkeypatch):
    """The relist released the andon's holds; the watch's reopen holds the stock again (set
    based, in the contact's transaction), and a line packed during the watch too. The
    released holds stay in the history."""
    from andon.catalog.models import StockLevel
    from andon.holds.models import Hold
    from andon.holds.selectors import held_line_ids, held_stock_ids
    from andon.orders.models import OrderLine
    from andon.pulls import watch

    andon = staged(api)
    stock_ids = list(StockLevel.objects.filter(product__sku=SKU).values_list("pk", flat=True))
    assert stock_ids and held_stock_ids(stock_level_ids=stock_ids) == set()
    released = Hold.objects.filter(andon_id=andon["id"]).exclude(state="held").count()
    assert released >= 1
    # Sold and packed under the cap, during the watch.
    r = api.call("PUT", "/customers/cust-c", "integrator", {"name": "cust-c"})
    assert r.status_code in (200, 201)
    r = api.call(
        "PUT",
        f"/orders/order-cust-c-{SKU}",
        "integrator",
        {
            "customer": "cust-c",
            "placed_at": "2026-12-01T10:00:00+08:00",
            "channel": "web",
            "lines": [
                {"line_no": 1, "sku": SKU, "batch": "B1", "warehouse": "wh-sh", "status": "packed"}
            ],
        },
    )
    assert r.status_code in (200, 201), r.content
    packed = list(
        OrderLine.objects.filter(product__sku=SKU, fulfilment_status="packed").values_list(
            "pk", flat=True
        )
    )
    assert len(packed) == 1 and held_line_ids(order_line_ids=packed) == set()

    # A failing reopen leaves nothing held either (one transaction with the contact).
    def fail(*a, **k):
        raise RuntimeError("boom")

    with monkeypatch.context() as m:
        m.setattr(watch, "work_orders_reopen_after_watch", fail)
        with pytest.raises(RuntimeError):
            complain(api)
    assert held_stock_ids(stock_level_ids=stock_ids) == set()

    assert complain(api).status_code == 201
    stocked = set(
        StockLevel.objects.filter(product__sku=SKU, quantity__gt=0).values_list("pk", flat=True)
    )
    assert stocked and held_stock_ids(stock_level_ids=stock_ids) == stocked
    assert held_line_ids(order_line_ids=packed) == set(packed)
    holds = Hold.objects.filter(andon_id=andon["id"])
    assert holds.exclude(state="held").count() == released
    assert holds.filter(state="held").count() == len(stocked) + 1
    placed = AuditEntry.objects.filter(action="holds.placed", andon_id=andon["id"]).last()
    assert placed is not None and placed.data == {
        "stock_rows": len(stocked),
        "order_lines": 1,
        "reopened": True,
    }
    # A second complaint in the reopened andon holds nothing twice.
    assert complain(api, agent="agent2", cust="cust-b").status_code == 201
    assert holds.filter(state="held").count() == len(stocked) + 1


def test_an_imported_complaint_in_the_watch_suppresses_again_in_its_chunk(api):
    """Contacts from the bulk import: one set-based check after each chunk. A complaint on the
    watched reason recorded before the staged relist, or on another reason, changes nothing;
    one recorded during the watch stops the product and reopens the andon (with its holds),
    once, however often the file is imported."""
    from andon.holds.models import Hold
    from andon.integrations.imports import rows_import

    andon = staged(api)
    product = Product.objects.get(sku=SKU)
    limited_at = product.listing_changed_at
    assert limited_at is not None

    def row(ext: str, at: dt.datetime, reason: str = "print-defect") -> dict:
        return {
            "external_id": ext,
            "customer": "cust-b",
            "order": f"order-cust-b-{SKU}",
            "line_no": 1,
            "reason": reason,
            "text": "又有白页",
            "created_at": at.isoformat(),
            "agent": "agent1",
        }

    quiet = [
        row("hist-1", limited_at - dt.timedelta(hours=1)),
        row("other-1", limited_at + dt.timedelta(seconds=1), reason="wrong-item"),
    ]
    result = rows_import(actor=None, kind="contacts", rows=quiet)
    assert result.created == 2 and not result.rejected
    assert Product.objects.get(sku=SKU).listing_status == "limited"

    rows = [*quiet, row("in-watch-1", timezone.now())]
    result = rows_import(actor=None, kind="contacts", rows=rows, chunk=2)
    assert result.created == 1 and not result.rejected
    product = Product.objects.get(sku=SKU)
    assert product.listing_status == "suppressed"
    reopened = Andon.objects.get(pk=andon["id"])
    assert reopened.state == "open"
    assert reopened.evidence_links.filter(contact__external_id="in-watch-1").exists()
    assert Hold.objects.filter(andon_id=andon["id"], state="held").exists()
    kinds = [k for k, _p, _s in listing_events()]
    assert kinds[-2:] == ["listing.limited", "listing.suppressed"]
    # The same file again: nothing more.
    rows_import(actor=None, kind="contacts", rows=rows)
    assert AuditEntry.objects.filter(action="andon.reopened").count() == 1
    assert [k for k, _p, _s in listing_events()].count("listing.suppressed") == 2
