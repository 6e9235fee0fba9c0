"""ARCHITECTURE.md "One idiom for one thing": every console view lives in andon/web, is
guarded by `require(rule)` over a rule of the people domain, and reads through selectors."""

from __future__ import annotations

import ast
from pathlib import Path

from django.urls import URLPattern, URLResolver, get_resolver

import andon
from andon.people import rules as people_rules

ANDON = Path(andon.__file__).resolve().parent
# Public on purpose: the load balancer's probe.
PUBLIC = {"andon.web.views.home.healthz"}


def _views(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            yield from _views(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            yield prefix + str(p.pattern), p.callback


def _console_views():
    return [
        (route, view)
        for route, view in _views(get_resolver().url_patterns)
        if not route.startswith(("api/", "admin/", "i18n/", "accounts/"))
    ]


def test_every_console_page_is_served_by_a_view_in_web():
    outside = [
        (route, view.__module__)
        for route, view in _console_views()
        if not view.__module__.startswith("andon.web.views.")
    ]
    assert not outside, outside
    for app in ("reviews", "recovery", "incentives", "pulls", "contacts", "workorders"):
        assert not (ANDON / app / "views.py").exists(), app
        assert not (ANDON / app / "templates").exists(), app


def test_every_console_view_is_guarded_by_a_people_rule():
    rules = {f for name, f in vars(people_rules).items() if name.startswith(("may_", "signed_"))}
    for route, view in _console_views():
        name = f"{view.__module__}.{view.__name__}"
        if name in PUBLIC:
            continue
        rule = getattr(view, "andon_rule", None)
        assert rule is not None, f"{route} ({name}) is not wrapped in require(rule)"
        assert rule in rules, f"{route} ({name}): {rule} is not a rule of andon.people.rules"


def test_console_views_read_through_selectors_not_models():
    offenders = []
    for path in sorted((ANDON / "web" / "views").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr == "objects":
                offenders.append(f"{path.name}:{node.lineno}")
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith(
                "django.contrib.auth.models"
            ):
                offenders.append(f"{path.name}:{node.lineno} imports the User model")
    assert not offenders, offenders


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found += [(node.lineno, node.module)]
            found += [(node.lineno, f"{node.module}.{a.name}") for a in node.names]
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def test_no_module_of_the_console_imports_a_domains_models():
    """The web side of the import contract "interfaces-read-selectors" (pyproject), kept by
    this test while the API side is still being moved: the console reads through selectors
    and names the domain's vocabulary from its `choices` module, never from `models`."""
    offenders = [
        f"{path.relative_to(ANDON)}:{line} {module}"
        for path in sorted((ANDON / "web").rglob("*.py"))
        for line, module in _imported_modules(path)
        if module.startswith("andon.") and (module.endswith(".models") or ".models." in module)
    ]
    assert not offenders, offenders
