"""Idempotency-Key on every POST and PATCH of the API.

The key is claimed by inserting a row under a unique (user, key) constraint in the same
transaction as the request's own writes: a retry that arrives after the commit replays the
stored answer; one that races the first waits on the unique index and then replays it; a
request that fails (4xx/5xx) rolls its claim back with everything else, so that a corrected
retry with the same key is judged afresh. Reusing a key for a different request is a 422.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from andon.core.models import IdempotencyRecord

from .auth import bearer_of, user_for_token
from .problems import problem_response

HEADER = "Idempotency-Key"
KEY_MAX = 200
METHODS = frozenset({"POST", "PATCH"})


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if key is None or request.method not in METHODS or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not key or len(key) > KEY_MAX or "\x00" in key:
            return problem_response(
                status=400,
                code="invalid-idempotency-key",
                title=_("Invalid Idempotency-Key"),
                detail=_(
                    "The Idempotency-Key header must be 1 to %(max)d characters, none of them NUL."
                )
                % {"max": KEY_MAX},
                field=HEADER,
            )
        raw = bearer_of(request)
        user = user_for_token(raw) if raw else None
        if user is None:
            return self.get_response(request)  # the API answers 401 itself
        request.META["andon.token_user"] = user  # BearerToken reuses it: one token lookup
        digest = hashlib.sha256(
            request.method.encode() + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        with transaction.atomic():
            record, replay = _claim(user.pk, key, request.method, request.path, digest)
            if replay is not None:
                return replay
            assert record is not None  # _claim answers with a new record or a replay
            response = self.get_response(request)
            if 200 <= response.status_code < 300:
                record.status_code = response.status_code
                record.response_body = response.content
                record.content_type = response.get("Content-Type", "")
                record.save(update_fields=["status_code", "response_body", "content_type"])
            else:
                transaction.set_rollback(True)
            return response


def _claim(
    user_id: int, key: str, method: str, path: str, digest: str
) -> tuple[IdempotencyRecord | None, HttpResponse | None]:
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(
                user_id=user_id,
                key=key,
                method=method,
                path=path,
                request_hash=digest,
            )
            return record, None
    except IntegrityError:
        earlier = IdempotencyRecord.objects.get(user_id=user_id, key=key)
    if earlier.request_hash != digest:
        return None, problem_response(
            status=422,
            code="idempotency-key-reused",
            title=_("Idempotency-Key reused"),
            detail=_("This Idempotency-Key was used for a different request; use a new key."),
            field=HEADER,
        )
    response = HttpResponse(
        bytes(earlier.response_body or b""),
        status=earlier.status_code or 200,
        content_type=earlier.content_type or "application/json",
    )
    response["Idempotent-Replayed"] = "true"
    return None, response
