"""The request type of views that only run for a signed-in user.

Django types `request.user` as `User | AnonymousUser`. Behind `login_required` (the console)
or the API's token auth it is always an account, and services take that account as their
actor: annotating such a view's `request` with `AuthenticatedRequest` says so to the type
checker (django-stubs' documented pattern) instead of casting at every call.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django_htmx.middleware import HtmxDetails


class AuthenticatedRequest(HttpRequest):
    user: User
    # Set on every request by django_htmx's middleware (settings.MIDDLEWARE).
    htmx: HtmxDetails
