"""Every row the product keeps, to prove that a refused write wrote nothing at all (not only
that it answered 4xx): take `db_state()` before, refuse, compare after."""

from __future__ import annotations

from django.apps import apps
from django.test import Client

# Not the refused write's doing: a request's bearer token records when it was last used, and
# an Idempotency-Key keeps the answer (the refusal included) to replay it on a retry.
IGNORED = {"core.apitoken", "core.idempotencyrecord"}


def db_state() -> dict[str, list[tuple]]:
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("andon.") or label in IGNORED:
            continue
        state[label] = list(model._default_manager.order_by("pk").values_list())
    return state


def assert_nothing_written(before: dict[str, list[tuple]]) -> None:
    after = db_state()
    changed = [label for label in before if before[label] != after[label]]
    assert not changed, f"written despite the refusal: {changed}"


class RefusalCheckingClient(Client):
    """A console client whose every refused write (a 4xx answer to a POST) also proves that
    nothing was written, in every test that uses it."""

    def request(self, **request):
        write = request.get("REQUEST_METHOD") in ("POST", "PUT", "PATCH", "DELETE")
        before = db_state() if write else None
        response = super().request(**request)
        if before is not None and 400 <= response.status_code < 500:
            assert_nothing_written(before)
        return response
