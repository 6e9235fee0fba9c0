"""A pull worker for bench/pull_ab.py: one process of one version of the code, on the bench's
database, pulling the cord on the SKUs it is sent (`andon_pull()`, the service call).

Run as a script with PYTHONPATH set to the checkout under test only (it imports nothing of
bench/, which that checkout may not have). Reads lines from stdin: `pull SKU SIZE` answers
the call's seconds; `count SKU SIZE` answers the statements of one pull; `quit` ends.
"""

from __future__ import annotations

import os
import sys
import time


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "andon.config.settings")
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from andon.pulls.services import andon_pull

    agent = User.objects.get(username=sys.argv[1])
    reason, note, units = sys.argv[2], sys.argv[3], int(sys.argv[4])
    print("ready", flush=True)
    for line in sys.stdin:
        command, *rest = line.split()
        if command == "quit":
            break
        sku, size = rest[0], int(rest[1])
        if command == "count":
            with CaptureQueriesContext(connection) as queries:
                result = andon_pull(actor=agent, sku=sku, reason=reason, note=note)
            answer = str(len(queries.captured_queries))
        else:
            start = time.perf_counter()
            result = andon_pull(actor=agent, sku=sku, reason=reason, note=note)
            answer = repr(time.perf_counter() - start)
        held = result.holds
        if result.joined or held.order_lines != size or held.stock_units != units:
            answer = f"error joined={result.joined} {held}"
        print(answer, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
