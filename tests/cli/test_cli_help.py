"""`andon --help` as an operator reads it (issue 8, point 15): Andon's commands first with one
line each, every option explained, the import's columns listed, and a non-zero exit status
when an import rejected rows."""

from __future__ import annotations

import argparse
import csv
import importlib
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

from andon.cli import main
from andon.integrations.import_rows import ROWS

IMPORT = importlib.import_module("andon.integrations.management.commands.import")
ANDON = str(Path(sys.executable).with_name("andon"))
PRODUCT = ["serve", "worker", "migrate", "demo", "import", "token", "prune-deliveries"]


def _ours() -> list[str]:
    return [n for n, app in get_commands().items() if app.startswith("andon.")]


@pytest.mark.parametrize("argv", [["--help"], ["-h"], ["help"], []])
def test_andon_help_lists_the_products_commands_first_one_line_each(argv, capsys):
    main(argv)
    out = capsys.readouterr().out
    ours, django = out.split("Andon's commands:\n")[1].split("Django's commands")
    rows = [line for line in ours.splitlines() if line.strip()]
    names = [line.split()[0] for line in rows]
    assert names[: len(PRODUCT)] == PRODUCT
    assert set(_ours()) - {"makemessages"} <= set(names), "every command of Andon's apps"
    for line in rows:
        assert len(line) <= 100 and line.rstrip().endswith("."), line
        assert len(line.split(None, 1)) == 2, f"{line!r} says what it does"
    assert "dbshell" in django and "dbshell" not in ours
    assert out.index("serve") < out.index("dbshell")


def test_the_installed_andon_command_prints_the_same_overview():
    out = subprocess.run([ANDON, "--help"], capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0].startswith("Andon")
    assert "Andon's commands:" in out and out.index("  serve ") < out.index("Django's commands")


def _actions(parser: argparse.ArgumentParser):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            yield action
            for sub in action.choices.values():
                yield from _actions(sub)
        else:
            yield action


@pytest.mark.parametrize("name", sorted(set(_ours()) - {"makemessages"}))
def test_every_option_of_andons_commands_has_help(name):
    command = load_command_class(get_commands()[name], name)
    parser = command.create_parser("andon", name)
    missing = [
        "/".join(a.option_strings) or a.dest
        for a in _actions(parser)
        if not a.help or a.help == argparse.SUPPRESS
    ]
    assert not missing, f"andon {name}: {missing} without help"
    assert command.help and command.help.strip().endswith(".")


def test_andon_import_help_lists_each_kinds_columns():
    out = subprocess.run(
        [ANDON, "import", "--help"],
        capture_output=True,
        text=True,
        check=True,
        env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"},
    ).stdout
    table = out.split("columns of each kind")[1].split("\n\n")[0]
    for kind, shape in ROWS.items():
        # A kind's row, with its continuation lines (indented deeper than the kind names).
        row = table.split(f"\n  {kind} ")[1].split("\n  ")[0]
        row += "".join(
            part for part in table.split(f"\n  {kind} ")[1].split("\n")[1:] if part[:3] == " " * 3
        )
        for column, field in shape.model_fields.items():
            marked = f"{column}*" if field.is_required() else column
            assert marked in row, (kind, marked)
    assert "placed|packed|shipped|delivered|returned" in table
    assert f"exit status: 0 every row imported; {IMPORT.REJECTED_EXIT} some rows rejected" in out


def test_andon_import_exits_non_zero_when_rows_were_rejected(tmp_path):
    """The installed command on a fresh database: a cron job or a script sees the status."""
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": f"sqlite:///{tmp_path / 'andon.sqlite3'}"}
    subprocess.run([ANDON, "migrate", "--verbosity", "0"], env=env, check=True, cwd=tmp_path)

    def run(name: str, rows: list[list[str]]) -> subprocess.CompletedProcess:
        path = tmp_path / name
        with path.open("w", newline="", encoding="utf-8") as f:
            csv.writer(f).writerows([["code", "name"], *rows])
        return subprocess.run(
            [ANDON, "import", "warehouses", str(path), "--no-progress"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
        )

    bad = run("bad.csv", [["wh-sh", "上海仓"], ["not a code!", "北京仓"]])
    assert bad.returncode == IMPORT.REJECTED_EXIT, bad.stderr
    assert "1 created, 0 updated, 0 unchanged, 1 rejected" in bad.stdout
    assert "1 of 2 rows rejected" in bad.stderr
    assert (tmp_path / "bad.csv.rejects.csv").exists()
    good = run("good.csv", [["wh-sh", "上海仓"]])
    assert good.returncode == 0 and "0 rejected" in good.stdout
