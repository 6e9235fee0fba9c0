"""The imports bench's parts still work (no timing: speed lives in bench/): an import of its
rows with nothing rejected, and the CPU it reads (this process and, on PostgreSQL, the
backend's from /proc)."""

from __future__ import annotations

import pytest

from bench.imports import _cpu, _django_backend_pid, andon_import, customer_rows, line_rows

pytestmark = pytest.mark.django_db


def test_the_imports_bench_imports_its_rows_and_reads_cpu():
    from andon.integrations.imports import rows_import

    rows_import(
        actor=None, kind="products", rows=[{"sku": "IMPB-0", "title": "书", "price": "39.80"}]
    )
    chunks: list[float] = []
    rate, cpu = andon_import("customers", customer_rows("t", 30), chunks)
    assert rate > 0 and cpu >= 0 and len(chunks) == 1
    rate, cpu = andon_import("orders", line_rows("t", 20, ["t-c0", "t-c1"], ["IMPB-0"]), [])
    assert rate > 0 and cpu >= 0
    assert _cpu(_django_backend_pid()) > 0
