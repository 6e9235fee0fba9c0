"""Login throttling (django-axes) through the real sign-in views: console and admin.

The suite turns the throttle off (tests/conftest.py); these tests turn it back on and prove
that the product settings have it on.
"""

from __future__ import annotations

import importlib
import re

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from andon.core.login_throttle import client_ip

WRONG = {"username": "agent1", "password": "not-the-password"}


@pytest.fixture
def throttled(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 10


@pytest.fixture
def agent(db) -> User:
    return User.objects.create_user("agent1", password="andon-demo")


@pytest.fixture
def admin(db) -> User:
    return User.objects.create_superuser("root", password="andon-demo")


def test_the_product_settings_have_the_throttle_on():
    product = importlib.import_module("andon.config.settings")
    assert product.AXES_ENABLED is True
    assert 1 <= product.AXES_FAILURE_LIMIT <= 20
    assert product.AXES_COOLOFF_TIME.total_seconds() >= 60
    assert "andon.config.apps.LoginThrottleConfig" in product.INSTALLED_APPS
    assert product.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"
    assert product.MIDDLEWARE[-1] == "axes.middleware.AxesMiddleware"


@pytest.mark.django_db
def test_100_wrong_passwords_on_the_console_sign_in_do_not_all_get_200(throttled, agent):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    codes = [client.post("/accounts/login/", WRONG).status_code for _ in range(100)]
    # The form is shown again for the first mistakes, then the pair is locked.
    assert codes[:9] == [200] * 9
    assert set(codes[9:]) == {429}, codes
    # Locked means locked: the right password no longer signs in from here either.
    locked = client.post("/accounts/login/", {"username": "agent1", "password": "andon-demo"})
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    text = locked.content.decode()
    assert "Too many wrong passwords" in text and "15 minutes" in text
    assert AccessAttempt.objects.get(username="agent1").failures_since_start >= 100


@pytest.mark.django_db
def test_the_lockout_page_speaks_chinese(throttled, agent):
    client = Client()  # no Accept-Language: the console's default, zh-hans
    for _ in range(10):
        response = client.post("/accounts/login/", WRONG)
    assert response.status_code == 429
    assert "密码错误次数过多" in response.content.decode()


@pytest.mark.django_db
def test_100_wrong_passwords_on_the_admin_sign_in_do_not_all_get_200(throttled, admin):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    wrong = {"username": "root", "password": "nope", "next": "/admin/"}
    codes = [client.post("/admin/login/", wrong).status_code for _ in range(100)]
    assert codes.count(200) == 9 and codes.count(429) == 91


@pytest.mark.django_db
def test_a_lockout_holds_one_user_name_from_one_address_only(throttled, agent):
    User.objects.create_user("agent2", password="andon-demo")
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(10):
        attacker.post("/accounts/login/", WRONG)
    assert attacker.post("/accounts/login/", WRONG).status_code == 429
    # A colleague behind another address, and another user at the same address, sign in.
    office = Client(REMOTE_ADDR="198.51.100.7")
    ok = office.post("/accounts/login/", {"username": "agent1", "password": "andon-demo"})
    assert ok.status_code == 302
    other = Client(REMOTE_ADDR="203.0.113.9")
    ok = other.post("/accounts/login/", {"username": "agent2", "password": "andon-demo"})
    assert ok.status_code == 302


@pytest.mark.django_db
def test_a_successful_sign_in_forgets_earlier_mistakes(throttled, agent):
    client = Client()
    for _ in range(9):
        assert client.post("/accounts/login/", WRONG).status_code == 200
    right = {"username": "agent1", "password": "andon-demo"}
    assert client.post("/accounts/login/", right).status_code == 302
    client.logout()
    for _ in range(9):
        assert client.post("/accounts/login/", WRONG).status_code == 200


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's word, ignored
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # a forged entry on the left is skipped
        (2, "6.6.6.6, 203.0.113.9, 10.0.0.2", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer hops than proxies: the peer we see
    ],
)
def test_the_client_address_is_read_past_the_trusted_proxies_only(
    settings, proxies, forwarded, expected
):
    settings.ANDON_PROXY_COUNT = proxies
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_the_api_has_no_password_sign_in_and_its_tokens_cannot_be_guessed(client):
    """Nothing to throttle on the API: it takes only bearer tokens of 256 random bits."""
    from andon.core.models import ApiToken

    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert not [p for p in paths if re.search(r"login|password|sign-?in", p, re.I)]
    raws = {ApiToken.new_raw() for _ in range(100)}
    assert len(raws) == 100
    assert all(raw.startswith("andon_") and len(raw) == len("andon_") + 43 for raw in raws)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("zh-hans", ["登录尝试", "登录失败记录", "登录日志", "登录失败日志"]),
        ("en", ["Sign-in attempts", "Access attempts", "Access logs", "Access failures"]),
    ],
)
def test_the_admin_shows_the_attempts_in_the_readers_language(admin, lang, words):
    client = Client(HTTP_ACCEPT_LANGUAGE=lang)
    client.force_login(admin)
    html = client.get("/admin/").content.decode()
    for word in words:
        assert word in html, word
    page = client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
