"""The Django admin speaks the person's language too: app and model names (verbose names),
field labels and help texts come from the catalogues, Django's own words from Django's."""

from __future__ import annotations

import re
from html import unescape

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from andon.contacts.models import ReasonCode

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u3400-\u9fff]")
# Django's own words, to show its catalogue is the one in use as well.
DJANGO = {"zh-hans": ("站点管理", "修改 "), "en": ("Site administration", "Change ")}


def t(lang: str, text: str) -> str:
    with translation.override(lang):
        return str(capfirst(_(text)))


def admin_client(lang: str) -> Client:
    User.objects.create_superuser("root", password="root-pass")
    c = Client(headers={"accept-language": lang})
    assert c.login(username="root", password="root-pass")
    return c


def registered_apps() -> dict[str, set]:
    """Each app in the admin with its registered models."""
    out: dict[str, set] = {}
    for model in admin.site._registry:
        out.setdefault(model._meta.app_label, set()).add(model)
    return out


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_admin_index_names_apps_and_models_in_the_language(world, lang):
    html = unescape(admin_client(lang).get("/admin/").content.decode())
    site, _change = DJANGO[lang]
    assert site in html
    assert t(lang, "Service desk") in html and t(lang, "reason codes") in html
    for label, models in registered_apps().items():
        with translation.override(lang):
            names = [str(apps.get_app_config(label).verbose_name)] + [
                str(capfirst(m._meta.verbose_name_plural)) for m in models
            ]
        for name in names:
            assert name in html, (lang, name)
            ours = apps.get_app_config(label).name.startswith(("andon.", "django.contrib."))
            if lang == "zh-hans" and ours:
                assert HAN.search(name), f"untranslated in the admin: {name!r}"
            if lang == "en":
                assert not HAN.search(name), name


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_the_reason_code_change_page_is_in_the_language(world, lang):
    reason = ReasonCode.objects.get(code="print-defect")
    r = admin_client(lang).get(f"/admin/contacts/reasoncode/{reason.pk}/change/")
    assert r.status_code == 200
    html = unescape(r.content.decode())
    _site, change = DJANGO[lang]
    assert (change + t(lang, "reason code")).lower() in html.lower()
    for label in (
        "distinct customers to pull",
        "window (days)",
        "safety-critical",
        "label (Chinese)",
        "label (English)",
        "routing",
    ):
        assert t(lang, label) in html, (lang, label)
    assert _raw(lang, "Safety-critical reasons usually have a threshold of 1.") in html
    assert t(lang, "Service desk") in html  # the breadcrumb names the app


def _raw(lang: str, text: str) -> str:
    with translation.override(lang):
        return _(text)
