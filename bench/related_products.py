"""The pull's related products against the size of the catalogue (bench/RESULTS-pull.md).

    .venv/bin/python bench/related_products.py --name andon_related --products 100000 --reps 15

A synthetic catalogue on a scratch PostgreSQL database, in plain tables shaped as the
catalog's (products with two batches each; a printer shared by one product in 500, a
supplier by one in 2,000, batch codes unique to their product), then, alternated, the read of
one product's related products as main made it (its batches, then the other batches with any
of their codes, printers or suppliers: two statements) and as pulls.blast makes it now (one
self-join), without and with the batch indexes of catalog migration 0003. Prints p50 and max
ms per variant over `--reps` products.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import psycopg

ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"

SETUP = """
CREATE TABLE catalog_product (id bigserial PRIMARY KEY, sku varchar(64) UNIQUE);
CREATE TABLE catalog_batch (id bigserial PRIMARY KEY, product_id bigint NOT NULL
    REFERENCES catalog_product, code varchar(64), supplier varchar(200),
    manufacturer varchar(200));
INSERT INTO catalog_product (sku) SELECT 'SKU-' || g FROM generate_series(1, {n}) g;
INSERT INTO catalog_batch (product_id, code, supplier, manufacturer)
    SELECT p.id, 'B' || (p.id * 2 + k), 'pub-' || (p.id % 2000), 'printer-' || (p.id % 500)
    FROM catalog_product p, generate_series(0, 1) k;
CREATE INDEX ON catalog_batch (product_id);
"""
INDEXES = (
    "CREATE INDEX batch_code ON catalog_batch (code);"
    "CREATE INDEX batch_manufacturer ON catalog_batch (manufacturer);"
    "CREATE INDEX batch_supplier ON catalog_batch (supplier);"
)

# pulls.blast._related
NOW = """SELECT p.sku, MIN(CASE WHEN b.code = m.code AND m.code <> '' THEN 0
 WHEN b.manufacturer = m.manufacturer AND m.manufacturer <> '' THEN 1 ELSE 2 END) AS link
 FROM catalog_batch m JOIN catalog_batch b ON b.product_id <> m.product_id
 AND ((b.code = m.code AND m.code <> '') OR (b.manufacturer = m.manufacturer
 AND m.manufacturer <> '') OR (b.supplier = m.supplier AND m.supplier <> ''))
 JOIN catalog_product p ON p.id = b.product_id WHERE m.product_id = %s
 GROUP BY p.sku ORDER BY link, p.sku LIMIT 50"""


def _main_way(cur: psycopg.Cursor, product_id: int) -> None:
    # main cb8a9f2's two statements, as the ORM wrote them (less its quoting).
    cur.execute(
        "SELECT code, manufacturer, supplier FROM catalog_batch WHERE product_id = %s",
        [product_id],
    )
    mine = cur.fetchall()
    codes = [c for c, _, _ in mine if c]
    makers = [m for _, m, _ in mine if m]
    suppliers = [s for _, _, s in mine if s]
    cur.execute(
        "SELECT DISTINCT p.sku, CASE WHEN b.code = ANY(%s) THEN 'batch'"
        " WHEN b.manufacturer = ANY(%s) THEN 'manufacturer' ELSE 'supplier' END"
        " FROM catalog_batch b JOIN catalog_product p ON p.id = b.product_id"
        " WHERE NOT (b.product_id = %s) AND (b.code = ANY(%s) OR b.manufacturer = ANY(%s)"
        " OR b.supplier = ANY(%s)) ORDER BY 1 LIMIT 150",
        [codes, makers, product_id, codes, makers, suppliers],
    )
    cur.fetchall()


def _now_way(cur: psycopg.Cursor, product_id: int) -> None:
    cur.execute(NOW, [product_id])
    cur.fetchall()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--name", default="andon_related")
    p.add_argument("--products", type=int, default=100_000)
    p.add_argument("--reps", type=int, default=15)
    args = p.parse_args(argv)
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {args.name} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {args.name}")
    try:
        url = f"postgres://postgres@127.0.0.1:5432/{args.name}"
        with psycopg.connect(url, autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(SETUP.replace("{n}", str(args.products)).encode())
            cur.execute("ANALYZE")
            for indexed in (False, True):
                if indexed:
                    cur.execute(INDEXES)
                    cur.execute("ANALYZE")
                times: dict[str, list[float]] = {"main (2 statements)": [], "now (1)": []}
                ways = list(zip(times, (_main_way, _now_way), strict=True))
                for i in range(args.reps):
                    product = 1 + (i * 7919) % args.products
                    for label, way in ways if i % 2 == 0 else reversed(ways):
                        start = time.perf_counter()
                        way(cur, product)
                        times[label].append(time.perf_counter() - start)
                for label, t in times.items():
                    print(
                        f"{args.products:,} products, {'with' if indexed else 'without'} the"
                        f" batch indexes, {label}: p50 {statistics.median(t) * 1000:.1f} ms,"
                        f" max {max(t) * 1000:.1f} ms (n={len(t)})"
                    )
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {args.name} WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
