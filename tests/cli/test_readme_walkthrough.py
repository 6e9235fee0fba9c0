"""The README's curl walk-through (docs/story-api.sh) runs as written against a real server
loaded with `andon demo`: the README stays true."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ..conftest import need
from .test_cli import _free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_curl_walkthrough_plays_the_story_against_the_demo(tmp_path: Path):
    need(shutil.which("curl") is not None, "curl")
    andon = str(Path(sys.executable).with_name("andon"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PATH"] = f"{Path(sys.executable).parent}:{env['PATH']}"
    subprocess.run([andon, "migrate", "-v0"], cwd=tmp_path, env=env, check=True)
    subprocess.run(
        [andon, "demo", "--small"], cwd=tmp_path, env=env, check=True, capture_output=True
    )
    port = _free_port()
    server = subprocess.Popen(
        [andon, "serve", "--no-migrate", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        run = subprocess.run(
            ["bash", str(ROOT / "docs/story-api.sh")],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env=env | {"ANDON": andon, "ANDON_URL": url},
            timeout=120,
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    out = run.stdout
    assert run.returncode == 0, run.stderr + out
    assert '"code": "not-eligible"' in out
    assert '"listing_status": "suppressed"' in out and '"joined": true' in out
    assert '"relisted": true' in out and '"action": "listing.relisted"' in out
    product_reads = [ln for ln in out.splitlines() if ln.startswith('{"sku": "9787549529322"')]
    assert '"listing_status": "suppressed"' in product_reads[0]
    assert '"listing_status": "active"' in product_reads[-1]
