"""Who may open a console page, decided by the people domain's rules. Services check roles
again on every write: a page check only keeps people out of screens they cannot use.

Every console view is wrapped in `require(rule)`, the one idiom (a test walks the URLs and
fails on a view without it): `require(people_rules.may_pull)`, or with arguments taken from
the URL, `require(people_rules.may_work_on, "code")`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from andon.people.rules import Roles
from andon.people.selectors import roles_of

View = Callable[..., HttpResponse]


def roles(request: HttpRequest) -> Roles:
    # One read per request: nav, page checks and templates all ask. Kept in the request's
    # environ under a namespaced key (the WSGI way to carry per-request state), not as an
    # attribute HttpRequest does not declare.
    if "andon.roles" not in request.META:
        request.META["andon.roles"] = roles_of(request.user)
    return request.META["andon.roles"]


def require(predicate: Callable[..., bool], *url_args: str) -> Callable[[View], View]:
    """Signed in (else the sign-in page), and `predicate(roles, *url values)` holds (else 403).
    `url_args` names the URL's keyword arguments the predicate takes after the roles."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not predicate(roles(request), *(kwargs[a] for a in url_args)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        guarded = login_required(wrapped)
        guarded.andon_rule = predicate  # type: ignore[attr-defined]
        return guarded

    return decorator
