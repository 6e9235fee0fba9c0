"""Contacts by bulk import (idempotent by their external id, never pulling the cord), and
imports that leave alone whatever an open andon holds."""

from __future__ import annotations

import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from andon.catalog.models import StockLevel
from andon.contacts.models import Contact
from andon.pulls.models import Andon

from .story import SKU, catalog_load, fix_and_relist, pull

pytestmark = pytest.mark.django_db

COLUMNS = [
    "external_id",
    "customer",
    "order",
    "line_no",
    "reason",
    "text",
    "channel",
    "created_at",
    "agent",
]


def _row(ext: str, cust: str = "cust-a", **over) -> list:
    row = {
        "external_id": ext,
        "customer": cust,
        "order": f"order-{cust}-{SKU}",
        "line_no": 1,
        "reason": "print-defect",
        "text": "100-101页未裁开",
        "channel": "phone",
        "created_at": "2026-11-20T10:00:00+08:00",
        "agent": "agent1",
    }
    row.update(over)
    return [row[c] for c in COLUMNS]


def _import(path) -> str:
    """The command's summary; a file with rejected rows ends in CommandError (exit status 3)
    after its summary and rejects file are written."""
    out = io.StringIO()
    try:
        call_command("import", "contacts", str(path), "--no-progress", stdout=out)
    except CommandError as e:
        assert e.returncode == 3 and "rejected" in str(e)
    return out.getvalue()


def test_the_same_contacts_file_twice_changes_nothing_and_never_pulls_the_cord(tmp_path, api):
    # Given two customers' reports of the same defect: enough for a pull
    catalog_load(api)
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([COLUMNS, _row("crm-1"), _row("crm-2", "cust-b", channel="chat")])

    assert "2 created, 0 updated, 0 unchanged, 0 rejected" in _import(path)
    first = list(Contact.objects.order_by("external_id").values())
    assert "0 created, 0 updated, 2 unchanged, 0 rejected" in _import(path)

    assert list(Contact.objects.order_by("external_id").values()) == first
    assert [c["channel"] for c in first] == ["phone", "chat"]
    assert {c["product_id"] for c in first} == set(
        StockLevel.objects.values_list("product_id", flat=True)
    )
    assert not Andon.objects.exists()


def test_bad_contact_rows_are_rejected_with_line_and_reason(tmp_path, api):
    catalog_load(api)
    good = _row("crm-1")
    path = tmp_path / "contacts.csv"
    rows = [
        COLUMNS,
        good,
        _row("crm-2", "nobody"),  # 3: unknown customer
        _row("crm-3", "cust-b", order=f"order-cust-a-{SKU}"),  # 4: someone else's order
        _row("crm-4", line_no=7),  # 5: no such line
        _row("crm-5", reason="no-such-reason"),  # 6: unknown reason
        _row("crm-6", agent="ghost"),  # 7: unknown agent
        _row("crm-7", created_at="2999-01-01T00:00:00+00:00"),  # 8: in the future
        _row("crm-8", channel="pigeon"),  # 9: not a channel
        _row("crm-1"),  # 10: repeated id
    ]
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    assert "1 created, 0 updated, 0 unchanged, 8 rejected" in _import(path)
    rejects = list(csv.DictReader((tmp_path / "contacts.csv.rejects.csv").open()))
    assert [(r["rejected_line"], r["rejected_field"]) for r in rejects] == [
        ("3", "customer"),
        ("4", "customer"),
        ("5", "line_no"),
        ("6", "reason"),
        ("7", "agent"),
        ("8", "created_at"),
        ("9", "channel"),
        ("10", "external_id"),
    ]
    assert "ghost" in rejects[4]["rejected_reason"] and rejects[4]["external_id"] == "crm-6"


def test_an_imported_contact_may_correct_its_text_but_not_its_evidence(api):
    catalog_load(api)
    row = dict(zip(COLUMNS, _row("crm-1"), strict=True))
    assert api.call("POST", "/imports/contacts", "integrator", [row]).json()["created"] == 1
    r = api.call(
        "POST", "/imports/contacts", "integrator", [{**row, "text": "100-101页未裁开，另有折页"}]
    ).json()
    assert (r["updated"], r["rejected"]) == (1, [])
    r = api.call(
        "POST", "/imports/contacts", "integrator", [{**row, "reason": "wrong-item"}]
    ).json()
    assert [(x["row"], x["field"]) for x in r["rejected"]] == [(1, "reason")]
    contact = Contact.objects.get()
    assert (contact.text, contact.reason.code) == ("100-101页未裁开，另有折页", "print-defect")


def test_an_import_never_changes_the_quantity_of_stock_on_hold(api):
    # Given a product whose stock an open andon holds
    catalog_load(api)
    andon = pull(api)
    stock = {"sku": SKU, "warehouse": "wh-sh", "batch": "B1"}

    # When the storefront sends another quantity, the row is rejected, naming the hold
    r = api.call("POST", "/imports/stock", "integrator", [{**stock, "quantity": 4}]).json()
    assert [(x["row"], x["field"]) for x in r["rejected"]] == [(1, "quantity")]
    assert "on hold" in r["rejected"][0]["reason"]
    assert StockLevel.objects.get().quantity == 10
    # the same quantity is simply unchanged
    r = api.call("POST", "/imports/stock", "integrator", [{**stock, "quantity": 10}]).json()
    assert (r["unchanged"], r["rejected"]) == (1, [])

    # Once the andon is closed and the hold released, the quantity may change again
    fix_and_relist(api, andon)
    r = api.call("POST", "/imports/stock", "integrator", [{**stock, "quantity": 4}]).json()
    assert (r["updated"], r["rejected"]) == (1, [])
    assert StockLevel.objects.get().quantity == 4


def test_a_corrected_rejects_file_imports_as_it_is(tmp_path, api):
    catalog_load(api)
    path = tmp_path / "contacts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([COLUMNS, _row("crm-1", agent="ghost")])
    assert "1 rejected" in _import(path)
    rejects = tmp_path / "contacts.csv.rejects.csv"
    rejects.write_text(
        rejects.read_text(encoding="utf-8").replace("ghost", "agent1"), encoding="utf-8"
    )
    assert "1 created, 0 updated, 0 unchanged, 0 rejected" in _import(rejects)
