"""The console pages of reviews, bonuses and recovery, through Django's test client."""

from __future__ import annotations

import pytest
from django.utils import timezone

from andon.incentives.models import BonusCredit
from andon.recovery.models import RecoveryGiven
from andon.recovery.services import catalogue_ensure_defaults
from andon.reviews.models import PullReview

from .factories import pull, reported_product

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def signed_in(client, world, name: str):
    client.force_login(world.users[name])
    client.cookies["django_language"] = "en"
    return client


def test_a_lead_reviews_from_the_queue_with_htmx(client, world):
    andon = pull(world, "agent1")
    c = signed_in(client, world, "lead1")
    page = c.get("/reviews/")
    assert page.status_code == 200 and f"ANDON-{andon.pk}".encode() in page.content
    bad = c.post(
        f"/reviews/andons/{andon.pk}/", {"verdict": "invalid", "root_cause": "training"}, **HX
    )
    assert bad.status_code == 422 and b"corrective action" in bad.content
    ok = c.post(f"/reviews/andons/{andon.pk}/", {"verdict": "valid"}, **HX)
    assert ok.status_code == 200 and b"50.00" in ok.content
    assert PullReview.objects.get().verdict == "valid" and BonusCredit.objects.count() == 1


def test_pages_answer_in_both_languages_and_keep_agents_out(client, world):
    andon = pull(world, "agent1")
    c = signed_in(client, world, "lead1")
    c.post(
        f"/reviews/andons/{andon.pk}/",
        {"verdict": "invalid", "root_cause": "training", "action": "培训"},
    )
    week = timezone.localdate().isoformat()
    for lang, word in [("en", b"Bad-andon rate"), ("zh-hans", "不良按灯率".encode())]:
        c.cookies["django_language"] = lang
        for url in [
            "/reviews/kpis/",
            "/reviews/kpis/?period=month&by=team",
            f"/reviews/kpis/drill/?start={week}&by=team_lead&key=lead1",
            "/reviews/actions/",
            f"/reviews/monday/?week={week}",
            f"/reviews/monday/?week={week}&lead=lead1",
            "/bonuses/statement/?agent=agent1",
        ]:
            r = c.get(url)
            assert r.status_code == 200, url
        assert word in c.get("/reviews/kpis/").content
    signed_in(client, world, "agent1")
    assert client.get("/reviews/kpis/").status_code == 403
    assert client.get("/reviews/monday/").status_code == 403
    assert client.get("/bonuses/statement/?agent=agent2").status_code == 403
    assert client.get("/bonuses/statement/").status_code == 200


def test_statement_exports(client, world):
    c = signed_in(client, world, "lead1")
    andon = pull(world, "agent1")
    c.post(f"/reviews/andons/{andon.pk}/", {"verdict": "valid"})
    month = timezone.localdate().strftime("%Y-%m")
    csv = c.get(f"/bonuses/statement.csv?agent=agent1&month={month}")
    assert csv.status_code == 200 and b"50.00" in csv.content
    xlsx = c.get(f"/bonuses/statement.xlsx?agent=agent1&month={month}")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_the_recovery_fragment_gives_in_one_click(client, world):
    catalogue_ensure_defaults()
    _, [contact, _] = reported_product(agent=world.users["agent1"])
    c = signed_in(client, world, "agent1")
    form = c.get(f"/recovery/contacts/{contact.pk}/", **HX)
    assert form.status_code == 200 and b"Courier checks the item before delivery" in form.content
    assert b"<html" not in form.content
    r = c.post(f"/recovery/contacts/{contact.pk}/", {"action": "coupon-5", "cost": ""}, **HX)
    assert r.status_code == 200 and RecoveryGiven.objects.count() == 1
    r = c.post(f"/recovery/contacts/{contact.pk}/", {"action": "coupon-5", "cost": "80"}, **HX)
    assert r.status_code == 422 and RecoveryGiven.objects.count() == 1
    r = c.post(f"/recovery/contacts/{contact.pk}/", {"action": "coupon-5", "cost": "abc"}, **HX)
    assert r.status_code == 422
    assert c.get(f"/recovery/contacts/{contact.pk}/").status_code == 200


def test_without_javascript_a_refused_review_shows_the_queue_with_the_form_as_sent(client, world):
    andon = pull(world, "agent1")
    c = signed_in(client, world, "lead1")
    r = c.post(f"/reviews/andons/{andon.pk}/", {"verdict": "invalid", "action": "培训"})
    assert r.status_code == 422
    html = r.content.decode()
    assert "An invalid pull needs a root cause." in html
    assert f'value="invalid" id="rv{andon.pk}-verdict_1" checked' in html
    assert f'value="valid" id="rv{andon.pk}-verdict_0">' in html  # not checked
    assert 'name="action" value="培训"' in html
    assert not PullReview.objects.exists() and not BonusCredit.objects.exists()


def test_the_correction_page_is_for_the_reviewer_or_an_admin(client, world):
    andon = pull(world, "agent1")
    c = signed_in(client, world, "lead1")
    assert c.get(f"/reviews/andons/{andon.pk}/correct/").status_code == 404  # not reviewed
    c.post(f"/reviews/andons/{andon.pk}/", {"verdict": "valid"}, **HX)
    page = c.get(f"/reviews/andons/{andon.pk}/correct/")
    assert page.status_code == 200 and b"checked" not in page.content
    other = signed_in(client.__class__(), world, "lead2")
    assert other.get(f"/reviews/andons/{andon.pk}/correct/").status_code == 403
    r = other.post(f"/reviews/andons/{andon.pk}/correct/", {"verdict": "invalid", "reason": "x"})
    assert r.status_code == 403 and PullReview.objects.get().verdict == "valid"
    # Refused for a missing reason: 422, the choice kept, nothing written.
    r = c.post(
        f"/reviews/andons/{andon.pk}/correct/",
        {"verdict": "invalid", "root_cause": "person", "action": "辅导"},
    )
    assert r.status_code == 422 and b"Say why the verdict is corrected." in r.content
    assert b'value="invalid" id="id_verdict_1" checked' in r.content
    assert PullReview.objects.get().verdict == "valid" and BonusCredit.objects.count() == 1
    r = c.post(
        f"/reviews/andons/{andon.pk}/correct/",
        {"verdict": "invalid", "root_cause": "person", "action": "辅导", "reason": "重复投诉"},
        follow=True,
    )
    assert r.status_code == 200 and b"Verdict corrected to" in r.content
    assert PullReview.objects.get().verdict == "invalid"
    assert BonusCredit.objects.filter(kind="reversal").count() == 1
