"""Scrape benchmark: slogen's exporter, Debian's prometheus-sql-exporter and query-exporter.

All three serve the same ten seed-002 queries from the same PostgreSQL database, each in its
scheduled (cached) mode, and are scraped by 20 concurrent keep-alive clients. Figures go to
bench/results/exporter.json: p50/p99 scrape latency, scrapes per second and resident memory.
query-exporter is installed from PyPI into its own virtualenv under bench/scratch/.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.scrape_load import run_load  # noqa: E402
from generator import pipeline  # noqa: E402
from generator.exporter.config import CheckConfig  # noqa: E402
from generator.targets import exporter_config  # noqa: E402
from generator.validate.processes import free_port, stop  # noqa: E402

WORK = ROOT / "bench" / "scratch" / "exporter"
VENV = ROOT / "bench" / "scratch" / "query-exporter-venv"
RESULTS = ROOT / "bench" / "results" / "exporter.json"
FIXTURE = ROOT / "tests" / "testdata" / "exporter" / "devdiag_pg.sql"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SCRAPERS = 20
DURATION_SECONDS = float(os.environ.get("BENCH_EXPORTER_SECONDS", "20"))
INTERVAL_SECONDS = 15


def main() -> None:
    """Run every exporter against one scratch database and write the figures."""
    WORK.mkdir(parents=True, exist_ok=True)
    checks = _devdiag_checks()
    results: dict[str, Any] = {}
    with _scratch_database() as db_name:
        for name, start in (("slogen", _start_slogen), ("prometheus-sql-exporter", _start_go),
                            ("query-exporter", _start_query_exporter)):
            print(f"-- {name}", flush=True)
            try:
                results[name] = _measure(name, start, checks, db_name)
            except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
                results[name] = {"error": str(exc)}
            print(f"   {json.dumps(results[name])}", flush=True)
    report = {
        "what": "scrape /metrics of an exporter serving 10 cached PostgreSQL query results",
        "queries": [c.name for c in checks],
        "scrapers": SCRAPERS,
        "duration_seconds": DURATION_SECONDS,
        "cpus": os.cpu_count(),
        "results": results,
        "ratios": _ratios(results),
        "versions": _versions(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


def _devdiag_checks() -> list[CheckConfig]:
    from generator.exporter.config import parse_config
    from generator.spec.loader import parse_yaml

    model = pipeline.compile_specs(ROOT / "slos", None, ROOT)
    text = exporter_config.render(model)[exporter_config.CONFIG_PATH]
    config = parse_config(*parse_yaml(text, "config.yaml"))
    return [c for c in config.checks if c.service == "devdiag"]


@contextmanager
def _scratch_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text

    name = f"slogen_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        engine = create_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}")
        with engine.begin() as conn:
            lines = [ln for ln in FIXTURE.read_text().splitlines() if not ln.startswith("--")]
            for statement in "\n".join(lines).split(";"):
                if statement.strip():
                    conn.exec_driver_sql(statement)
        engine.dispose()
        yield name
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


Starter = Callable[[list[CheckConfig], str, int], subprocess.Popen[bytes]]


def _measure(name: str, start: Starter, checks: list[CheckConfig], db: str) -> dict[str, Any]:
    port = free_port()
    proc = start(checks, db, port)
    url = f"http://127.0.0.1:{port}/metrics"
    try:
        body = _wait_ready(url, proc, expected=len(checks))
        run_load(url, SCRAPERS, 2.0)  # warm-up
        load = run_load(url, SCRAPERS, DURATION_SECONDS)
        return {**load, "rss_mib": _rss_mib(proc.pid), "peak_rss_mib": _rss_mib(proc.pid, "VmHWM"),
                "response_bytes": len(body)}
    finally:
        stop(proc)


def _wait_ready(url: str, proc: subprocess.Popen[bytes], expected: int) -> bytes:
    """Wait until every query has a value in the exposition, so we scrape a full cache."""
    deadline = time.monotonic() + 60
    pattern = re.compile(rb"^\S*(data_freshness|problem_diversity|views_present)\S* ", re.M)
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"exporter exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as reply:
                body: bytes = reply.read()
            if len(set(m.group(1) for m in pattern.finditer(body))) == 3:
                time.sleep(1.0)  # let the remaining queries of the first round land
                return body
        except OSError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"no complete metrics from {url} within 60s (expected {expected} queries)")


def _start_slogen(checks: list[CheckConfig], db: str, port: int) -> subprocess.Popen[bytes]:
    every = {"every": f"{INTERVAL_SECONDS}s", "timeout": "10s"}
    config = {
        "version": exporter_config.CONFIG_VERSION,
        "listen": f"127.0.0.1:{port}",
        "databases": {"devdiag": {"url": "${DEVDIAG_DB_URL}", "pool_size": 2}},
        "checks": [c.model_dump(mode="json", exclude_none=True) | every for c in checks],
    }
    path = WORK / "slogen.json"
    path.write_text(json.dumps(config, indent=2))  # JSON is YAML
    env = {**os.environ, "DEVDIAG_DB_URL": f"postgresql+psycopg://postgres@127.0.0.1:5432/{db}"}
    return subprocess.Popen([sys.executable, "-m", "generator", "exporter", "--config", str(path),
                             "--log-level", "WARNING"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _start_go(checks: list[CheckConfig], db: str, port: int) -> subprocess.Popen[bytes]:
    binary = shutil.which("prometheus-sql-exporter")
    if binary is None:
        raise RuntimeError("prometheus-sql-exporter is not installed (Debian package)")
    queries = [{"name": _metric(c), "help": c.help, "values": [_metric(c)],
                "query": _renamed_sql(c)} for c in checks]
    config = {"jobs": [{
        "name": "devdiag", "interval": f"{INTERVAL_SECONDS}s",
        "connections": [f"postgres://postgres@127.0.0.1:5432/{db}?sslmode=disable"],
        "queries": queries,
    }]}
    path = WORK / "sql-exporter.json"
    path.write_text(json.dumps(config, indent=2))
    return subprocess.Popen([binary, "-config.file", str(path),
                             "-web.listen-address", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _start_query_exporter(checks: list[CheckConfig], db: str,
                          port: int) -> subprocess.Popen[bytes]:
    binary = VENV / "bin" / "query-exporter"
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "query-exporter",
                        "psycopg[binary]"], check=True)
    config = {
        "databases": {"devdiag": {"dsn": f"postgresql://postgres@127.0.0.1:5432/{db}"}},
        "metrics": {_metric(c): {"type": "gauge", "description": c.help} for c in checks},
        "queries": {_metric(c): {"interval": INTERVAL_SECONDS, "databases": ["devdiag"],
                                 "metrics": [_metric(c)], "sql": _renamed_sql(c)}
                    for c in checks},
    }
    path = WORK / "query-exporter.json"
    path.write_text(json.dumps(config, indent=2))
    return subprocess.Popen([str(binary), "--config", str(path), "-H", "127.0.0.1",
                             "-p", str(port), "-L", "warning"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    dpkg = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "prometheus-sql-exporter"],
                          capture_output=True, text=True, check=False)
    out["prometheus-sql-exporter"] = dpkg.stdout.strip() or "unknown"
    binary = VENV / "bin" / "query-exporter"
    if binary.exists():
        reply = subprocess.run([str(binary), "--version"], capture_output=True, text=True,
                               check=False)
        out["query-exporter"] = reply.stdout.strip().rsplit(" ", 1)[-1]
    return out


def _metric(check: CheckConfig) -> str:
    return check.name.replace("-", "_")


def _renamed_sql(check: CheckConfig) -> str:
    # The other exporters name the value column after the metric; the query is otherwise equal.
    return re.sub(r"\bAS value\b", f"AS {_metric(check)}", check.sql)


def _rss_mib(pid: int, field: str = "VmRSS") -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _ratios(results: dict[str, Any]) -> dict[str, float]:
    ours, go, qe = (results.get(k, {}) for k in ("slogen", "prometheus-sql-exporter",
                                                 "query-exporter"))
    out = {}
    if "scrapes_per_second" in ours and "scrapes_per_second" in go:
        out["throughput_vs_prometheus_sql_exporter"] = round(
            ours["scrapes_per_second"] / go["scrapes_per_second"], 2)
        out["p99_vs_prometheus_sql_exporter"] = round(ours["p99_ms"] / go["p99_ms"], 2)
    if "scrapes_per_second" in ours and "scrapes_per_second" in qe:
        out["throughput_vs_query_exporter"] = round(
            ours["scrapes_per_second"] / qe["scrapes_per_second"], 2)
    return out


if __name__ == "__main__":
    main()
