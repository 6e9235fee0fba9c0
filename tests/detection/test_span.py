"""The candidates of many products read together for an import (span.py): the window, the cut
of CANDIDATE_REPORTS a product and MEMBERS_PER_PROBLEM a problem, corrections first, and the
members' order, made with array operations over one unordered read, are each product's own
read (`assign.candidates_of`), row for row and vector for vector."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import numpy as np
import pytest
from django.utils import timezone

from andon.detection import assign, embedding, rules, span
from andon.detection.members import Seed
from andon.detection.models import Assignment, Problem, ProblemState

from .conftest import seed_columns


@pytest.mark.django_db
def test_the_cuts_made_over_one_read_are_each_products_own(catalogue, monkeypatch):
    monkeypatch.setenv("ANDON_DETECTION_MODEL", "off")  # vectors are set below, by hand
    # Small cuts, so that a few reports cross them: both paths read these at call time.
    monkeypatch.setattr(rules, "CANDIDATE_REPORTS", 9)
    monkeypatch.setattr(rules, "MEMBERS_PER_PROBLEM", 3)
    now = timezone.now()
    products = [catalogue.product(f"SP-{i}") for i in range(3)]
    texts = ["第100页没裁开", "cover creased", "缺页 200", "ink smeared"]
    for i in range(16):
        for k, product in enumerate(products):
            # Two reports at the same time on the first product: the contact id decides.
            at = now - dt.timedelta(days=2 * i + k, hours=0 if (k == 0 and i == 3) else i)
            catalogue.report(product, texts[(i + k) % len(texts)], at=at)
            if k == 0 and i == 3:
                catalogue.report(product, texts[1], at=at)
    problems = {
        p.pk: list(Problem.objects.filter(product=p).order_by("pk").values_list("pk", flat=True))
        for p in products
    }
    rows = list(Assignment.objects.select_related("contact").order_by("contact_id"))
    # A stored vector a text (the online read keeps one a text), none on some rows.
    rng = np.random.default_rng(3)
    vectors = {t: rng.standard_normal(embedding.DIM).astype(np.float32) for t in texts}
    monkeypatch.setattr(assign, "_vectors", {})
    for n, a in enumerate(rows):
        a.vector = embedding.to_bytes(vectors[a.contact.text]) if n % 5 else b""
        a.pinned = n % 7 == 0  # corrections rank first, whatever their age
        # Three problems a product, so that the cut of a problem's members is crossed.
        a.problem_id = problems[a.product_id][a.contact_id // 3 % 3]
    Assignment.objects.bulk_update(rows, ["vector", "pinned", "problem"])
    closed = problems[products[1].pk][2]
    Problem.objects.filter(pk=closed).update(state=ProblemState.DISSOLVED)
    ats = {
        products[0].pk: now,
        products[1].pk: now - dt.timedelta(days=9),
        products[2].pk: now - dt.timedelta(days=25),  # its window reaches past the others'
    }
    together = span.candidates_many(ats)
    for pk, at in ats.items():
        alone = assign.candidates_of(product_id=pk, at=at)
        assert alone, pk
        assert seed_columns(together[pk]) == seed_columns(Seed.of(alone)), pk
    # Both cuts were crossed: the product's (9 rows of 16 in the window) and a problem's.
    assert max(Counter(together[products[0].pk].keys).values()) == rules.MEMBERS_PER_PROBLEM


@pytest.mark.django_db
def test_products_without_candidates_have_no_seed(catalogue):
    product = catalogue.product("SP-empty")
    assert span.candidates_many({product.pk: timezone.now()}) == {}


@pytest.mark.django_db
def test_the_online_read_gives_each_members_moment_to_the_microsecond(catalogue, monkeypatch):
    """The online read takes the moment as microseconds since the epoch on PostgreSQL (a
    cheaper load than Django's): the same instant as the ORM's, time zone included."""
    monkeypatch.setenv("ANDON_DETECTION_MODEL", "off")
    now = timezone.now()
    product = catalogue.product("SP-us")
    for k, micro in enumerate((1, 499_999, 999_999)):
        at = now - dt.timedelta(days=k, seconds=k * 7, microseconds=micro)
        catalogue.report(product, f"第{100 + k}页没裁开", at=at)
    read = {
        m.contact_id: m.at
        for c in assign.candidates_of(product_id=product.pk, at=now).values()
        for m in c.members
    }
    stored = dict(Assignment.objects.values_list("contact_id", "reported_at"))
    assert read == stored and len(read) == 3
    assert all(at.utcoffset() == dt.timedelta(0) for at in read.values())
