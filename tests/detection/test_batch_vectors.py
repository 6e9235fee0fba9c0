"""The batch paths' vectors (imports, rebuilds): encoded on the model's threads in parts, in
the contacts' order, each distinct text once, stored vectors reused; the same numbers as one
text encoded alone, as online assignment encodes it."""

from __future__ import annotations

import datetime as dt

import numpy as np

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
