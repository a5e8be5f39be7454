"""Scrape benchmark: slogen's exporter beside Debian's prometheus-sql-exporter and query-exporter.

All three serve the same ten seed-002 queries from one PostgreSQL database (one connection
pool each), each in its scheduled (cached) mode, and are scraped by 20 concurrent keep-alive
clients (wrk), with and without `Accept-Encoding: gzip`, in rounds that rotate the order. Per
exporter: scrapes per second, p50/p99 latency, CPU seconds per 1,000 scrapes (from the
process's utime+stime in /proc), resident memory when ready and after the load. The machine's
load average is recorded before and after, as other work shares its two cores. Figures go to
bench/results/exporter.json. query-exporter is installed from PyPI into its own virtualenv
under bench/scratch/; prometheus-sql-exporter and wrk are Debian's packages, installed here when
missing and running as root (otherwise the Go exporter is reported as missing and the load
comes from a threaded Python client).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
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
from generator.specfile.yamlread import parse_yaml  # noqa: E402
from generator.targets import exporter as exporter_config  # noqa: E402
from generator.validate.processes import free_port, stop  # noqa: E402

WORK = ROOT / "bench" / "scratch" / "exporter"
VENV = ROOT / "bench" / "scratch" / "query-exporter-venv"
RESULTS = ROOT / "bench" / "results" / "exporter.json"
FIXTURE = ROOT / "tests" / "testdata" / "exporter" / "devdiag_pg.sql"
PG = {"host": "127.0.0.1", "port": 5432, "user": "postgres"}
SCRAPERS = 20
DURATION_SECONDS = float(os.environ.get("BENCH_EXPORTER_SECONDS", "15"))
ROUNDS = int(os.environ.get("BENCH_EXPORTER_ROUNDS", "2"))
INTERVAL_SECONDS = 15
DEBIAN_TOOLS = ("prometheus-sql-exporter", "wrk")
ENCODINGS = {"identity": {}, "gzip": {"Accept-Encoding": "gzip"}}
# Measured by issue 20 on this machine kind, for when the Debian package cannot be installed.
GO_REFERENCE = {
    "source": "issue 20 (external: measured before this bench ran the Go exporter itself)",
    "scrapes_per_second": [1504, 1905],
    "rss_mib": [21, 22],
}


def main() -> None:
    """Start every exporter on one scratch database, scrape them in rotating rounds, report."""
    WORK.mkdir(parents=True, exist_ok=True)
    _install_debian_tools()
    checks = _devdiag_checks()
    load_before = os.getloadavg()
    started = time.time()
    results: dict[str, Any] = {}
    with _scratch_database() as db_name, _exporters(checks, db_name) as running:
        for name, state in running.items():
            results[name] = state if "error" in state else {"rss_mib_ready": state["rss_mib"]}
        live = [name for name, state in running.items() if "error" not in state]
        runs: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for round_no in range(ROUNDS):
            order = live[round_no % len(live):] + live[:round_no % len(live)] if live else []
            for name in order:
                for encoding, headers in ENCODINGS.items():
                    run = _measure(running[name], headers)
                    runs.setdefault((name, encoding), []).append(run)
                    print(f"   {name} {encoding}: {json.dumps(run)}", flush=True)
        for name in live:
            proc = running[name]["proc"]
            results[name].update({
                "rss_mib": _status_mib(proc.pid, "VmRSS"),
                "peak_rss_mib": _status_mib(proc.pid, "VmHWM"),
                "response_bytes": running[name]["response_bytes"],
                **{enc: _summary(runs[(name, enc)]) for enc in ENCODINGS},
            })
    report = {
        "what": "scrape /metrics of exporters serving 10 cached PostgreSQL query results",
        "method": _method(),
        "machine": {
            "cpus": os.cpu_count(),
            "loadavg_before": [round(x, 2) for x in load_before],
            "loadavg_after": [round(x, 2) for x in os.getloadavg()],
            "wall_seconds": round(time.time() - started),
            "note": "shared machine: other sessions' builds and tests ran at the same time",
        },
        "queries": [c.name for c in checks],
        "scrapers": SCRAPERS,
        "duration_seconds": DURATION_SECONDS,
        "rounds": ROUNDS,
        "results": results,
        "ratios": _ratios(results),
        "go_reference": GO_REFERENCE,
        "slogen_import_costs": _import_costs(),
        "versions": _versions(),
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


def _install_debian_tools() -> None:
    missing = [p for p in DEBIAN_TOOLS if shutil.which(p) is None]
    if missing and os.geteuid() == 0 and shutil.which("apt-get"):
        print(f"-- installing {' '.join(missing)} (Debian packages)", flush=True)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                       check=False, env=env, stdout=subprocess.DEVNULL)


def _method() -> dict[str, str]:
    return {
        "load": f"wrk -t2 -c{SCRAPERS} -d{DURATION_SECONDS:g}s --latency, keep-alive, after a "
                "2 s warm-up; gzip runs add -H 'Accept-Encoding: gzip'",
        "order": f"{ROUNDS} rounds, the exporter order rotated each round; every exporter runs "
                 "all the time, each query every 15 s",
        "throughput": "wrk Requests/sec; the median of the rounds is the headline figure",
        "latency": "wrk p50/p99 of the round with the median throughput (of two rounds, the "
                   "slower); every round's p99 is listed too",
        "cpu": "(utime+stime of the exporter process from /proc/PID/stat, delta over the "
               "measured run) / scrapes * 1000",
        "rss": "VmRSS from /proc/PID/status when every query had a value (ready) and after all "
               "rounds; VmHWM as the peak. slogen: one database, one pool of 2 connections",
        "imports": "bench/exporter_imports.py in fresh interpreters: VmRSS after each import "
                   "step of the slogen exporter process, and tracemalloc's Python allocations",
    }


def _devdiag_checks() -> list[CheckConfig]:
    from generator.exporter.config import parse_config

    config = parse_config(*parse_yaml(_rendered_config(), "config.yaml"))
    return [c for c in config.checks if c.service == "devdiag"]


def _rendered_config() -> str:
    model = pipeline.compile_specs(ROOT / "slos", None, ROOT)
    return exporter_config.render(model)[exporter_config.CONFIG_PATH]


@contextmanager
def _scratch_database() -> Iterator[str]:
    import psycopg

    name = f"slogen_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(**PG, dbname="test", autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        with psycopg.connect(**PG, dbname=name) as conn:
            lines = [ln for ln in FIXTURE.read_text().splitlines() if not ln.startswith("--")]
            for statement in "\n".join(lines).split(";"):
                if statement.strip():
                    conn.execute(statement)
        yield name
    finally:
        with psycopg.connect(**PG, dbname="test", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


Starter = Callable[[list[CheckConfig], str, int], subprocess.Popen[bytes]]


@contextmanager
def _exporters(checks: list[CheckConfig], db: str) -> Iterator[dict[str, dict[str, Any]]]:
    """Every exporter started and ready (or an error entry); all stopped on exit."""
    starters: dict[str, Starter] = {"slogen": _start_slogen, "prometheus-sql-exporter": _start_go,
                                    "query-exporter": _start_query_exporter}
    running: dict[str, dict[str, Any]] = {}
    try:
        for name, start in starters.items():
            print(f"-- starting {name}", flush=True)
            try:
                port = free_port()
                proc = start(checks, db, port)
                url = f"http://127.0.0.1:{port}/metrics"
                running[name] = {"proc": proc, "url": url}
                body = _wait_ready(url, proc)
                running[name].update(response_bytes=len(body),
                                     rss_mib=_status_mib(proc.pid, "VmRSS"))
            except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
                running[name] = {"error": str(exc), "proc": running.get(name, {}).get("proc")}
        yield running
    finally:
        for state in running.values():
            if state.get("proc") is not None:
                stop(state["proc"])
            state.pop("proc", None)


def _measure(state: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
    run_load(state["url"], SCRAPERS, 2.0, headers)  # warm-up
    cpu_before = _cpu_seconds(state["proc"].pid)
    load = run_load(state["url"], SCRAPERS, DURATION_SECONDS, headers)
    cpu = _cpu_seconds(state["proc"].pid) - cpu_before
    load["cpu_seconds_per_1000_scrapes"] = round(cpu / max(1, load["scrapes"]) * 1000, 3)
    return load


def _summary(runs: list[dict[str, Any]]) -> dict[str, Any]:
    rates = [r["scrapes_per_second"] for r in runs]
    median = sorted(runs, key=lambda r: r["scrapes_per_second"])[(len(runs) - 1) // 2]
    return {
        "scrapes_per_second": statistics.median(rates),
        "scrapes_per_second_rounds": rates,
        "p50_ms": median["p50_ms"],
        "p99_ms": median["p99_ms"],
        "p99_ms_rounds": [r["p99_ms"] for r in runs],
        "cpu_seconds_per_1000_scrapes": statistics.median(
            r["cpu_seconds_per_1000_scrapes"] for r in runs),
        "errors": sum(r["errors"] for r in runs),
        "load_generator": median["load_generator"],
    }


def _wait_ready(url: str, proc: subprocess.Popen[bytes]) -> bytes:
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
    raise RuntimeError(f"no complete metrics from {url} within 60s")


def _start_slogen(checks: list[CheckConfig], db: str, port: int) -> subprocess.Popen[bytes]:
    every = {"every": f"{INTERVAL_SECONDS}s", "timeout": "10s"}
    wanted = {c.id for c in checks}
    rendered, _ = parse_yaml(_rendered_config(), "config.yaml")
    config = {
        "version": exporter_config.CONFIG_VERSION,
        "listen": f"127.0.0.1:{port}",
        "databases": {"devdiag": {"url": "${DEVDIAG_DB_URL}", "pool_size": 2}},
        "checks": [c | every for c in rendered["checks"] if c["id"] in wanted],
    }
    path = WORK / "slogen.json"
    path.write_text(json.dumps(config, indent=2))  # JSON is YAML
    env = {**os.environ, "DEVDIAG_DB_URL": f"postgresql://postgres@127.0.0.1:5432/{db}"}
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
    # Its own environment: the work tree on PYTHONPATH would make pip see slogen's requirements.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True, env=env)
        subprocess.run([str(VENV / "bin" / "pip"), "install", "-q", "query-exporter",
                        "psycopg[binary]"], check=True, env=env)
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
                             "-p", str(port), "-L", "warning"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _import_costs() -> dict[str, Any]:
    script = str(ROOT / "bench" / "exporter_imports.py")
    out = {}
    for key, args in (("rss", []), ("tracemalloc", ["--tracemalloc"])):
        done = subprocess.run([sys.executable, script, *args], cwd=ROOT, capture_output=True,
                              text=True, check=True)
        out[key] = json.loads(done.stdout)
    return out


def _versions() -> dict[str, str]:
    out = {"python": sys.version.split()[0]}
    for package in ("prometheus-sql-exporter", "wrk"):
        dpkg = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", package],
                              capture_output=True, text=True, check=False)
        out[package] = dpkg.stdout.strip() or "not installed"
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


def _status_mib(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


def _cpu_seconds(pid: int) -> float:
    # Fields after the parenthesised command name: utime and stime are the 12th and 13th.
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ratios(results: dict[str, Any]) -> dict[str, float]:
    ours, go, qe = (results.get(k, {}) for k in ("slogen", "prometheus-sql-exporter",
                                                 "query-exporter"))
    out = {}
    for encoding in ENCODINGS:
        mine, theirs = ours.get(encoding), go.get(encoding)
        if mine and theirs:
            out[f"throughput_vs_prometheus_sql_exporter_{encoding}"] = round(
                mine["scrapes_per_second"] / theirs["scrapes_per_second"], 2)
            out[f"p99_vs_prometheus_sql_exporter_{encoding}"] = round(
                mine["p99_ms"] / theirs["p99_ms"], 2)
            out[f"cpu_per_scrape_vs_prometheus_sql_exporter_{encoding}"] = round(
                mine["cpu_seconds_per_1000_scrapes"] / theirs["cpu_seconds_per_1000_scrapes"], 2)
        if mine and qe.get(encoding):
            out[f"throughput_vs_query_exporter_{encoding}"] = round(
                mine["scrapes_per_second"] / qe[encoding]["scrapes_per_second"], 2)
    if "rss_mib" in ours and "rss_mib" in go:
        out["rss_vs_prometheus_sql_exporter"] = round(ours["rss_mib"] / go["rss_mib"], 2)
    return out


if __name__ == "__main__":
    main()
