"""What the numbers were measured on, and writing them into bench/RESULTS.md.

RESULTS.md keeps one section per database; a run replaces only the sections of the
databases it ran, so that `--db sqlite` and `--db postgres` can be recorded separately.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import time
from importlib.metadata import version
from pathlib import Path

import django
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"

HEADER = """# Benchmark results

Written by `bench/run.py` (see `bench/README.md` for what each benchmark measures and how to
run it). Each database has its own section; a run replaces the sections of the databases it
ran. Latencies are wall-clock times measured by the client, in milliseconds; every ratio is
taken against a baseline measured in the same run on the same machine.
"""


def _cpuinfo_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _mem_total_gib() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return float("nan")


def _git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _tree_state() -> str:
    """Whether the commit id names exactly the code that ran."""
    changes = _git("status", "--porcelain", "--untracked-files=no")
    if changes == "unknown":
        return "working tree state unknown"
    return "clean working tree" if not changes else "with uncommitted changes"


def database_version() -> str:
    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version} (file in a temp dir, WAL)"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        name = connection.settings_dict["NAME"]
        return f"PostgreSQL {cur.fetchone()[0]} (127.0.0.1, database {name})"


def machine() -> list[tuple[str, str]]:
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        ("CPU", f"{_cpuinfo_model()}, {os.cpu_count()} cores ({affinity} usable)"),
        ("RAM", f"{_mem_total_gib():.1f} GiB"),
        ("OS", f"{platform.system()} {platform.release()}"),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        (
            "django-ninja / waitress / psycopg",
            f"{version('django-ninja')} / {version('waitress')} / {version('psycopg')}",
        ),
        ("Database", database_version()),
        (
            "Code",
            f"git {_git('rev-parse', '--short', 'HEAD')} on {_git('branch', '--show-current')}"
            f" ({_tree_state()})",
        ),
    ]


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} / {five:.2f} / {fifteen:.2f}"


def write_section(path: Path, key: str, body: str) -> None:
    """Replace the section `key` of the results file (or append it), keeping the others."""
    begin, end = f"<!-- bench:{key}:begin -->", f"<!-- bench:{key}:end -->"
    text = path.read_text() if path.exists() else HEADER
    block = f"{begin}\n{body.strip()}\n{end}"
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.S)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text)
    else:
        text = text.rstrip() + "\n\n" + block + "\n"
    path.write_text(text)


def _proc_stat_busy() -> float:
    """Seconds of CPU the whole machine has been busy (all cores), from /proc/stat."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return float("nan")
    jiffies = [int(f) for f in fields]
    idle = jiffies[3] + (jiffies[4] if len(jiffies) > 4 else 0)  # idle + iowait
    return (sum(jiffies[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class CpuMeter:
    """How busy the machine was during the run, and how much of it was this bench (the
    bench process and its reaped children: the served process). The machine is shared, so
    this is what says whether others' work ran at the same time."""

    def __init__(self) -> None:
        self.machine0, self.own0 = _proc_stat_busy(), _own_cpu()
        self.wall0 = time.monotonic()

    def summary(self) -> str:
        wall = time.monotonic() - self.wall0
        machine = (_proc_stat_busy() - self.machine0) / wall
        own = (_own_cpu() - self.own0) / wall
        return (
            f"machine busy {machine:.2f} of {os.cpu_count()} cores on average; the bench "
            f"(client and served process) {own:.2f}; the rest {machine - own:.2f} "
            "(the database server's work for the bench, and other engineers' work)"
        )
