"""The message after a verdict correction writes its amounts and days as every console page
does (issue 8, point 14: "50.00 CNY" here, "¥50.00" everywhere else), escaping what was typed."""

from __future__ import annotations

import re
from html import unescape

import pytest

from ..reviews.factories import pull

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.mark.parametrize("lang,symbol", [("zh-hans", "¥"), ("en", "CN¥")])
def test_the_correction_message_writes_money_and_days_as_the_console_does(
    client, world, lang, symbol
):
    andon = pull(world, "agent1")
    client.force_login(world.users["lead1"])
    client.cookies["django_language"] = lang
    client.post(f"/reviews/andons/{andon.pk}/", {"verdict": "valid"}, **HX)
    url = f"/reviews/andons/{andon.pk}/correct/"
    back = {"verdict": "invalid", "root_cause": "person", "action": "<b>辅导</b>", "reason": "x"}
    html = client.post(url, back, follow=True).content.decode()
    message = re.search(r'<ul class="messages"[^>]*>(.*?)</ul>', html, re.S).group(1)
    assert "CNY" not in message and " 元" not in message, message
    assert f'<span class="money" translate="no">{symbol}50.00</span>' in message, message
    assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}"', message), "the action's due day"
    assert "&lt;b&gt;辅导&lt;/b&gt;" in message and "<b>辅导</b>" not in message
    again = {"verdict": "valid", "reason": "y"}
    html = client.post(url, again, follow=True).content.decode()
    message = unescape(re.search(r'<ul class="messages"[^>]*>(.*?)</ul>', html, re.S).group(1))
    assert f"{symbol}50.00</span>" in message and "CNY" not in message, message
