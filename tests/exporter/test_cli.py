"""`slogen exporter` serves /metrics and /healthz; `slogen health` prints a table and fails."""

from __future__ import annotations

import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import ROOT

CONFIG = """\
version: slogen-exporter/v1
listen: 127.0.0.1:0
databases:
  local: {{url: "sqlite:///${{CHECKS_DB}}"}}
checks:
  - id: shop-orders
    service: shop
    name: orders
    help: Orders stored.
    database: local
    every: 1s
    timeout: 1s
    sql: SELECT count(*) AS value FROM orders
    values: [{{column: value, metric: slogen_check_orders}}]
    alert: {{below: {minimum}}}
  - id: shop-fresh
    service: shop
    name: fresh
    help: Always fine.
    database: local
    every: 1s
    timeout: 1s
    sql: SELECT 1 AS value
    values: [{{column: value, metric: slogen_check_fresh}}]
"""


@pytest.fixture
def config_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A config over a SQLite file holding two orders; CHECKS_DB points at the file."""
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.executescript("CREATE TABLE orders (id int); INSERT INTO orders VALUES (1), (2);")
    monkeypatch.setenv("CHECKS_DB", str(db))
    path = tmp_path / "config.yaml"
    path.write_text(CONFIG.format(minimum=1), encoding="utf-8")
    return path


def test_health_passes_when_every_check_passes(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["health", "--once", "--config", str(config_path)]) == 0
    out = capsys.readouterr().out
    assert re.search(r"shop-orders\s+│\s+2\s+│\s+>= 1\s+│\s+OK", out), out
    assert "2 of 2 checks passed." in out


def test_health_fails_and_says_which_check(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_path.write_text(CONFIG.format(minimum=5), encoding="utf-8")
    assert main(["health", "--once", "--config", str(config_path)]) == 1
    out = capsys.readouterr().out
    assert re.search(r"shop-orders\s+│\s+2\s+│\s+>= 5\s+│\s+FAIL", out), out
    assert "1 of 2 checks passed." in out


def test_check_only_validates_without_connecting(
    config_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["exporter", "--check-only", "--config", str(config_path)]) == 0
    assert "valid (2 checks, 1 databases)" in capsys.readouterr().out
    config_path.write_text(CONFIG.format(minimum=1).replace("every: 1s", "every: soon", 1))
    assert main(["exporter", "--check-only", "--config", str(config_path)]) == 2
    assert "checks[0].every: 'soon' is not a Prometheus duration" in capsys.readouterr().err


def test_exporter_serves_metrics_and_healthz_until_sigterm(config_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "exporter", "--config", str(config_path)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        match = re.search(r"serving (http://\S+)/metrics", line)
        assert match, line
        base = match.group(1)
        with urllib.request.urlopen(f"{base}/healthz", timeout=5) as reply:
            assert reply.read() == b"ok\n"
        # The two checks run on their own schedules, so either may report first;
        # wait until both have (generous: a loaded machine can take seconds).
        expected = (
            'slogen_check_orders{check="orders",service="shop"} 2.0',
            'slogen_check_up{check="fresh",service="shop"} 1.0',
        )
        body = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with urllib.request.urlopen(f"{base}/metrics", timeout=5) as reply:
                body = reply.read().decode()
            if all(line in body for line in expected):
                break
            time.sleep(0.1)
        for line in expected:
            assert line in body, body
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
