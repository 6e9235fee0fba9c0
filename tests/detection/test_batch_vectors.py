"""The batch paths' vectors (imports, rebuilds): encoded in parts, in the contacts' order (in
the encoding processes for many texts, on the model's threads for a few), each distinct text
once, stored vectors reused; the same numbers as one text encoded alone, as online assignment
encodes it, and as the threads encode a part."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import Future

import numpy as np
import pytest

from andon.detection import embedding
from andon.detection.assign import Incoming
from andon.detection.batch import vectors_for


def _item(i: int, text: str) -> Incoming:
    at = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=i)
    return Incoming(i, 1, i, 1, at, text)


def test_batch_vectors_match_one_text_alone_across_parts(model):
    texts = [f"第{i}页没有裁开 pages stuck {i}" for i in range(embedding.BATCH_PART + 40)]
    items = [_item(i, t) for i, t in enumerate(texts)]
    items.append(_item(len(items), texts[3]))  # a repeated text: encoded once, the same vector
    items.append(_item(len(items), "   "))  # no text: no vector
    stored = embedding.to_bytes(np.ones(embedding.DIM, dtype=np.float32))
    items.append(_item(len(items), "stored already"))
    got = vectors_for(items, {items[-1].contact_id: stored})
    for i in (0, embedding.BATCH_PART - 1, embedding.BATCH_PART, len(texts) - 1):
        alone = embedding.as_stored(embedding.vectors([texts[i]], wait=True))
        assert alone is not None and alone[0] is not None
        v = got.get(i)
        assert v is not None and np.allclose(v, alone[0], atol=2e-3)
    again = got.get(len(texts))
    assert again is not None and np.array_equal(again, got.get(3))  # type: ignore[arg-type]
    assert got.get(len(texts) + 1) is None
    reused = got.get(len(texts) + 2)
    assert reused is not None and np.isclose(float(np.linalg.norm(reused)), 1.0, atol=1e-3)


def test_without_the_model_the_batch_vectors_are_none(monkeypatch):
    monkeypatch.setenv("ANDON_DETECTION_MODEL", "off")
    got = vectors_for([_item(1, "cover creased")])
    assert got.get(1) is None


@pytest.fixture
def one_process(monkeypatch):
    """The encoding processes for any batch (one, to keep the test short), stopped after."""
    embedding.batch_stop()
    monkeypatch.setattr(embedding, "BATCH_PROCESSES", 1)
    monkeypatch.setattr(embedding, "PROCESS_MIN", 1)
    yield
    embedding.batch_stop()


def test_the_encoding_processes_give_the_threads_vectors_to_the_last_bit(model, one_process):
    texts = [f"第{i}页没有裁开 pages stuck {i}" for i in range(embedding.BATCH_PART + 9)]
    assert embedding.batch_warm_up(len(texts))
    in_processes = embedding.Pending(texts)
    assert in_processes.in_processes
    for i in (0, 1, embedding.BATCH_PART - 1, embedding.BATCH_PART, len(texts) - 1):
        start = i - i % embedding.BATCH_PART  # a part is encoded as one call, here as there
        here = embedding.as_stored(
            embedding.vectors(texts[start : start + embedding.BATCH_PART], wait=True)
        )
        assert here is not None
        got, want = in_processes.get(i), here[i - start]
        assert got is not None and want is not None
        assert got.tobytes() == want.tobytes()


def test_idle_encoding_processes_stop_and_start_again(model, one_process, monkeypatch):
    monkeypatch.setattr(embedding, "BATCH_IDLE", 0.5)
    texts = [f"漏水 leaks {i}" for i in range(5)]
    first = embedding.Pending(texts)
    assert first.in_processes and first.get(4) is not None
    deadline = time.monotonic() + 30
    while embedding._procs is not None and time.monotonic() < deadline:
        time.sleep(0.1)
    assert embedding._procs is None, "idle processes kept their models"
    again = embedding.Pending(texts)  # the next batch starts them again
    assert again.in_processes
    assert again.get(4).tobytes() == first.get(4).tobytes()


class _Failing:
    """A pool whose work fails, as when an encoding process dies."""

    def submit(self, fn, *args):
        future: Future = Future()
        future.set_exception(RuntimeError("the process died"))
        return future


def test_a_part_the_processes_failed_is_encoded_here(model, monkeypatch):
    monkeypatch.setattr(embedding, "PROCESS_MIN", 1)
    monkeypatch.setattr(embedding, "_processes", lambda: _Failing())
    pending = embedding.Pending(["cover creased", "第100页没裁开"])
    alone = embedding.as_stored(embedding.vectors(["cover creased", "第100页没裁开"], wait=True))
    assert alone is not None
    for i in (0, 1):
        got = pending.get(i)
        assert got is not None and got.tobytes() == alone[i].tobytes()  # type: ignore[union-attr]


def test_small_batches_and_a_switched_off_model_start_no_process(monkeypatch):
    assert not embedding.batch_warm_up(embedding.PROCESS_MIN - 1)
    monkeypatch.setenv("ANDON_DETECTION_MODEL", "off")
    assert not embedding.batch_warm_up(10 * embedding.PROCESS_MIN)


class _Refusing:
    """A pool that takes no more work, as one whose process died before."""

    def submit(self, fn, *args):
        raise RuntimeError("a process of the pool died")


def test_a_pool_that_refuses_work_hands_the_batch_to_the_threads(model, monkeypatch):
    monkeypatch.setattr(embedding, "PROCESS_MIN", 1)
    monkeypatch.setattr(embedding, "_processes", lambda: _Refusing())
    pending = embedding.Pending(["cover creased"])
    alone = embedding.as_stored(embedding.vectors(["cover creased"], wait=True))
    assert alone is not None and not pending.in_processes
    got = pending.get(0)
    assert got is not None and got.tobytes() == alone[0].tobytes()  # type: ignore[union-attr]
