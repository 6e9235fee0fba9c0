"""Who may open a console page, decided by the people domain's rules. Services check roles
again on every write: a page check only keeps people out of screens they cannot use."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from andon.people.rules import Roles
from andon.people.selectors import roles_of


def roles(request: HttpRequest) -> Roles:
    # One read per request: nav, page checks and templates all ask. Kept in the request's
    # environ under a namespaced key (the WSGI way to carry per-request state), not as an
    # attribute HttpRequest does not declare.
    if "andon.roles" not in request.META:
        request.META["andon.roles"] = roles_of(request.user)
    return request.META["andon.roles"]


def require(predicate: Callable[[Roles], bool]) -> Callable:
    """Signed in, and the role predicate holds; otherwise 403."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if not predicate(roles(request)):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
