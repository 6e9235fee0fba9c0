"""`andon serve --workers N`: gunicorn as the production server, N processes on one database.

gunicorn forks the worker processes from a master that restarts any that die. The WSGI
application is loaded once in the master (so a broken configuration fails before any fork)
and no database connection may be open at the fork: each process opens its own.
"""

from __future__ import annotations

import gc
from collections.abc import Callable
from typing import Any

from django.db import connections
from gunicorn.app.base import BaseApplication


def startup_freeze() -> int:
    """Load what the first request would load lazily (every view, the API's routes), then put
    every object alive now out of the cycle collector's reach (`gc.freeze`). Returns how many.

    Why: a full collection walks every tracked object. With Django, the API's schemas and the
    rest loaded that is ~150,000 objects and 40-200 ms on these machines, spent inside
    whichever request happens to trigger it: the served p99. Start-up's objects live as long
    as the process, so walking them finds nothing. Frozen before gunicorn forks, they also
    stay on pages the workers share (the collector would otherwise write to every page)."""
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 (imports the URLconf: views and API routes)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


class _Gunicorn(BaseApplication):
    def __init__(
        self,
        application: Callable[..., Any],
        options: dict[str, Any],
        in_worker: Callable[[], object] | None,
    ) -> None:
        self.application = application
        self.options = options
        self.in_worker = in_worker
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)
        if self.in_worker is not None:
            in_worker = self.in_worker
            self.cfg.set("post_worker_init", lambda _worker: in_worker())

    def load(self) -> Callable[..., Any]:
        return self.application


def serve_processes(
    application: Callable[..., Any],
    *,
    host: str,
    port: int,
    workers: int,
    threads: int,
    in_worker: Callable[[], object] | None = None,
    timeout: int = 60,
) -> None:
    """Serve until SIGTERM/SIGINT; `in_worker` runs in each worker process once it started."""
    connections.close_all()
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        # gthread: each process serves `threads` requests at once, like the single-process serve.
        "worker_class": "gthread",
        # A request longer than this is a stuck worker: gunicorn kills and replaces it.
        "timeout": timeout,
        "graceful_timeout": 20,
        "proc_name": "andon",
        "errorlog": "-",
        # gunicorn 25+ opens a control socket in $HOME by default: two Andons would share it.
        "control_socket_disable": True,
    }
    _Gunicorn(application, options, in_worker).run()
