"""The whole pipeline in real processes: PostgreSQL -> exporter -> Prometheus with the generated
rules -> Alertmanager with the generated config -> webhook receivers and the GitHub bridge.

Two alerts travel end to end: a health-check alert from real SQL (fired, then resolved after the
data is fixed), and an SLO page alert from synthetic counters of a total outage.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import psycopg
import pytest
import requests
from prometheus_client import CollectorRegistry, Counter, start_http_server

from generator import outdir, pipeline
from generator.bridge.github import GitHubClient, IssueBridge
from generator.bridge.server import make_server
from tests.conftest import ROOT
from tests.github_emulator import github_emulator
from tests.processes import alertmanager, free_port, prometheus, run_process

pytestmark = [pytest.mark.e2e, pytest.mark.database, pytest.mark.slow]

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
WAIT_SECONDS = 90


class Inbox:
    """A webhook receiver on loopback that keeps every Alertmanager notification by path."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self._lock = threading.Lock()
        inbox = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with inbox._lock:
                    inbox.received.append((self.path, body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def find(self, path: str, alertname: str, status: str) -> dict[str, Any] | None:
        """The first notification at `path` with an alert of that name and status."""
        with self._lock:
            for got_path, body in self.received:
                for alert in body.get("alerts", []):
                    if (got_path == path and alert["labels"].get("alertname") == alertname
                            and alert["status"] == status):
                        return body
        return None


def _wait_for(what: str, probe: Callable[[], Any], logs: list[Path]) -> Any:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    tails = "\n".join(f"--- {p.name}\n{p.read_text()[-2000:]}" for p in logs if p.exists())
    pytest.fail(f"timed out after {WAIT_SECONDS}s waiting for {what}\n{tails}")


def _specs(spec_dir: Path, schema: str, ports: dict[str, int]) -> None:
    spec_dir.mkdir()
    (spec_dir / "_global.yaml").write_text(textwrap.dedent(f"""\
        version: slogen/v1
        receivers:
          - name: page
            webhook: {{url: "http://127.0.0.1:{ports['inbox']}/page"}}
          - name: tickets
            webhook: {{url: "http://127.0.0.1:{ports['inbox']}/tickets"}}
          - name: github
            webhook: {{url: "http://127.0.0.1:{ports['bridge']}/alerts"}}
        routing:
          receiver: tickets
          group_by: [alertname, service]
          group_wait: 1s
          group_interval: 1s
          repeat_interval: 1h
          severities:
            critical: {{receivers: [page]}}
            warning: {{receivers: [tickets]}}
          overrides:
            - match: {{alert_type: health}}
              receivers: [github]
              continue: true
        databases:
          e2e: {{url: "${{E2E_DB_URL}}"}}
        prometheus: {{evaluation_interval: 1s, scrape_interval: 1s}}
        exporter: {{listen: "127.0.0.1:{ports['exporter']}"}}
        """))
    (spec_dir / "shop.yaml").write_text(textwrap.dedent(f"""\
        version: slogen/v1
        service: shop
        team: e2e
        slos:
          - name: availability
            objective: 99
            sli:
              events:
                bad: sum(rate(e2e_requests_total{{code="500"}}[{{{{window}}}}]))
                total: sum(rate(e2e_requests_total[{{{{window}}}}]))
            alerting:
              page: {{for: 0s}}
              ticket: {{enabled: false}}
        health_checks:
          - name: failed-jobs
            database: e2e
            every: 1s
            timeout: 1s
            sql: SELECT count(*) AS value FROM {schema}.jobs WHERE status = 'failed'
            alert: {{above: 0, severity: warning}}
        alerts:
          - name: JobsFailing
            expr: slogen_check_failed_jobs{{service="shop"}}
            above: 0
            severity: info
            labels: {{alert_type: health}}
        """))


def _pg(sql: str) -> None:
    """Run one statement on the test database and commit it."""
    with psycopg.connect(PG_URL, autocommit=True) as conn:
        conn.execute(sql)


@pytest.fixture
def job_schema() -> Iterator[str]:
    """A fresh schema with one failed job, dropped afterwards."""
    schema = f"e2e_{uuid.uuid4().hex[:10]}"
    try:
        _pg(f"CREATE SCHEMA {schema}")
        _pg(f"CREATE TABLE {schema}.jobs (id int primary key, status text)")
        _pg(f"INSERT INTO {schema}.jobs VALUES (1, 'ok'), (2, 'failed')")
    except psycopg.OperationalError as exc:
        pytest.fail(f"PostgreSQL on 127.0.0.1:5432 is not reachable: {exc}")
    try:
        yield schema
    finally:
        _pg(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def _outage_counters(port: int) -> Callable[[], None]:
    """Serve e2e_requests_total where every request fails; return a stop function."""
    registry = CollectorRegistry()
    requests_total = Counter("e2e_requests", "Synthetic requests.", ["code"], registry=registry)
    requests_total.labels(code="200")
    server, _ = start_http_server(port, "127.0.0.1", registry)
    stop = threading.Event()

    def tick() -> None:
        while not stop.wait(0.2):
            requests_total.labels(code="500").inc(10)

    threading.Thread(target=tick, daemon=True).start()

    def close() -> None:
        stop.set()
        server.shutdown()

    return close


def test_alerts_travel_from_database_and_counters_to_receivers(
        tmp_path: Path, job_schema: str, promtool: str) -> None:
    schema = job_schema
    ports = {"inbox": 0, "bridge": free_port(), "exporter": free_port(), "synthetic": free_port()}
    inbox = Inbox()
    ports["inbox"] = inbox.port
    _specs(tmp_path / "slos", schema, ports)
    model = pipeline.compile_specs(tmp_path / "slos", promtool, tmp_path)
    out = tmp_path / "out"
    outdir.swap_in(outdir.stage(out, pipeline.render(model)), out)

    prom_config = tmp_path / "prometheus.yml"
    prom_config.write_text(textwrap.dedent(f"""\
        global: {{scrape_interval: 1s, evaluation_interval: 1s}}
        rule_files: ["{out}/prometheus/*.rules.yaml"]
        alerting:
          alertmanagers: [{{static_configs: [{{targets: ["ALERTMANAGER"]}}]}}]
        scrape_configs:
          - job_name: exporter
            static_configs: [{{targets: ["127.0.0.1:{ports['exporter']}"]}}]
          - job_name: synthetic
            static_configs: [{{targets: ["127.0.0.1:{ports['synthetic']}"]}}]
        """))
    env = {**os.environ, "E2E_DB_URL": PG_URL}
    exporter_argv = [sys.executable, "-m", "generator", "exporter",
                     "--config", str(out / "exporter" / "config.yaml")]
    stop_counters = _outage_counters(ports["synthetic"])
    with github_emulator(repo="acme/shop") as (gh_url, gh_state):
        bridge = make_server("127.0.0.1", ports["bridge"], IssueBridge(
            GitHubClient(gh_url, "acme/shop", "test-token", requests.Session())))
        threading.Thread(target=bridge.serve_forever, daemon=True).start()
        try:
            with (run_process(exporter_argv, f"http://127.0.0.1:{ports['exporter']}/healthz",
                              tmp_path / "exporter.log", env) as exporter,
                  alertmanager(out / "alertmanager" / "alertmanager.yml", tmp_path) as am):
                prom_config.write_text(prom_config.read_text().replace(
                    "ALERTMANAGER", am.url.removeprefix("http://")))
                with prometheus(prom_config, tmp_path) as prom:
                    logs = [exporter.log, am.log, prom.log]
                    _wait_for("the health-check alert at the tickets receiver",
                              lambda: inbox.find("/tickets", "HealthCheckFailedJobs", "firing"),
                              logs)
                    page = _wait_for(
                        "the SLO page alert at the page receiver",
                        lambda: inbox.find("/page", "ShopAvailabilityBudgetBurn", "firing"), logs)
                    assert page["receiver"] == "page"
                    assert page["commonLabels"]["severity"] == "critical"
                    assert page["commonLabels"]["slo_id"] == "shop-availability"
                    _wait_for("a GitHub issue opened by the bridge", lambda: gh_state.issues, logs)
                    fired = inbox.find("/tickets", "HealthCheckFailedJobs", "firing")
                    assert fired is not None
                    assert fired["commonLabels"]["service"] == "shop"
                    assert fired["commonLabels"]["severity"] == "warning"

                    _pg(f"UPDATE {schema}.jobs SET status = 'ok'")
                    _wait_for("the resolved health-check notification",
                              lambda: inbox.find("/tickets", "HealthCheckFailedJobs", "resolved"),
                              logs)
                    _wait_for(
                        "the bridge closing its issue",
                        lambda: gh_state.issues and gh_state.issues[0]["state"] == "closed", logs)
        finally:
            bridge.shutdown()
            bridge.server_close()
            stop_counters()
    assert gh_state.issues[0]["title"] == "[INFO] Alert: JobsFailing on shop"
    paged = inbox.find("/page", "HealthCheckFailedJobs", "firing")
    assert paged is None, "warning reached the pager"


def test_stack_config_loads_the_committed_rules(promtool: str) -> None:
    config = ROOT / "monitoring" / "prometheus.yml"
    result = subprocess.run([promtool, "check", "config", str(config)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "rule files found" in result.stdout or "SUCCESS" in result.stdout
