"""The `andon` command: Django's management commands under the product's name.

`andon --help` (or `andon`, `andon help`) lists Andon's own commands first, one line each,
then Django's; `andon COMMAND --help` gives a command's options.
"""

from __future__ import annotations

import os
import sys
import textwrap
from collections import defaultdict

# What an operator runs, in the order a deployment meets them; Andon's other commands follow.
FIRST = ("serve", "worker", "migrate", "demo", "import", "token", "prune-deliveries")
# Django's commands an operator of Andon needs, said in Andon's words.
OPERATOR = {
    "migrate": "Create or upgrade the database tables; run it after every upgrade.",
    "createsuperuser": "Create an admin: configuration at /admin/ and every console page.",
    "changepassword": "Set a user's password.",
    "check": "Check the configuration; with --deploy, the production settings too.",
}
WIDTH = 100


def first_sentence(text: str) -> str:
    """A command's help up to its first full stop: the one line the overview shows."""
    text = " ".join((text or "").split())
    end = text.find(". ")
    return text[: end + 1] if end >= 0 else text


def overview() -> str:
    """Andon's commands first, one line each, then Django's, grouped by where they come from."""
    from django.core.management import get_commands, load_command_class

    commands = get_commands()
    ours = [n for n, app in commands.items() if app.startswith("andon.") and n != "makemessages"]
    listed = [n for n in FIRST if n in ours or n in OPERATOR]
    listed += sorted(n for n in ours if n not in listed)
    listed += [n for n in OPERATOR if n not in listed]
    pad = max(len(n) for n in listed) + 2
    lines = [
        "Andon: let the customer's voice stop the line.",
        "",
        "usage: andon COMMAND [options]     andon COMMAND --help shows a command's options",
        "",
        "Andon's commands:",
    ]
    for name in listed:
        summary = OPERATOR.get(name) or first_sentence(
            load_command_class(commands[name], name).help
        )
        line = f"  {name.ljust(pad)}{summary}"
        lines.append(line if len(line) <= WIDTH else line[: WIDTH - 1] + "…")
    groups: dict[str, list[str]] = defaultdict(list)
    for name, app in commands.items():
        if name not in listed:
            group = "andon" if app.startswith("andon.") else app.rpartition(".")[2]
            groups["django" if app == "django.core" else group].append(name)
    lines += ["", "Django's commands (development and maintenance):"]
    for group in sorted(groups):
        lines.append(
            textwrap.fill(
                ", ".join(sorted(groups[group])),
                WIDTH,
                initial_indent=f"  [{group}] ",
                subsequent_indent=" " * (len(group) + 5),
            )
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "andon.config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        _ = settings.INSTALLED_APPS  # loads the settings: production mode may refuse to start
    except ImproperlyConfigured as refused:
        sys.stderr.write(f"andon: {refused}\n")
        raise SystemExit(2) from None
    args = list(sys.argv if argv is None else ["andon", *argv])
    args[0] = "andon"
    if args[1:] in ([], ["-h"], ["--help"], ["help"]):
        import django

        django.setup()
        sys.stdout.write(overview() + "\n")
        return
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
