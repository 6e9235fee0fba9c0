"""Idempotency-Key on every POST and PATCH of the API.

The key is claimed by inserting a row under a unique (user, key) constraint in the same
transaction as the request's own writes: a retry that arrives after the commit replays the
stored answer; one that races the first waits on the unique index and then replays it; a
request that fails (4xx/5xx) rolls its claim back with everything else, so that a corrected
retry with the same key is judged afresh. Reusing a key for a different request is a 422.

Secrets are not kept: an answer that carries one (a webhook endpoint's signing secret, shown
once) is stored with it blanked (`null`), so a replay answers everything but the secret and
the table never holds a credential. A client that lost the first answer rotates the secret.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from andon.core.services import idempotency_claim, idempotency_store

from .auth import bearer_of, user_for_token
from .problems import problem_response

HEADER = "Idempotency-Key"
KEY_MAX = 200
METHODS = frozenset({"POST", "PATCH"})
# Top-level fields of a JSON answer never written to the idempotency table.
SECRET_FIELDS = frozenset({"secret"})
# Set on a request whose route runs inside the claim's transaction.
_CLAIMED = "andon.idempotency_claimed"


def rolls_back_on_failure(request: HttpRequest) -> bool:
    """True when the route runs inside the claim's transaction, which rolls back every answer
    but a 2xx (a refusal, a crash): a write there needs no savepoint of its own to be undone
    with the request when something after it fails."""
    return bool(request.META.get(_CLAIMED))


def without_secrets(body: bytes, content_type: str) -> bytes:
    """The answer as it may be stored: every secret field blanked (JSON objects only)."""
    if "json" not in content_type:
        return body
    try:
        data = json.loads(body)
    except ValueError:
        return body
    if not isinstance(data, dict) or not SECRET_FIELDS & data.keys():
        return body
    data.update({k: None for k in SECRET_FIELDS & data.keys()})
    return json.dumps(data, ensure_ascii=False).encode()


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
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
        method = request.method or ""
        digest = hashlib.sha256(
            method.encode() + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        with transaction.atomic():
            claim_id, earlier = idempotency_claim(
                user_id=user.pk, key=key, method=method, path=request.path, request_hash=digest
            )
            if earlier is not None:
                if earlier.request_hash != digest:
                    return problem_response(
                        status=422,
                        code="idempotency-key-reused",
                        title=_("Idempotency-Key reused"),
                        detail=_(
                            "This Idempotency-Key was used for a different request; use a new key."
                        ),
                        field=HEADER,
                    )
                replay = HttpResponse(
                    earlier.body, status=earlier.status_code, content_type=earlier.content_type
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            assert claim_id is not None  # a claim or an earlier answer, never neither
            request.META[_CLAIMED] = True
            response = self.get_response(request)
            if not 200 <= response.status_code < 300:
                transaction.set_rollback(True)
            elif isinstance(response, HttpResponse):  # the API never streams a write's answer
                content_type = response.get("Content-Type", "")
                idempotency_store(
                    claim_id=claim_id,
                    status_code=response.status_code,
                    body=without_secrets(response.content, content_type),
                    content_type=content_type,
                )
            return response
