"""The demo's membership: six months of members from every source (some from the recovery
gesture), history made by the real tick, and one launch plan mid-way, so that the member
figures and the launch page have data."""

from __future__ import annotations

import pytest
from django.utils import timezone

from andon.demo.people import PASSWORD
from andon.membership.models import Membership, MembershipChange
from andon.membership.selectors import launch_get, launch_progress

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
