"""No page shows an untranslated string in either language, the catalogues are complete and
compiled, and user text (HTML, script) is shown escaped everywhere."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import pytest
from django.contrib.auth.models import User

from andon.pulls.models import Andon
from andon.pulls.relist import work_order_act
from andon.pulls.services import andon_pull
from andon.workorders.rules import Action
from andon.workorders.services import Step

from ..world import SKU
from .state import resolved, two_contacts, wo
from .text import readable_text

LOCALE = Path(__file__).resolve().parents[2] / "andon" / "locale"
SCRIPT = '<script>alert("x")</script><b>bold</b>'
IMG = "<img src=x onerror=alert(1)>"
# Tokens that read the same in Chinese: product ids and codes the console names.
LATIN_OK = {"ANDON", "WO", "API"}
HAN = re.compile(r"[\u3400-\u9fff]")


def _po_entries(path: Path) -> list[tuple[str, list[str], bool]]:
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n")[1:]:
        fuzzy = "#, fuzzy" in block
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            if line.startswith("#"):
                continue
            m = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d\])?) "(.*)"$', line)
            if m:
                key = m.group(1)
                fields[key] = m.group(2)
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        strs = [v for k, v in fields.items() if k.startswith("msgstr")]
        # A message with a context is stored in the .mo as "context\x04msgid".
        context = fields["msgctxt"] + "\\x04" if "msgctxt" in fields else ""
        entries.append((context + fields.get("msgid", ""), strs, fuzzy))
    return entries


@pytest.mark.parametrize("lang", ["zh_Hans", "en"])
def test_the_catalogues_are_complete_and_compiled(lang):
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = gettext.GNUTranslations((LOCALE / lang / "LC_MESSAGES" / "django.mo").open("rb"))
    entries = _po_entries(po)
    assert len(entries) > 300
    for msgid, strs, fuzzy in entries:
        assert not fuzzy, msgid
        assert strs and all(strs), f"untranslated: {msgid!r}"
        unescaped = msgid.encode().decode("unicode_escape").encode("latin1").decode()
        assert unescaped in mo._catalog or (unescaped, 0) in mo._catalog, (
            f".mo is older than .po: {msgid!r}"
        )
    if lang == "zh_Hans":
        # A Chinese catalogue whose every entry is still English is not a translation.
        # (Punctuation-only patterns such as "%(lines)s（%(units)s）" are translations too.)
        latin_only = [
            m
            for m, s, _ in entries
            if s
            and not HAN.search(s[0])
            and len(m) > 12
            and re.search(r"[A-Za-z]{2,}", re.sub(r"%\(\w+\)[sd]", "", s[0]))
        ]
        assert not latin_only, latin_only


def _story_with_html_everywhere(world) -> int:
    two_contacts(world, text_a=SCRIPT, text_b=IMG)
    andon = andon_pull(actor=world.users["agent2"], sku=SKU, reason="print-defect", note=IMG).andon
    andon_pull(actor=world.users["agent1"], sku=SKU, reason="print-defect", note=SCRIPT)
    resolved(world, findings=SCRIPT)
    v = wo("vendor-management")
    work_order_act(
        actor=world.users["confirmer1"], work_order_id=v.pk, step=Step(Action.REOPEN, reason=SCRIPT)
    )
    return andon.pk


def _pages(andon_id: int) -> list[tuple[str, str]]:
    contact = Andon.objects.get(pk=andon_id).evidence.order_by("id").first()
    return [
        ("agent1", "/agent/?q=cust"),
        ("agent1", "/customers/cust-a/"),
        ("agent1", f"/customers/cust-a/?recorded={contact.pk}"),
        ("agent1", f"/products/{SKU}/"),
        ("agent1", f"/products/{SKU}/?cord=print-defect"),
        ("agent1", "/andons/"),
        ("agent1", f"/andons/{andon_id}/"),
        ("lead2", "/team/"),
        ("vendor1", "/departments/vendor-management/?closed=1"),
        ("warehouse1", "/departments/warehouse-logistics/?closed=1"),
        ("confirmer1", "/confirm/"),
        ("root", "/"),
        ("vendor1", "/confirm/"),
        ("agent1", "/agent/"),
        ("agent1", f"/recovery/contacts/{contact.pk}/"),
        ("lead2", "/reviews/"),
        ("lead2", "/problems/"),
        ("root", "/problems/"),
    ]


def _offenders(html: str, lang: str) -> list[str]:
    texts = readable_text(html)
    if lang == "en":
        return [t for t in texts if HAN.search(t)]
    words = {w for t in texts for w in re.findall(r"[A-Za-z]{2,}", t)}
    return sorted(words - LATIN_OK)


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_no_page_shows_an_untranslated_string(shop, login, client, lang):
    User.objects.create_superuser("root", password="root-pass")
    andon_id = _story_with_html_everywhere(shop)
    pages = _pages(andon_id)
    # Later states: the andon closed and the product relisted.
    for user, url in pages:
        r = login(user, language=lang).get(url)
        assert r.status_code in (200, 403), url
        assert not _offenders(r.content.decode(), lang), (url, _offenders(r.content.decode(), lang))
    r = client.get("/accounts/login/", headers={"accept-language": lang})
    assert not _offenders(r.content.decode(), lang)


@pytest.mark.django_db
def test_user_text_is_shown_escaped_everywhere(shop, login):
    User.objects.create_superuser("root", password="root-pass")
    andon_id = _story_with_html_everywhere(shop)
    seen_escaped = 0
    for user, url in _pages(andon_id):
        html = login(user).get(url).content.decode()
        assert SCRIPT not in html and IMG not in html, url
        assert "<b>bold</b>" not in html and "<img src=x" not in html, url
        seen_escaped += html.count("&lt;script&gt;") + html.count("&lt;img src=x")
    assert seen_escaped >= 10


def _as_read(msgstr: str) -> str:
    """A Chinese msgstr without what is not Chinese prose: placeholders, URLs, code in
    backquotes and the HTTP header a client must send as written."""
    text = re.sub(r"%\(\w+\)[sd]|\{\w+\}|https?://\S*|`[^`]*`", "X", msgstr)
    return text.replace("Authorization: Bearer", "X")


def test_the_chinese_catalogue_uses_full_width_punctuation():
    """Issue 8, point 14: ASCII colons (and commas, semicolons, question and exclamation
    marks, brackets) beside Chinese text. A colon between digits (21:29) is a time."""
    offenders = []
    for msgid, strs, _fuzzy in _po_entries(LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po"):
        for s in strs:
            text = _as_read(s)
            if re.search(r"(?<!\d):|:(?!\d)", text) or re.search(
                r"[\u3400-\u9fff][,;?!(]|[,;?!)][\u3400-\u9fff]", text
            ):
                offenders.append((msgid, s))
    assert not offenders, offenders


def test_templates_put_the_languages_colon_after_a_translated_label():
    """A colon typed in a template after a translated label or value is ASCII in Chinese too:
    `{% translate "Note" %}{% colon %}` gives "：" in Chinese and ": " in English."""
    templates = Path(__file__).resolve().parents[2] / "andon"
    # Inside {% blocktranslate %} a colon is part of the message, which the catalogue translates.
    translated = re.compile(r"\{% blocktranslate.*?\{% endblocktranslate %\}", re.S)
    offenders = [
        f"{path.relative_to(templates)}:{n}: {line.strip()[:80]}"
        for path in sorted(templates.rglob("templates/**/*.html"))
        for n, line in enumerate(
            translated.sub("", path.read_text(encoding="utf-8")).splitlines(), 1
        )
        if re.search(r"(%\}|\}\}|</strong>|</b>):(?!\d)", line)
    ]
    assert not offenders, offenders
