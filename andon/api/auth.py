from __future__ import annotations

from django.contrib.auth.models import User
from django.http import HttpRequest
from ninja.security import HttpBearer

from andon.people.selectors import token_user


def user_for_token(raw: str) -> User | None:
    """The token's user, with the roles its request checks already read (one statement)."""
    return token_user(raw)


def bearer_of(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = request.META.get("andon.token_user") or user_for_token(token)
        if user is not None:
            request.user = user
        return user
