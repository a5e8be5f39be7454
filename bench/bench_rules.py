"""Rule-evaluation cost of slogen's SLO rules against Sloth-style rules, in real Prometheus
processes on a TSDB holding as much history as the longest SLO window.

    python bench/bench_rules.py                 # the full run: 100 and 1,000 SLOs
    python bench/bench_rules.py --quick 100     # a quicker look while changing rule layouts
    python bench/bench_rules.py 1000 --days 7   # one size, a shorter history

See HOW below (also written into bench/results/rules.json). Generate + `promtool check rules`
time against a bare promtool run is measured by bench/bench_generate.py, not here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import rules_plan as plan  # noqa: E402
from bench import rules_workload as wl  # noqa: E402

RESULTS = ROOT / "bench" / "results" / "rules.json"
WORK = ROOT / "bench" / "scratch" / "rules"
SIZES = {100: 30, 1_000: 30}  # SLOs: days of history (the longest SLO window is 30d)
# Scrape, rule evaluation and history share one step: Prometheus' built-in default of 1m, so
# backfilled and live samples are equally dense and the rules read what they would in use.
STEP = 60
BLOCK = 7200  # promtool writes 2h blocks
PROMTOOLS = 3  # promtool processes backfilling at once
COMPACTED = "54h"  # what Prometheus compacts them to with a retention of 30d or more
LIVE_WINDOW = 300  # the shortest rate window ([5m]) must hold live samples before measuring
TOPUP_AFTER = 120  # a history older than this is extended to now before measuring
# The recorded-windows layout only where it is cheap to run beside the others: at 1,000 SLOs
# another busy Prometheus leaves every process on this 2-core machine shorter of CPU.
RECORDED_UP_TO = 100
FULL = {"repeats": 3, "evaluations": 5}
QUICK = {"repeats": 2, "evaluations": 2, "days": 3}
SLO = wl.slo_name(0)  # the SLO whose rules are evaluated one by one for samples read

HOW = (
    "Each variant's rules (slogen's default layout as rendered by the current generator, "
    "slogen's recorded-windows layout (at 100 SLOs), Sloth-style rules for the same SLOs, "
    "and no rules at "
    "all as the baseline) run in their own Prometheus 2.42 process; all variants of all sizes "
    "run at the same time, each on a hard-linked copy of one TSDB, scraping one loopback "
    "exporter, so every variant sees the same machine load in every window. The TSDB holds "
    "`days` of history at a `step_seconds` step (raw counters and every recorded series a rule "
    "reads over a range or offset, with the labels a Prometheus running those rules gave them; "
    "recorded series at their group's interval), written by promtool tsdb create-blocks-from "
    "openmetrics and compacted by Prometheus into the blocks a 30d retention produces; scrape "
    "and evaluation intervals equal the step. slogen renders with its default "
    "prometheus.evaluation_interval (30s), so its SLO-window group (the 4m tiles and the SLO "
    "window's budget) runs every 4m, and its fast groups at the 1m global interval like "
    "Sloth's. After a warm-up (every group has run and the 5m "
    "windows hold live samples), `repeats` consecutive measuring windows each cover "
    "`evaluations_per_window` runs of the slowest rule group of any variant. Cost: "
    "process_cpu_seconds_total delta / wall seconds of each process (cores), raw and minus the "
    "baseline process in the same window (rule cost); spread is min/median/max over windows. "
    "Supporting: rule-group wall seconds per second (prometheus_rule_group_duration_seconds_sum "
    "delta; groups run concurrently, so not a CPU figure), missed iterations, runs of the "
    "slowest group per window, recorded series (instant count of the variant's record names), "
    "head series. Prometheus 2.42 exports no samples-read counter, so samples read per second "
    "are estimated after the windows: each rule of one SLO is evaluated once through the query "
    "API with stats=all (totalQueryableSamples), times the number of such rules, over the "
    "group interval. Per-rule cost ('dominant_rules') is the rules API's evaluationTime per "
    "rule summed by rule kind over the group interval.")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# ---- variants ---------------------------------------------------------------------------------

@dataclass
class Variant:
    """One rule set for one size: its rule files and parsed groups (none for the baseline)."""

    name: str
    size: int
    texts: dict[str, str] = field(default_factory=dict)  # file name -> rule file text

    @cached_property
    def groups(self) -> list[plan.Group]:
        return [g for text in self.texts.values() for g in plan.parse_groups(text, STEP)]

    def records(self) -> set[str]:
        return {str(r["record"]) for g in self.groups for r in g.rules if "record" in r}


def render_slogen(count: int, windows: str | None) -> dict[str, str] | None:
    """slogen's Prometheus rule files for `count` synthetic SLOs, from the current generator;
    `windows` sets prometheus.windows (None: the default). None if that setting is refused."""
    from generator import pipeline

    with tempfile.TemporaryDirectory(prefix="slogen-rules-bench-") as tmp:
        spec_dir = Path(tmp)
        wl.write_specs(spec_dir, count)
        if windows:
            (spec_dir / "_global.yaml").write_text(
                f"version: slogen/v1\nprometheus: {{windows: {windows}}}\n", encoding="utf-8")
        try:
            files = pipeline.render(pipeline.compile_specs(spec_dir, None),
                                    frozenset({"prometheus"}))
        except Exception as exc:  # noqa: BLE001 - a layout the generator no longer offers
            print(f"bench rules: slogen windows={windows} not rendered: {exc}", file=sys.stderr)
            return None
    return {Path(path).name: text for path, text in sorted(files.items(), key=lambda x: str(x[0]))
            if "groups:" in text}


def variants_for(count: int) -> list[Variant]:
    """The rule sets measured at `count` SLOs; the baseline last."""
    default = render_slogen(count, None)
    if default is None:
        raise RuntimeError("slogen's default layout did not render")
    out = [Variant("slogen", count, default)]
    recorded = render_slogen(count, "recorded") if count <= RECORDED_UP_TO else None
    if recorded is not None and recorded != default:
        out.append(Variant("slogen_recorded", count, recorded))
    out.append(Variant("sloth", count, {"sloth.rules.yaml": wl.sloth_rules(count)}))
    out.append(Variant("baseline", count, {}))
    return out


def count_rules(variant: Variant) -> dict[str, int]:
    groups = variant.groups
    return {"rules": sum(len(g.rules) for g in groups),
            "records": sum(1 for g in groups for r in g.rules if "record" in r),
            "groups": len(groups)}


# ---- one Prometheus ---------------------------------------------------------------------------

class Prometheus:
    """A Prometheus process on `tsdb` with `rule_files`, scraping the exporter (if any)."""

    def __init__(self, name: str, tsdb: Path, rule_files: Sequence[Path], exporter: int | None,
                 interval: int, flags: Sequence[str] = ()) -> None:
        self.name, self.tsdb = name, tsdb
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = tsdb.parent / f"{tsdb.name}.prometheus.yml"
        scrape = ("scrape_configs:\n  - job_name: " + wl.JOB + "\n    honor_labels: true\n"
                  f"    static_configs: [{{targets: ['127.0.0.1:{exporter}']}}]\n"
                  if exporter else "scrape_configs: []\n")
        config.write_text(
            f"global: {{scrape_interval: {interval}s, evaluation_interval: {interval}s}}\n"
            f"rule_files: {json.dumps([str(p) for p in rule_files])}\n" + scrape,
            encoding="utf-8")
        self.log_path = tsdb.parent / f"{tsdb.name}.prometheus.log"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
             "--storage.tsdb.retention.time=90d", f"--web.listen-address=127.0.0.1:{self.port}",
             *flags], stdout=self._log, stderr=subprocess.STDOUT)

    def wait_ready(self, timeout: float = 600) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            try:
                if requests.get(f"{self.url}/-/ready", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"Prometheus {self.name} not ready; see {self.log_path}")

    def metrics(self) -> dict[str, list[tuple[str, float]]]:
        return plan.parse_exposition(requests.get(f"{self.url}/metrics", timeout=60).text)

    def query(self, expr: str, **params: str) -> dict[str, Any]:
        data: dict[str, Any] = requests.get(f"{self.url}/api/v1/query",
                                            params={"query": expr, **params}, timeout=120).json()
        if data.get("status") != "success":
            raise RuntimeError(f"query {expr[:80]!r} failed: {data.get('error')}")
        return data

    def scalar(self, expr: str) -> float:
        result = self.query(expr)["data"]["result"]
        return float(result[0]["value"][1]) if result else 0.0

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()


# ---- history ----------------------------------------------------------------------------------

def _selector(name: str, labels: dict[str, str]) -> str:
    inner = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def discover(variants: Sequence[Variant], exporter: int) -> list[wl.Recorded]:
    """The recorded series the rules read back over time, with the labels and values a
    Prometheus running every variant's rules gives them (a few fast rounds on an empty TSDB),
    and the interval their own rule writes them at. Cached by the rule files' text."""
    names = plan.history_read_metrics(t for v in variants for t in v.texts.values())
    if not names:
        return []
    # The rule files' header names the (temporary) spec directory: leave comments out.
    rules = [[line for t in v.texts.values() for line in t.splitlines()
              if not line.startswith("#")] for v in variants]
    digest = hashlib.sha256(json.dumps([sorted(names), rules]).encode()).hexdigest()[:16]
    cached = WORK / f"discovered-{digest}.json"
    if cached.exists():
        return [wl.Recorded(s, st, tuple(vals))
                for s, st, vals in json.loads(cached.read_text(encoding="utf-8"))]
    # One variant at a time: beside 3,000 small groups every 5s, one group of 5,000 rules
    # got so little of a loaded machine that it recorded nothing in minutes.
    result = [row for v in variants for row in _discover_one(v, exporter)]
    records: dict[str, list[tuple[str, dict[str, str], float]]] = {}
    for v in variants:
        for rec in plan.record_intervals(v.groups):
            records.setdefault(rec[0], []).append(rec)
    out: dict[str, wl.Recorded] = {}
    for row in result:
        labels = {k: v for k, v in row["metric"].items() if k != "__name__"}
        name = row["metric"]["__name__"]
        step = plan.series_interval(name, labels, records.get(name, []), STEP)
        step = int(math.ceil(step / STEP) * STEP)
        value = float(row["value"][1])
        value = value if math.isfinite(value) else 0.0
        series = _selector(name, labels)
        out[series] = wl.Recorded(series, step, wl.jittered(value))
    found = sorted(out.values(), key=lambda r: r.series)
    cached.write_text(json.dumps([[r.series, r.step, list(r.values)] for r in found]),
                      encoding="utf-8")
    return found


def _discover_one(variant: Variant, exporter: int) -> list[dict[str, Any]]:
    """Run `variant`'s rules with every group at 5s on an empty TSDB until each recording
    rule whose output the rules read back has written its series; return those series."""
    names = plan.history_read_metrics(variant.texts.values())
    if not names:
        return []
    expected = {n: sum(1 for g in variant.groups for r in g.rules if r.get("record") == n)
                for n in names}
    scratch = WORK / "discovery"
    shutil.rmtree(scratch, ignore_errors=True)
    scratch.mkdir(parents=True)
    files = []
    for fname, text in variant.texts.items():
        files.append(scratch / fname)
        files[-1].write_text(re.sub(r"^(\s*)interval: \S+$", r"\1interval: 5s", text,
                                    flags=re.MULTILINE), encoding="utf-8")
    prom = Prometheus("discovery", scratch / "tsdb", files, exporter, 5)
    pattern = "|".join(re.escape(n) for n in sorted(names))
    try:
        prom.wait_ready()
        seen: list[dict[str, float]] = []
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            time.sleep(5)
            counts = {r["metric"].get("__name__", ""): float(r["value"][1]) for r in prom.query(
                f'count by (__name__) ({{__name__=~"{pattern}"}})')["data"]["result"]}
            seen.append(counts)
            # Each of these rules aggregates to one series; stable counts end a generic wait.
            if all(counts.get(n, 0) >= k for n, k in expected.items()) or (
                    len(seen) >= 6 and set(counts) == names and seen[-3] == counts):
                break
        else:
            raise RuntimeError(f"discovery of {variant.name} saw {seen[-1] if seen else {}} "
                               f"of {expected}")
        rows: list[dict[str, Any]] = prom.query(f'{{__name__=~"{pattern}"}}')["data"]["result"]
    finally:
        prom.stop()
    shutil.rmtree(scratch, ignore_errors=True)
    return rows


def _backfill(tsdb: Path, start: int, end: int, recorded: Sequence[wl.Recorded]) -> int:
    """Write [start, end) into `tsdb` as 2h blocks, one input file per block (promtool reads its
    whole input once per block), a few promtool processes at a time while the next file is
    generated."""
    samples, pending = 0, deque[subprocess.Popen[bytes]]()
    tsdb.mkdir(parents=True, exist_ok=True)

    def reap() -> None:
        if pending.popleft().wait() != 0:
            raise RuntimeError("promtool tsdb create-blocks-from openmetrics failed")

    for i, t0 in enumerate(range(start - start % BLOCK, end, BLOCK)):
        # At most PROMTOOLS files are being read: this one was read PROMTOOLS + 1 blocks ago.
        chunk = WORK / f"history-{i % (PROMTOOLS + 1)}.om"
        samples += wl.write_history(chunk, max(t0, start), min(t0 + BLOCK, end), STEP, recorded)
        if len(pending) == PROMTOOLS:
            reap()
        pending.append(subprocess.Popen(["promtool", "tsdb", "create-blocks-from", "openmetrics",
                                         "--quiet", str(chunk), str(tsdb)],
                                        stdout=subprocess.DEVNULL))
    while pending:
        reap()
    for i in range(PROMTOOLS + 1):
        (WORK / f"history-{i}.om").unlink(missing_ok=True)
    return samples


def _blocks(tsdb: Path) -> list[Path]:
    return sorted(p for p in tsdb.iterdir() if (p / "meta.json").exists())


def _clean(tsdb: Path) -> None:
    for sub in ("wal", "chunks_head"):
        shutil.rmtree(tsdb / sub, ignore_errors=True)
    for name in ("lock", "queries.active"):
        (tsdb / name).unlink(missing_ok=True)


def _compact(tsdb: Path) -> None:
    """Let Prometheus compact the 2h blocks as it would with a 30d+ retention (up to 54h), so
    a 30d range reads a dozen blocks, not 360; measuring runs then compact nothing."""
    prom = Prometheus("compact", tsdb, [], None, STEP,
                      [f"--storage.tsdb.max-block-duration={COMPACTED}"])
    try:
        prom.wait_ready()
        began, last, stable = time.monotonic(), None, 0
        while time.monotonic() - began < 3600:
            time.sleep(5)
            m = prom.metrics()
            now = (plan.total(m, "prometheus_tsdb_compactions_total"),
                   plan.total(m, "prometheus_tsdb_blocks_loaded"))
            stable = stable + 1 if now == last else 0
            last = now
            # The compaction loop first runs a minute after start-up, then until done; one
            # compaction of 54h of 1,000 SLOs takes seconds, so a quiet minute means done.
            if time.monotonic() - began > 75 and stable >= 12:  # a quiet minute
                break
    finally:
        prom.stop()
    _clean(tsdb)


def history(days: int, recorded: Sequence[wl.Recorded], fresh: bool) -> tuple[Path, dict[str, Any]]:
    """A TSDB with `days` of history for `recorded` (and the raw counters), from the cache
    under bench/scratch when one with the same key exists (extended to now if it has aged)."""
    workload = {"days": days, "step": STEP, "sources": wl.SOURCES, "instances": wl.INSTANCES,
                "rates": wl.RATES, "epoch": wl.EPOCH}
    # The series and their steps make the history; their values (a rate the discovery run
    # saw, give or take a counter's rounding) only shape compression.
    wanted = sorted(f"{r.series}@{r.step}" for r in recorded)
    key = hashlib.sha256(json.dumps({**workload, "series": wanted}, sort_keys=True).encode()
                         ).hexdigest()[:16]
    tsdb = WORK / f"tsdb-{days}d-{STEP}s-{key}"
    meta_path = WORK / f"{tsdb.name}.json"
    if fresh:
        shutil.rmtree(tsdb, ignore_errors=True)
        meta_path.unlink(missing_ok=True)
    elif not meta_path.exists():  # a history holding more series serves as well
        for other in sorted(WORK.glob(f"tsdb-{days}d-{STEP}s-*.json")):
            meta = json.loads(other.read_text(encoding="utf-8"))
            if (meta.get("workload") == workload and set(wanted) <= set(meta.get("series", ()))
                    and other.with_suffix("").is_dir()):
                tsdb, meta_path = other.with_suffix(""), other
                break
    now = int(time.time()) - STEP
    now -= now % STEP
    if meta_path.exists() and tsdb.is_dir():
        meta: dict[str, Any] = {**json.loads(meta_path.read_text(encoding="utf-8")),
                                "cached": True}
    else:
        shutil.rmtree(tsdb, ignore_errors=True)
        start = now - days * 86400
        start -= start % BLOCK
        began = time.perf_counter()
        samples = _backfill(tsdb, start, now, recorded)
        backfill_s = time.perf_counter() - began
        began = time.perf_counter()
        _compact(tsdb)
        meta = {"workload": workload, "series": wanted,
                "days": days, "step_seconds": STEP, "start": start, "end": now,
                "samples": samples, "raw_series": len(wl.raw_series()),
                "recorded_series": len(recorded),
                "recorded_series_steps": sorted({r.step for r in recorded}),
                "backfill_seconds": round(backfill_s, 1),
                "compaction_seconds": round(time.perf_counter() - began, 1), "cached": False}
    now = int(time.time()) - STEP
    now -= now % STEP
    if now - meta["end"] > TOPUP_AFTER:  # the gap to now, as small blocks of its own
        began = time.perf_counter()
        meta["topped_up_samples"] = meta.get("topped_up_samples", 0) + _backfill(
            tsdb, meta["end"], now, recorded)
        meta["topped_up_seconds"] = round(time.perf_counter() - began, 1)
        meta["end"] = now
    meta["blocks"] = len(_blocks(tsdb))
    meta["bytes"] = sum(f.stat().st_size for f in tsdb.rglob("*") if f.is_file())
    meta_path.write_text(json.dumps({k: v for k, v in meta.items() if k != "cached"}),
                         encoding="utf-8")
    return tsdb, {k: v for k, v in meta.items() if k not in ("series", "workload")}


def _link_copy(source: Path, dest: Path) -> None:
    """`dest` as a TSDB of hard links to `source`'s blocks (blocks are never written in place)."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    for block in _blocks(source):
        shutil.copytree(block, dest / block.name, copy_function=os.link)


# ---- measuring --------------------------------------------------------------------------------

@dataclass
class Snapshot:
    at: float
    cpu: float
    group_seconds: float
    iterations: dict[str, float]  # scheduled evaluations by group, skipped ones included
    missed: dict[str, float]
    durations: dict[str, float]  # last evaluation's wall seconds by group


def snapshot(prom: Prometheus) -> Snapshot:
    before = time.monotonic()
    m = prom.metrics()
    at = (before + time.monotonic()) / 2
    return Snapshot(at, plan.total(m, "process_cpu_seconds_total"),
                    plan.total(m, "prometheus_rule_group_duration_seconds_sum"),
                    plan.per_group(m, "prometheus_rule_group_iterations_total"),
                    plan.per_group(m, "prometheus_rule_group_iterations_missed_total"),
                    plan.per_group(m, "prometheus_rule_group_last_duration_seconds"))


def _has_run(snap: Snapshot, variant: Variant) -> bool:
    """Every group of `variant` has been evaluated at least once."""
    return all(snap.iterations.get(g.name, 0) >= 1 for g in variant.groups)


def window_figures(a: Snapshot, b: Snapshot, slowest_groups: Sequence[str]) -> dict[str, float]:
    wall = b.at - a.at
    scheduled = {g: n - a.iterations.get(g, 0) for g, n in b.iterations.items()}
    missed = {g: n - a.missed.get(g, 0) for g, n in b.missed.items()}
    done = plan.completed_runs(scheduled, missed)
    cpu = (b.cpu - a.cpu) / wall
    normalized = plan.work_normalized(cpu, scheduled, done, b.durations)
    return {"wall_seconds": round(wall, 1), "cpu_cores": cpu,
            "rule_group_seconds_per_second": (b.group_seconds - a.group_seconds) / wall,
            "scheduled_evaluations": sum(scheduled.values()),
            "missed_iterations": sum(missed.values()),
            "work_normalized_cpu_cores": cpu if normalized is None else normalized,
            "slowest_group_runs": min((done.get(g, 0) for g in slowest_groups), default=0)}


def dominant_rules(prom: Prometheus, variant: Variant, top: int = 8) -> list[dict[str, Any]]:
    """Rule kinds by evaluation seconds per second (the rules API's last evaluationTime of
    each rule over its group interval), and samples each kind reads per second (one SLO's
    rules evaluated with stats=all, times the number of such rules, over the interval)."""
    data = requests.get(f"{prom.url}/api/v1/rules", timeout=300).json()["data"]["groups"]
    kinds: dict[str, dict[str, Any]] = {}
    for group in data:
        interval = float(group["interval"])
        for rule in group["rules"]:
            spec = {"record": rule["name"]} if rule["type"] == "recording" else {
                "alert": rule["name"], "labels": rule.get("labels") or {}}
            kind = plan.rule_kind(group["name"], spec)
            row = kinds.setdefault(kind, {"rules": 0, "eval_seconds_per_second": 0.0,
                                          "interval": interval, "samples": []})
            row["rules"] += 1
            row["eval_seconds_per_second"] += float(rule.get("evaluationTime", 0)) / interval
            if SLO in json.dumps(rule.get("labels") or {}) or SLO in rule["query"]:
                stats = prom.query(rule["query"], stats="all")["data"].get("stats") or {}
                row["samples"].append(stats.get("samples", {}).get("totalQueryableSamples", 0))
    total_cost = sum(r["eval_seconds_per_second"] for r in kinds.values()) or 1.0
    rows = []
    for kind, row in kinds.items():
        per_rule = sum(row["samples"]) / len(row["samples"]) if row["samples"] else None
        rows.append({"kind": kind, "rules": row["rules"], "interval_seconds": row["interval"],
                     "eval_seconds_per_second": round(row["eval_seconds_per_second"], 4),
                     "share_of_eval_time": round(row["eval_seconds_per_second"] / total_cost, 3),
                     "samples_per_evaluation_per_rule": per_rule,
                     "samples_per_second": None if per_rule is None else
                     round(per_rule * row["rules"] / row["interval"])})
    rows.sort(key=lambda r: -r["eval_seconds_per_second"])
    return rows[:top] + ([{"kind": "(all)", "rules": sum(r["rules"] for r in rows),
                           "samples_per_second": sum(r["samples_per_second"] or 0
                                                     for r in rows)}])


def measure(sizes: dict[int, int], repeats: int, evaluations: int, fresh: bool,
            warmup: float | None = None) -> dict[str, Any]:
    """Prepare every size's variants and history, run them all side by side, measure."""
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    with wl.Exporter(exporter := _free_port()):
        # Sizes with the same days share one history holding every size's series (SLO i has
        # the same series at every size): one backfill, and an index 1,000 SLOs wide at 100.
        variants = {count: variants_for(count) for count in sizes}
        series: dict[int, dict[str, wl.Recorded]] = {}
        for count, days in sizes.items():
            print(f"bench rules: {count} SLOs: {[v.name for v in variants[count]]}; "
                  "discovering the series the rules read back", flush=True)
            found = discover([v for v in variants[count] if v.texts], exporter)
            series.setdefault(days, {}).update((r.series, r) for r in found)
        tsdbs = {}
        for days, found in series.items():
            recorded = sorted(found.values(), key=lambda r: r.series)
            print(f"bench rules: {days} days of history, {len(recorded)} recorded series",
                  flush=True)
            tsdbs[days] = history(days, recorded, fresh)
            print(f"bench rules: history {tsdbs[days][1]}", flush=True)
        prepared = [(count, variants[count], *tsdbs[days]) for count, days in sizes.items()]

        slowest = max(plan.slowest_interval(v.groups) for _, vs, _, _ in prepared for v in vs)
        window = plan.measuring_window(slowest, evaluations)
        warm = warmup if warmup is not None else plan.warmup(slowest, STEP, LIVE_WINDOW)
        procs: list[tuple[int, Variant, Prometheus]] = []
        try:
            for count, variants, tsdb, _ in prepared:
                for v in variants:
                    run = WORK / "run" / f"{count}-{v.name}"
                    _link_copy(tsdb, run / "tsdb")
                    files = []
                    for fname, text in v.texts.items():
                        files.append(run / fname)
                        files[-1].write_text(text, encoding="utf-8")
                    procs.append((count, v, Prometheus(
                        f"{count}-{v.name}", run / "tsdb", files, exporter, STEP,
                        ["--storage.tsdb.min-block-duration=2h",
                         "--storage.tsdb.max-block-duration=2h"])))
            for _, _, p in procs:
                p.wait_ready()
            started = time.monotonic()
            print(f"bench rules: {len(procs)} Prometheus running; warm-up {warm:.0f}s, "
                  f"{repeats} windows of {window:.0f}s", flush=True)
            time.sleep(warm)
            while not all(_has_run(snapshot(p), v) for _, v, p in procs):
                time.sleep(5)
            first_window, warmed = time.time(), time.monotonic() - started
            load_windows = []
            windows: dict[str, list[dict[str, float]]] = {p.name: [] for _, _, p in procs}
            for r in range(repeats):
                before = {p.name: snapshot(p) for _, _, p in procs}
                load0 = os.getloadavg()[0]
                time.sleep(window)
                after = {p.name: snapshot(p) for _, _, p in procs}
                load_windows.append([round(load0, 2), round(os.getloadavg()[0], 2)])
                for _, v, p in procs:
                    slow = plan.slowest_interval(v.groups)
                    names = [g.name for g in v.groups if g.interval == slow]
                    windows[p.name].append(window_figures(before[p.name], after[p.name], names))
                print(f"bench rules: window {r + 1}/{repeats}: " + ", ".join(
                    f"{p.name} {windows[p.name][-1]['cpu_cores']:.3f}" for _, _, p in procs),
                    flush=True)
            for count, variants, _, meta in prepared:
                row = _size_results(count, variants, procs, windows, meta, first_window)
                row["load_1m_per_window"] = load_windows
                row["warmup_seconds"] = round(warmed)
                results[str(count)] = row
        finally:
            for _, _, p in procs:
                p.stop()
    return {"slowest_interval_seconds": slowest, "window_seconds": window,
            "warmup_min_seconds": warm, "sizes": results}


def _size_results(count: int, variants: Sequence[Variant],
                  procs: Sequence[tuple[int, Variant, Prometheus]],
                  windows: dict[str, list[dict[str, float]]], meta: dict[str, Any],
                  first_window: float) -> dict[str, Any]:
    by_name = {v.name: p for c, v, p in procs if c == count}
    base = windows[by_name["baseline"].name]
    out: dict[str, Any] = {
        "history": {**meta, "tsdb_age_seconds_at_first_window": round(first_window - meta["end"]),
                    "scrape_and_evaluation_interval_seconds": STEP},
        "variants": {}}
    for v in variants:
        prom = by_name[v.name]
        rows = windows[prom.name]
        cpu = [w["cpu_cores"] for w in rows]
        row: dict[str, Any] = {
            **count_rules(v),
            "cpu_cores": plan.spread(cpu),
            "windows": [{k: round(x, 4) for k, x in w.items()} for w in rows],
            "rule_group_seconds_per_second": plan.spread(
                [w["rule_group_seconds_per_second"] for w in rows]),
            "missed_iterations": sum(w["missed_iterations"] for w in rows),
            "scheduled_evaluations": sum(w["scheduled_evaluations"] for w in rows),
            # Only differs from cpu_cores when evaluations were skipped (a starved process).
            "work_normalized_cpu_cores": plan.spread(
                [w["work_normalized_cpu_cores"] for w in rows]),
            "slowest_group_interval_seconds": plan.slowest_interval(v.groups),
            "slowest_group_runs_per_window": [w["slowest_group_runs"] for w in rows],
            "head_series": plan.total(prom.metrics(), "prometheus_tsdb_head_series"),
        }
        if v.texts:
            row["rule_cpu_cores"] = plan.spread(
                [c - b["cpu_cores"] for c, b in zip(cpu, base, strict=True)])
            names = "|".join(re.escape(n) for n in sorted(v.records()))
            row["recorded_series"] = prom.scalar(f'count({{__name__=~"{names}"}})')
            row["dominant_rules"] = dominant_rules(prom, v)
            row["samples_read_per_second_estimate"] = row["dominant_rules"][-1][
                "samples_per_second"]
        out["variants"][v.name] = row
    missed = {n: v["missed_iterations"] for n, v in out["variants"].items()
              if v["missed_iterations"]}
    out["complete"] = not missed
    if missed:
        out["incomplete_because"] = (
            f"rule groups skipped evaluations ({missed}): those processes were short of CPU, "
            "so their cpu_cores is the share they got, not the cost of their rules; "
            "work_normalized_cpu_cores scales it by the work left undone")
    sloth = out["variants"]["sloth"]
    out["ratios_vs_sloth"] = {}
    for v in variants:
        if v.name in ("sloth", "baseline"):
            continue
        ours = out["variants"][v.name]
        mine, theirs = windows[by_name[v.name].name], windows[by_name["sloth"].name]
        per_window_raw = [a["cpu_cores"] / b["cpu_cores"]
                          for a, b in zip(mine, theirs, strict=True)]
        per_window_rule = [
            (a["cpu_cores"] - c["cpu_cores"]) / (b["cpu_cores"] - c["cpu_cores"])
            for a, b, c in zip(mine, theirs, base, strict=True)
            if b["cpu_cores"] > c["cpu_cores"]]
        out["ratios_vs_sloth"][v.name] = {
            "cpu_cores": plan.ratio(ours["cpu_cores"]["median"], sloth["cpu_cores"]["median"]),
            "cpu_cores_per_window": plan.spread(per_window_raw, 3),
            "rule_cpu_cores": plan.ratio(ours["rule_cpu_cores"]["median"],
                                         sloth["rule_cpu_cores"]["median"]),
            "rule_cpu_cores_per_window": plan.spread(per_window_rule, 3) if per_window_rule
            else None,
            "work_normalized_cpu_cores": plan.ratio(ours["work_normalized_cpu_cores"]["median"],
                                                    sloth["work_normalized_cpu_cores"]["median"]),
            "recorded_series": plan.ratio(ours["recorded_series"], sloth["recorded_series"]),
            "rules": plan.ratio(ours["rules"], sloth["rules"]),
            "samples_read": plan.ratio(ours["samples_read_per_second_estimate"] or 0,
                                       sloth["samples_read_per_second_estimate"] or 0),
        }
    return out


def summary(result: dict[str, Any]) -> str:
    """The figures as a few lines of text."""
    lines = []
    for size, row in result["sizes"].items():
        h = row["history"]
        lines.append(f"{size} SLOs, {h['days']}d history at {h['step_seconds']}s, TSDB age "
                     f"{h['tsdb_age_seconds_at_first_window']}s"
                     + ("" if row.get("complete", True) else ", INCOMPLETE (skipped evaluations)")
                     + ":")
        for name, v in row["variants"].items():
            c, rc = v["cpu_cores"], v.get("rule_cpu_cores")
            lines.append(
                f"  {name:16} cpu {c['min']:.3f}/{c['median']:.3f}/{c['max']:.3f}"
                + (f"  rules {rc['min']:.3f}/{rc['median']:.3f}/{rc['max']:.3f}" if rc else "")
                + f"  series {v.get('recorded_series', '-')}  missed {v['missed_iterations']:.0f}"
                + f"  slowest-group runs {v['slowest_group_runs_per_window']}")
        for name, r in row["ratios_vs_sloth"].items():
            lines.append(f"  {name} / sloth: cpu {r['cpu_cores']}  rule cpu {r['rule_cpu_cores']}"
                         f"  series {r['recorded_series']}  samples {r['samples_read']}")
        for name, v in row["variants"].items():
            for d in v.get("dominant_rules", [])[:4]:
                if d["kind"] != "(all)":
                    lines.append(f"    {name}: {d['kind']}  {d['share_of_eval_time']:.0%} of eval"
                                 f" time, {d['samples_per_second']} samples/s")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="bench_rules.py", description=__doc__.split("\n")[0])
    parser.add_argument("sizes", nargs="*", help="SLO counts (default: 100 1000); other words "
                        "are bench names passed on by bench/run.py and ignored")
    parser.add_argument("--quick", action="store_true", help="3 days of history, 2 windows "
                        "of 2 slowest-group runs; writes bench/scratch/rules/quick.json only")
    parser.add_argument("--days", type=int, help="days of history for every size")
    parser.add_argument("--repeats", type=int)
    parser.add_argument("--evaluations", type=int, help="slowest-group runs per window")
    parser.add_argument("--warmup", type=float, help=argparse.SUPPRESS)  # debugging only
    parser.add_argument("--fresh", action="store_true", help="backfill again, ignoring the cache")
    args = parser.parse_args(argv)
    if shutil.which("promtool") is None or shutil.which("prometheus") is None:
        print("bench rules: needs promtool and prometheus on PATH", file=sys.stderr)
        return 1
    mode = QUICK if args.quick else FULL
    counts = [int(a) for a in args.sizes if a.isdigit()] or list(SIZES)
    days = args.days or mode.get("days")
    sizes = {c: days or SIZES.get(c, 30) for c in counts}
    repeats = args.repeats or mode["repeats"]
    evaluations = args.evaluations or mode["evaluations"]
    load_start = [round(x, 2) for x in os.getloadavg()]
    began = time.time()
    result = measure(sizes, repeats, evaluations, args.fresh, args.warmup)
    result = {"how": HOW, "quick": args.quick, "repeats": repeats,
              "evaluations_per_window": evaluations,
              "machine": {"cpu_count": os.cpu_count(), "load_average_at_start": load_start,
                          "load_average_at_end": [round(x, 2) for x in os.getloadavg()]},
              "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(began)),
              "run_seconds": round(time.time() - began), **result}
    target = WORK / "quick.json" if args.quick else RESULTS
    if not args.quick and target.exists() and set(map(str, counts)) != set(map(str, SIZES)):
        old = json.loads(target.read_text(encoding="utf-8"))  # one size: keep the others
        result["sizes"] = {**old.get("sizes", {}), **result["sizes"]}
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(summary(result))
    print(f"bench rules: wrote {target.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    code = main(sys.argv[1:])
    if code:  # bench/run.py runs the next bench after this one returns
        sys.exit(code)
