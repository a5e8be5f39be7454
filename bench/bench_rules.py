"""Rule-evaluation cost of slogen's SLO rules against Sloth-style rules, in a real Prometheus.

For 100 and 1,000 synthetic SLOs: rules and recorded series of each rule set, Prometheus CPU
(rate of process_cpu_seconds_total) and summed prometheus_rule_group_last_duration_seconds,
on a TSDB backfilled with several days of history (promtool tsdb create-blocks-from
openmetrics) that a loopback exporter continues live. Also generate + `promtool check rules`
time against a bare `promtool check rules` of the same output. Writes bench/results/rules.json.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import rules_workload as wl  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "rules.json"
WORK = ROOT / "bench" / "work" / "rules"
SIZES = (100, 1_000)
HISTORY_DAYS = 3
HISTORY_STEP = 60  # seconds between backfilled samples
BLOCK_SECONDS = 7200
SCRAPE, EVALUATION = "15s", "30s"
WARMUP_SECONDS, MEASURE_SECONDS = 45, 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def render_slogen(count: int, spec_dir: Path, windows: str = "recorded") -> str:
    """slogen's rule file for `count` SLOs, with alert windows recorded or inline."""
    from generator import pipeline

    wl.write_specs(spec_dir, count)
    (spec_dir / "_global.yaml").write_text(
        f"version: slogen/v1\nprometheus: {{windows: {windows}}}\n", encoding="utf-8")
    files = pipeline.render(pipeline.compile_specs(spec_dir, None), frozenset({"prometheus"}))
    return next(text for path, text in files.items() if path.name == "bench.rules.yaml")


def check_timing(count: int, promtool: str) -> dict[str, float]:
    """Wall time of `slogen generate` (PromQL syntax check, render, promtool check rules) and of
    a bare `promtool check rules` on the same rule file."""
    spec_dir, out = WORK / f"specs-{count}", WORK / f"out-{count}"
    wl.write_specs(spec_dir, count)
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", "generate", "--specs", str(spec_dir),
                    "--out", str(out), "--skip-checks"], check=True, cwd=ROOT,
                   capture_output=True)
    subprocess.run([promtool, "check", "rules", str(out / "prometheus" / "bench.rules.yaml")],
                   check=True, capture_output=True)
    generate = time.perf_counter() - start
    start = time.perf_counter()
    subprocess.run([promtool, "check", "rules", str(out / "prometheus" / "bench.rules.yaml")],
                   check=True, capture_output=True)
    bare = time.perf_counter() - start
    return {"generate_and_check_seconds": round(generate, 2),
            "bare_promtool_check_seconds": round(bare, 2),
            "ratio": round(generate / bare, 2)}


def backfill(tsdb: Path, promtool: str, slo_count: int) -> dict[str, float]:
    """History of HISTORY_DAYS ending a few minutes ago, as TSDB blocks.

    promtool writes 2h blocks and re-reads its whole input once per block, so the history goes
    in one file per 2h block: one pass over the data instead of dozens.
    """
    end = int(time.time()) - 360  # older than the 5m lookback once measuring starts
    start = end - HISTORY_DAYS * 86400
    start -= start % BLOCK_SECONDS
    shutil.rmtree(tsdb, ignore_errors=True)
    began = time.perf_counter()
    chunk = WORK / "history.om"
    for t0 in range(start, end, BLOCK_SECONDS):
        with chunk.open("w", encoding="utf-8") as fh:
            fh.writelines(wl.openmetrics(t0, min(t0 + BLOCK_SECONDS, end), HISTORY_STEP,
                                         slo_count))
        subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", "--quiet",
                        str(chunk), str(tsdb)], check=True, capture_output=True)
    chunk.unlink()
    return {"backfill_seconds": round(time.perf_counter() - began, 1)}


def _config(path: Path, rules: Path, exporter: int, self_port: int) -> None:
    path.write_text(
        f"global: {{scrape_interval: {SCRAPE}, evaluation_interval: {EVALUATION}}}\n"
        f"rule_files: [{rules}]\n"
        "scrape_configs:\n"
        f"  - job_name: bench\n    static_configs: [{{targets: ['127.0.0.1:{exporter}']}}]\n"
        f"  - job_name: prometheus\n    static_configs: [{{targets: ['127.0.0.1:{self_port}']}}]\n",
        encoding="utf-8")


def _query(url: str, expr: str) -> float:
    data = requests.get(f"{url}/api/v1/query", params={"query": expr}, timeout=60).json()
    result = data["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def _cpu(url: str) -> float:
    text = requests.get(f"{url}/metrics", timeout=30).text
    line = next(x for x in text.splitlines() if x.startswith("process_cpu_seconds_total "))
    return float(line.split()[1])


def measure(rules: Path, tsdb: Path, exporter: int, prometheus: str) -> dict[str, float]:
    """Start Prometheus on the backfilled TSDB with `rules`; CPU and rule time once warm."""
    for sub in ("wal", "chunks_head"):  # every run starts from the same blocks
        shutil.rmtree(tsdb / sub, ignore_errors=True)
    port = _free_port()
    config = WORK / "prometheus.yml"
    _config(config, rules, exporter, port)
    url = f"http://127.0.0.1:{port}"
    log = (WORK / "prometheus.log").open("w")
    proc = subprocess.Popen([prometheus, f"--config.file={config}",
                             f"--storage.tsdb.path={tsdb}", "--storage.tsdb.retention.time=30d",
                             f"--web.listen-address=127.0.0.1:{port}"],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_ready(url)
        time.sleep(WARMUP_SECONDS)
        cpu0, t0 = _cpu(url), time.monotonic()
        durations = []
        while time.monotonic() - t0 < MEASURE_SECONDS:
            time.sleep(10)
            durations.append(_query(url, "sum(prometheus_rule_group_last_duration_seconds)"))
        cpu = (_cpu(url) - cpu0) / (time.monotonic() - t0)
        return {
            "cpu_cores": round(cpu, 3),
            "rule_group_seconds": round(sum(durations) / len(durations), 3),
            "recorded_series": _query(url, 'count({__name__=~"slo:.+|sloth_slo_info"})'),
            "missed_iterations": _query(url, "sum(prometheus_rule_group_iterations_missed_total)"),
        }
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        log.close()


def _wait_ready(url: str) -> None:
    deadline = time.monotonic() + 300  # loading days of blocks takes a while
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/-/ready", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.5)
    raise RuntimeError(f"Prometheus at {url} not ready; see {WORK / 'prometheus.log'}")


def _count_rules(text: str) -> int:
    starts = ("- record:", "- alert:")
    return sum(1 for line in text.splitlines() if line.lstrip().startswith(starts))


def main(argv: list[str]) -> int:
    """Run every size (or those in argv) and write the results; `--reuse` keeps the TSDB of
    the previous run instead of backfilling again (the gap since then is live-scraped)."""
    reuse = "--reuse" in argv
    # Other words are bench names when bench/run.py runs this file (`make bench BENCH=rules`).
    sizes = [int(a) for a in argv if a.isdigit()] or list(SIZES)
    promtool, prometheus = shutil.which("promtool"), shutil.which("prometheus")
    if promtool is None or prometheus is None:
        print("bench rules: needs promtool and prometheus on PATH", file=sys.stderr)
        return 1
    WORK.mkdir(parents=True, exist_ok=True)
    tsdb = WORK / "tsdb"
    results: dict[str, Any] = {
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpu_count": os.cpu_count(),
        "history": {"days": HISTORY_DAYS, "step_seconds": HISTORY_STEP, "scrape": SCRAPE,
                    "evaluation_interval": EVALUATION, "raw_series": len(wl.raw_series()),
                    **({"reused": True} if reuse and tsdb.is_dir()
                       else backfill(tsdb, promtool, max(SIZES)))},
        "sizes": {},
    }
    with wl.Exporter(exporter := _free_port()):
        for count in sizes:
            variants = (("slogen", render_slogen(count, WORK / f"specs-{count}")),
                        ("slogen_inline", render_slogen(count, WORK / f"specs-{count}", "inline")),
                        ("sloth", wl.sloth_rules(count)))
            row: dict[str, Any] = {}
            for name, text in variants:
                path = WORK / f"{name}-{count}.rules.yaml"
                path.write_text(text, encoding="utf-8")
                print(f"bench rules: {count} SLOs, {name}", flush=True)
                # Every rule aggregates to one series, so records are the recorded series a
                # fully warmed-up Prometheus holds (the measured count can miss a slow group
                # that has not run yet).
                row[name] = {"rules": _count_rules(text), "records": text.count("- record:"),
                             **measure(path, tsdb, exporter, prometheus)}
            row["ratios"] = {
                ours: {key: round(row[ours][key] / row["sloth"][key], 3) if row["sloth"][key]
                       else None
                       for key in ("cpu_cores", "rule_group_seconds", "recorded_series", "records",
                            "rules")}
                for ours in ("slogen", "slogen_inline")}
            row["generate"] = check_timing(count, promtool)
            results["sizes"][str(count)] = row
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(json.dumps(results, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    if code:  # bench/run.py runs the next bench after this one returns
        sys.exit(code)
