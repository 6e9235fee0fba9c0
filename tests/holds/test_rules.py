from andon.holds.rules import (
    Disposition,
    Finding,
    LineFacts,
    StockFacts,
    final_state,
    line_write_refused,
    most_cautious,
    planned,
    planned_default,
    stock_write_refused,
)

R, F, V, S = (
    Disposition.RELEASE,
    Disposition.FIX,
    Disposition.RETURN_TO_VENDOR,
    Disposition.SCRAP,
)


def test_the_more_cautious_finding_wins():
    assert most_cautious([R, S]) == S
    assert most_cautious([F, V]) == V


def test_nothing_said_is_no_plan_never_an_implicit_release():
    assert most_cautious([]) is None
    assert most_cautious([None, None]) is None
    assert planned(7, [Finding(None), Finding(None)]) is None
    assert planned_default([]) is None


def test_a_department_that_said_nothing_about_goods_neither_releases_nor_keeps_them():
    assert planned(7, [Finding(None), Finding(F)]) == F
    assert planned_default([Finding(None), Finding(R)]) == R


def test_a_per_hold_exception_is_weighed_against_the_other_departments_defaults():
    vendor = Finding(R, {7: V})
    warehouse = Finding(F)
    assert planned(7, [vendor, warehouse]) == V
    assert planned(8, [vendor, warehouse]) == F
    # A per-hold release does not undo another department's caution.
    assert planned(7, [Finding(S), Finding(S, {7: R})]) == S


def test_each_disposition_has_a_final_hold_state():
    assert {final_state(d) for d in Disposition} == {
        "released",
        "fixed",
        "returned_to_vendor",
        "scrapped",
    }


# Held goods are frozen (no database).

STOCK = StockFacts(quantity=50, warehouse_id=1, batch_id=2)
LINE = LineFacts(status="packed", quantity=1, product_id=3, batch_id=2)


def test_held_stock_keeps_its_quantity_and_place():
    for new in (
        StockFacts(51, 1, 2),
        StockFacts(0, 1, 2),
        StockFacts(50, 9, 2),
        StockFacts(50, 1, 9),
    ):
        assert stock_write_refused(held=True, current=STOCK, new=new)


def test_writing_held_stock_again_unchanged_is_no_change():
    assert not stock_write_refused(held=True, current=STOCK, new=StockFacts(50, 1, 2))


def test_stock_nobody_holds_is_free_to_change():
    assert not stock_write_refused(held=False, current=STOCK, new=StockFacts(999, 1, 2))


def test_a_held_line_keeps_its_status_quantity_product_and_batch():
    for new in (
        LineFacts("shipped", 1, 3, 2),
        LineFacts("packed", 2, 3, 2),
        LineFacts("packed", 1, 4, 2),
        LineFacts("packed", 1, 3, None),
    ):
        assert line_write_refused(held=True, current=LINE, new=new)
    assert not line_write_refused(held=True, current=LINE, new=LINE)
    assert not line_write_refused(held=False, current=LINE, new=LineFacts("shipped", 9, 4, None))
