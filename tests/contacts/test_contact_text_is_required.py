"""A contact is the customer's words: without them it is no evidence. Blank text is refused
on every path (API 422 naming `text`, the console's form error, the import's rejected row,
the service) and nothing is written."""

from __future__ import annotations

import pytest

from andon.contacts.rules import text_problem
from andon.contacts.services import contact_record
from andon.core.errors import InvalidInput
from andon.integrations.imports import rows_import

from ..api.test_bad_input import assert_problem
from ..snapshot import assert_nothing_written, db_state

pytestmark = pytest.mark.django_db

BLANKS = ["", "   ", "\n\t "]


@pytest.mark.parametrize("text", [*BLANKS, None])
def test_blank_or_missing_text_is_no_evidence(text):
    assert text_problem(text)


def test_any_words_are_evidence():
    assert text_problem("书页未裁开") is None and text_problem(" x ") is None


@pytest.mark.parametrize("text", [*BLANKS, None])
def test_the_api_refuses_a_contact_without_words_naming_the_field(api, shop, text):
    body = {"customer": "cust-a", "order": "order-a", "line_no": 1, "reason": "print-defect"}
    if text is not None:
        body["text"] = text
    before = db_state()
    assert_problem(api.call("POST", "/contacts", "agent1", body), 422, "text")
    assert_nothing_written(before)


@pytest.mark.parametrize("text", BLANKS)
def test_the_console_shows_the_form_error_and_records_nothing(agent_console, shop, text):
    before = db_state()
    r = agent_console.post(
        "/customers/cust-a/contacts",
        {"order": "order-a", "line_no": 1, "reason": "print-defect", "text": text},
    )
    assert r.status_code == 422
    assert "This field is required." in r.content.decode()
    assert_nothing_written(before)


def test_the_import_rejects_a_row_without_words_and_writes_nothing(world, shop):
    row = {
        "external_id": "ext-1",
        "customer": "cust-a",
        "order": "order-a",
        "line_no": 1,
        "reason": "print-defect",
        "created_at": "2026-11-20T10:00:00+08:00",
        "agent": "agent1",
    }
    before = db_state()
    result = rows_import(
        actor=world.users["integrator"],
        kind="contacts",
        rows=[row, {**row, "external_id": "ext-2", "text": "  "}],
    )
    assert [(r.row, r.field) for r in result.rejected] == [(1, "text"), (2, "text")]
    assert all("no evidence" in r.reason for r in result.rejected)
    assert_nothing_written(before)


def test_the_service_refuses_blank_text(world, shop):
    before = db_state()
    with pytest.raises(InvalidInput) as refused:
        contact_record(
            actor=world.users["agent1"],
            customer="cust-a",
            order="order-a",
            line_no=1,
            reason="print-defect",
            text=" ",
        )
    assert refused.value.field == "text"
    assert_nothing_written(before)
