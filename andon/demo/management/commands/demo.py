"""`andon demo`: the story of SPEC.md and a believable background, ready to click."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from andon.demo import background, loader
from andon.demo.console import story_hint, users_table


class Command(BaseCommand):
    help = (
        "Load the demo data, ready for the story. The book 《看见》 and customers A and B, "
        "users for every role, and a background of products, orders, contacts and past "
        "andons. Does nothing if the demo is already loaded (see --reset)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Empty the WHOLE database first (Django's flush: all data, users and tokens "
            "included), then load the demo.",
        )
        size = parser.add_mutually_exclusive_group()
        size.add_argument(
            "--small", action="store_true", help="A tiny background (for tests and quick looks)."
        )
        size.add_argument(
            "--background",
            type=int,
            metavar="N",
            help="Background orders (default 4000); customers, products and "
            "contacts scale with it.",
        )

    def handle(self, *args, reset: bool, small: bool, background: int | None, **opts):
        started = time.monotonic()
        if reset:
            loader.database_wipe()
            self.stdout.write("database emptied / 数据库已清空")
        elif loader.demo_loaded():
            self.stdout.write(
                self.style.WARNING(
                    "demo already loaded / 演示数据已存在 (andon demo --reset to reload)"
                )
            )
            return
        elif clash := loader.collisions():
            raise CommandError(
                "this database has data the demo would collide with: "
                + ", ".join(clash)
                + ". Use another database, or `andon demo --reset` to empty this one."
            )
        loaded = loader.demo_load(_scale(small, background))
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"demo loaded in {seconds:.1f} s / 演示数据已加载: {loaded.products} products, "
                f"{loaded.customers} customers, {loaded.orders} orders "
                f"({loaded.order_lines} lines), "
                f"{loaded.contacts} contacts, {len(loaded.andons)} past andons"
            )
        )
        self.stdout.write("")
        self.stdout.write(users_table())
        self.stdout.write("")
        self.stdout.write(story_hint())


def _scale(small: bool, orders: int | None) -> background.Scale:
    if small:
        return background.SMALL
    if orders is None:
        return background.FULL
    if orders < 1:
        raise CommandError("--background must be at least 1.")
    full = background.FULL
    return background.Scale(
        products=max(12, full.products * orders // full.orders),
        customers=max(10, full.customers * orders // full.orders),
        orders=orders,
        contacts=max(10, full.contacts * orders // full.orders),
    )
