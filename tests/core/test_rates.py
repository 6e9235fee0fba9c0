"""The one rounding of rates (andon.core.rates), one test per sentence of its docstring, and
the promise that a shown rate never contradicts its status beside the target."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation

from andon.core.rates import rate_percent, rate_text, target_text
from andon.reviews import rules


def test_a_rate_is_rounded_half_up_never_truncated():
    assert rate_text(rules.bad_andon_rate(26, 2)) == "7.7%"  # 0.0769..., truncation said 7.6
    assert rate_text(Decimal(2) / Decimal(26)) == "7.7%"
    assert rate_text(Decimal("0.0765")) == "7.7%"  # half up
    assert rate_text(Decimal("0.0764")) == "7.6%"
    assert rate_percent(Decimal("0.0769")) == Decimal("7.7")


def test_beside_a_target_it_shows_the_places_it_takes_to_tell_them_apart():
    target = Decimal("0.02")
    assert rate_text(Decimal("0.0204"), against=target) == "2.04%"
    assert rate_text(Decimal("0.0196"), against=target) == "1.96%"
    assert rate_text(Decimal("0.0200"), against=target) == "2.0%"
    assert rate_text(Decimal("0.0769"), against=target) == "7.7%"
    # A target with two places: equal reads equal, a hair above reads above.
    assert rate_text(Decimal("0.0125"), against=Decimal("0.0125")) == "1.25%"
    assert rate_text(Decimal("0.0126"), against=Decimal("0.0125")) == "1.3%"


def test_a_target_is_shown_as_configured():
    assert target_text(Decimal("0.02")) == "2.0%"
    assert target_text(Decimal("0.0125")) == "1.25%"
    assert target_text(Decimal("0")) == "0.0%"


def test_no_rate_is_a_dash_not_zero():
    assert rate_text(None) == "—" and rate_percent(None) is None


@pytest.mark.parametrize("target", ["0.02", "0.0125", "0.05", "0.1", "0"])
def test_the_shown_rate_never_contradicts_its_status(target):
    """Every rate of up to 300 reviewed pulls: "above target" exactly when the shown number is
    above the target as shown, "on target" exactly when it is not."""
    t = Decimal(target)
    for reviewed in range(1, 301):
        for invalid in range(0, min(reviewed, 40) + 1):
            rate = rules.bad_andon_rate(reviewed, invalid)
            shown = rate_percent(rate, against=t)
            above = shown > t * 100
            assert above == (rules.status(rate, t) == "red"), (reviewed, invalid, shown)


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_both_languages_read_the_same_number(lang):
    with translation.override(lang):
        assert rate_text(Decimal("0.0769"), against=Decimal("0.02")) == "7.7%"
