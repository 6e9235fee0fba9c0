"""The SQLite backup command of docs/deployment.md copies what is still only in the WAL."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from pathlib import Path

DEPLOYMENT = Path(__file__).resolve().parents[2] / "docs" / "deployment.md"


def test_the_documented_sqlite_backup_takes_writes_not_yet_checkpointed(tmp_path):
    command = re.search(r"^python3 -c .*backup.*$", DEPLOYMENT.read_text(), re.M).group(0)
    live = sqlite3.connect(tmp_path / "andon.sqlite3")
    live.execute("PRAGMA journal_mode=WAL")
    live.execute("PRAGMA wal_autocheckpoint=0")  # every write stays in andon.sqlite3-wal
    live.execute("CREATE TABLE t (x)")
    live.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(500)])
    live.commit()
    assert (tmp_path / "andon.sqlite3-wal").stat().st_size > 0
    # The command as documented, while the database is open, in a shell like an operator's.
    subprocess.run(["bash", "-c", command], cwd=tmp_path, check=True, timeout=60)
    backups = list(tmp_path.glob("andon-*.sqlite3"))
    assert len(backups) == 1
    copy = sqlite3.connect(backups[0])
    assert copy.execute("SELECT count(*) FROM t").fetchone() == (500,)
    copy.close()
    live.close()
