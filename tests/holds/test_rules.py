from andon.holds.rules import Disposition, final_state, most_cautious


def test_the_more_cautious_finding_wins():
    assert most_cautious([Disposition.RELEASE, Disposition.SCRAP]) == Disposition.SCRAP
    assert most_cautious([Disposition.FIX, Disposition.RETURN_TO_VENDOR]) == (
        Disposition.RETURN_TO_VENDOR
    )
    assert most_cautious([]) == Disposition.RELEASE


def test_each_disposition_has_a_final_hold_state():
    assert {final_state(d) for d in Disposition} == {
        "released",
        "fixed",
        "returned_to_vendor",
        "scrapped",
    }
