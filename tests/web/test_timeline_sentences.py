"""Every audit action the product records reads as a sentence on the timeline, in both
languages (issue 8, point 14: raw codes such as `bonus.credited` were shown). The actions are
found in the source, wherever `Audit(...)` is built, so a new one without a sentence fails
here and not on a page."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation

import andon
from andon.membership.rules import Change
from andon.web.timeline import SENTENCES, Entry, sentence
from andon.workorders.rules import Action
from andon.workorders.services import _past

ANDON = Path(andon.__file__).resolve().parent
HAN = re.compile(r"[\u3400-\u9fff]")
# An action built from a template string: its constant prefix and every value it can take.
EXPANSIONS = {
    "workorder.": {f"workorder.{_past(a)}" for a in Action},
    "membership.": {f"membership.{c.value}" for c in Change},
}


def _action_argument(call: ast.Call) -> ast.expr | None:
    if call.args:
        return call.args[0]
    return next((k.value for k in call.keywords if k.arg == "action"), None)


def _audit_calls():
    for path in sorted(ANDON.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name in ("Audit", "AuditEntry"):
                yield f"{path.relative_to(ANDON)}:{node.lineno}", _action_argument(node)


def recorded_actions() -> set[str]:
    actions: set[str] = set()
    unknown = []
    for where, arg in _audit_calls():
        if where.startswith("core/services.py"):
            continue  # audit_record itself writes what it is given
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            actions.add(arg.value)
        elif isinstance(arg, ast.JoinedStr) and isinstance(arg.values[0], ast.Constant):
            prefix = arg.values[0].value
            if prefix in EXPANSIONS:
                actions |= EXPANSIONS[prefix]
            else:
                unknown.append(f"{where}: f-string {prefix!r}… (add it to EXPANSIONS)")
        else:
            unknown.append(f"{where}: an action that is not written out")
    assert not unknown, unknown
    return actions


def test_every_audit_action_recorded_anywhere_has_a_sentence():
    actions = recorded_actions()
    assert {"andon.reviewed", "bonus.credited", "holds.finalized", "workorder.reopened"} <= actions
    assert len(actions) >= 20, sorted(actions)
    missing = sorted(actions - set(SENTENCES))
    assert not missing, f"audit actions without a timeline sentence: {missing}"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("action", sorted(SENTENCES))
def test_each_sentence_reads_as_words_even_with_little_data(action, lang):
    """A row written by an older version (or by the system) may lack fields: the sentence
    still reads, in the reader's language, and never shows a code."""
    with translation.override(lang):
        text = re.sub(r"<[^>]+>", "", str(sentence(Entry(action, "", "7", {}))))
    assert text.strip(), action
    assert action not in text and not re.search(r"\b[a-z_]+\.[a-z_]+\b", text), text
    assert bool(HAN.search(text)) == (lang == "zh-hans"), (action, text)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_an_action_without_a_sentence_still_reads_as_words(lang):
    with translation.override(lang):
        text = re.sub(r"<[^>]+>", "", str(sentence(Entry("stock.recounted", "agent1", "7", {}))))
    assert "stock.recounted" not in text and "Stock recounted" in text


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_recovery_reads_as_its_kind_not_the_catalogue_entrys_code(lang):
    data = {"action": "coupon-5", "kind": "coupon", "cost": "5.00"}
    with translation.override(lang):
        text = re.sub(r"<[^>]+>", "", str(sentence(Entry("recovery.given", "agent1", "3", data))))
        expected = translation.gettext("coupon")
    assert "coupon-5" not in text and expected in text, text


HOLDS_PLACED = {
    # At the pull: units of stock and packed lines.
    "pull": (
        {"stock_units": 300, "order_lines": 5},
        {
            "en": "300 units of stock and 5 packed order lines were put on hold.",
            "zh-hans": "已扣留 300 件库存和 5 个已打包订单行。",
        },
    ),
    # Holds placed later record warehouse batches, not units; each case says why they came.
    "reopened": (
        {"stock_rows": 1, "order_lines": 2, "reopened": True},
        {
            "en": "Reopened by the watch, the andon holds again: 1 batch in a warehouse, "
            "2 packed order lines.",
            "zh-hans": "观察期内重新开启，安灯再次扣留：1 个仓库批次，2 个已打包订单行。",
        },
    ),
    "arrived": (
        {"stock_rows": 3, "order_lines": 1, "arrived_while_stopped": True},
        {
            "en": "Arrived while the product was stopped, and held too: 3 batches in "
            "warehouses, 1 packed order line.",
            "zh-hans": "停售期间到货的货物也已扣留：3 个仓库批次，1 个已打包订单行。",
        },
    ),
}


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
@pytest.mark.parametrize("case", sorted(HOLDS_PLACED))
def test_holds_placed_reads_as_the_moment_they_were_placed(case, lang):
    data, expected = HOLDS_PLACED[case]
    with translation.override(lang):
        text = str(sentence(Entry("holds.placed", "", "7", data)))
    assert text == expected[lang]
