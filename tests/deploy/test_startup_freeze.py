"""`andon serve` freezes start-up's objects before it serves (core.processes.startup_freeze):
a full collection in a request then walks only what requests made, not Django's and the
API's ~150,000 long-lived objects (40-200 ms a full collection on these machines)."""

from __future__ import annotations

import gc

from andon.core.processes import startup_freeze


def test_start_up_objects_are_frozen_out_of_the_collectors_walk():
    try:
        frozen = startup_freeze()
        # The URLconf is loaded: every view and the API's routes are among the frozen.
        assert frozen > 50_000
        assert gc.get_freeze_count() == frozen
        # What a full collection walks now (the generations, not the permanent one): the
        # objects made since, a small part of what it walked before.
        assert len(gc.get_objects()) < frozen / 4
    finally:
        gc.unfreeze()
