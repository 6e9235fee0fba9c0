"""The demo's membership: six months of members from every source (some from the recovery
gesture), history made by the real tick, and one launch plan mid-way, so that the member
figures and the launch page have data."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from andon.demo.people import PASSWORD
from andon.membership.days import SETTLE, days_refresh
from andon.membership.models import MemberDay, Membership, MembershipChange
from andon.membership.selectors import launch_get, launch_progress, member_kpis
from andon.orders.models import Customer, Order

from ..demo.conftest import run_demo

pytestmark = pytest.mark.slow


@pytest.mark.django_db
def test_the_demo_has_members_with_history_and_a_launch_mid_way(client):
    run_demo()
    assert Membership.objects.count() >= 50
    sources = set(Membership.objects.values_list("source", flat=True))
    assert {"storefront", "campaign"} <= sources
    changes = set(MembershipChange.objects.values_list("change", flat=True))
    assert {"started", "converted", "renewed", "cancelled", "expired"} <= changes
    launch = launch_get(code="annual-east-china")
    progress = launch_progress(launch, now=timezone.now())
    assert [p.due for p in progress] == [True, False, False]
    assert client.login(username="lead1", password=PASSWORD)
    page = client.get("/membership/launches/annual-east-china/")
    assert page.status_code == 200 and "kpi-status" in page.content.decode()
    # Twice adds nothing.
    before = Membership.objects.count()
    run_demo()
    assert Membership.objects.count() == before


@pytest.mark.django_db
def test_member_days_equal_a_recount_after_the_demo_on_a_database_already_summed():
    """A database whose member days were summed, its rows since removed (so nothing collides
    with the demo and it loads), holds a summary of every day since: the demo's orders land on
    those days, and the member figures still equal a recount from the rows."""
    now = timezone.now()
    gone = Customer.objects.create(external_id="gone-1", name="Gone")
    Order.objects.create(external_id="gone-o1", customer=gone, placed_at=now - dt.timedelta(400))
    assert days_refresh(now=now) >= 399
    # Removed without the writers' marks (a shell, a script): the summaries stay, fresh.
    Order.objects.all().delete()
    Customer.objects.all().delete()
    fresh = MemberDay.objects.filter(stale=False)
    # Every day ended SETTLE ago is summed: in the first hour after local midnight that is
    # the day before yesterday (CI failed at 00:40 in Shanghai counting from today).
    settled = timezone.localdate(now - SETTLE)
    since = settled - dt.timedelta(days=30)
    assert fresh.filter(day__gte=since, day__lt=settled).count() == 30
    run_demo()
    assert Order.objects.filter(placed_at__gte=now - dt.timedelta(days=30)).exists()
    periods = [(now - dt.timedelta(days=d), now) for d in (7, 30, 90, 180, 420)]
    with_days = [member_kpis(since=a, until=b) for a, b in periods]
    assert MemberDay.objects.filter(stale=False).exists()  # the figures read summaries
    with transaction.atomic():
        MemberDay.objects.all().delete()
        recount = [member_kpis(since=a, until=b) for a, b in periods]
        transaction.set_rollback(True)
    assert with_days == recount
