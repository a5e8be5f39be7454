"""The local stack (monitoring/stack.sh) scrapes the exporter where the specs put it and
reports targets Prometheus cannot reach, with real Prometheus, Alertmanager and exporter."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from generator.validate.processes import free_port
from tests.processes import binary

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
ROOT = Path(__file__).resolve().parents[2]

SERVICE = """\
version: slogen/v1
service: shop
team: web
health_checks:
  - name: orders
    database: ledger
    every: 5s
    timeout: 2s
    sql: SELECT 1 AS value
scrape:
  targets: ["127.0.0.1:{service_port}"]
"""
GLOBAL = """\
version: slogen/v1
receivers: [{{name: hook, webhook: {{url: "http://127.0.0.1:9/hook"}}}}]
routing: {{receiver: hook}}
databases:
  ledger: {{url: "sqlite:///{db}"}}
prometheus: {{scrape_interval: 1s}}
exporter: {{listen: "127.0.0.1:{exporter_port}"}}
"""


def _stack(env: dict[str, str], action: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(ROOT / "monitoring" / "stack.sh"), action], env=env,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture
def stack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[dict[str, str], int]]:
    """A generated out/ for one service and a running stack on free ports; stopped after."""
    binary("prometheus")
    binary("prometheus-alertmanager")
    exporter_port, service_port = free_port(), free_port()
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "shop.yaml").write_text(SERVICE.format(service_port=service_port))
    (specs / "_global.yaml").write_text(GLOBAL.format(
        db=tmp_path / "ledger.db", exporter_port=exporter_port))
    monkeypatch.chdir(tmp_path)
    assert main(["generate", "--specs", "slos", "--out", "out", "--skip-checks"]) == 0
    env = dict(os.environ) | {
        "STACK_OUT": str(tmp_path / "out"), "STACK_RUN": str(tmp_path / "run"),
        "PROM_ADDR": f"127.0.0.1:{free_port()}", "AM_ADDR": f"127.0.0.1:{free_port()}",
        "PY": sys.executable, "PYTHONPATH": str(ROOT)}
    try:
        up = _stack(env, "up")
        assert up.returncode == 0, up.stdout + up.stderr
        yield env, service_port
    finally:
        _stack(env, "down")


def test_status_names_the_exporter_up_and_the_unreachable_service_down(
        stack: tuple[dict[str, str], int]) -> None:
    env, service_port = stack
    deadline = time.monotonic() + 60
    while True:
        status = _stack(env, "status")
        lines = [line for line in status.stdout.splitlines() if line.startswith("target ")]
        exporter = [line for line in lines if line.startswith("target slogen-exporter ")]
        service = [line for line in lines if line.startswith("target shop ")]
        if (exporter and service and "unknown" not in exporter[0] + service[0]) \
                or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert exporter and exporter[0].endswith(": up"), status.stdout + status.stderr
    assert service[0].startswith(f"target shop http://127.0.0.1:{service_port}/metrics: down (")
    assert status.returncode == 1
    assert "exporter: running" in status.stdout
