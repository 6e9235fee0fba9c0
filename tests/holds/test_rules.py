from andon.holds.rules import (
    Disposition,
    Finding,
    final_state,
    most_cautious,
    planned,
    planned_default,
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
