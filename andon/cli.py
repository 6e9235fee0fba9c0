"""The `andon` command: Django's management commands under the product's name.

`andon serve`, `andon migrate`, `andon demo`, `andon token create USERNAME`, and every other
management command (`andon help` lists them).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "andon.config.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["andon", *argv])
    args[0] = "andon"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
