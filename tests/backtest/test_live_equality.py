"""The backtest fires when a live Prometheus fires: one short scenario runs through a real
Prometheus that loads the generated rule file and scrapes the scenario's samples as their time
comes (explicit timestamps), and through the backtest (promtool-backfilled recording rules,
alert rules evaluated over the TSDB). Every alert's firing intervals must agree within one
evaluation step. Takes about four minutes of wall-clock time: Prometheus evaluates rules only
at the current time."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from generator import pipeline
from generator.backtest import evaluate as ev
from generator.backtest import rulefiles as rf
from generator.backtest.scoring import Interval
from generator.commands.backtest import _offsets, shipped_groups
from generator.validate import replay
from generator.validate.processes import free_port, running
from tests.conftest import ROOT
from tests.processes import binary
from tests.scrape_target import scrape_target

SPECS = ROOT / "tests" / "testdata" / "backtest-live"
STEP = 10  # seconds between samples, and the specs' evaluation interval
LABELS = 'job="live",instance="feed",service="live"'
# (seconds from the start, error ratio from then on): normal, an outage, normal again.
PHASES = ((0, 0.01), (40, 0.4), (130, 0.01))
LENGTH = 200
RPS = 20.0


def _samples(t0: int) -> list[tuple[int, float, float]]:
    """(timestamp, ok total, error total) every STEP seconds."""
    ok = err = 0.0
    rows = []
    for t in range(0, LENGTH + 1, STEP):
        ratio = next(r for start, r in reversed(PHASES) if t >= start)
        # A slow sine keeps the anomaly baseline's deviation non-zero.
        n = RPS * STEP * (1 + 0.1 * math.sin(t / 30))
        err += round(n * ratio)
        ok += n - round(n * ratio)
        rows.append((t0 + t, ok, err))
    return rows


def _openmetrics(rows: list[tuple[int, float, float]]) -> str:
    lines = ["# TYPE http_requests counter"]
    for code, col in (("200", 1), ("500", 2)):
        lines += [f'http_requests_total{{{LABELS},code="{code}"}} {r[col]:.1f} {r[0]}'
                  for r in rows]
    return "\n".join([*lines, "# EOF", ""])


@contextmanager
def _feed(rows: list[tuple[int, float, float]]) -> Iterator[str]:
    """Serve, at each scrape, the newest sample due within a second (explicit timestamps)."""
    def exposition(_path: str) -> str:
        due = [r for r in rows if r[0] <= time.time() + 1]
        if not due:
            return ""
        ts, ok, err = due[-1]
        return "".join(f'http_requests_total{{{LABELS},code="{c}"}} {v:.1f} {ts * 1000}\n'
                       for c, v in (("200", ok), ("500", err)))

    with scrape_target(exposition) as port:
        yield f"127.0.0.1:{port}"


def _live_episodes(url: str, end: float, span: int) -> dict[str, list[Interval]]:
    """Firing intervals per alertname/severity from the live Prometheus' ALERTS samples."""
    body = requests.get(f"{url}/api/v1/query", timeout=30, params={
        "query": f'ALERTS{{alertstate="firing"}}[{span}s]', "time": str(end)}).json()
    found: dict[str, list[Interval]] = {}
    for series in body["data"]["result"]:
        times = [float(ts) for ts, _ in series["values"]]
        runs: list[list[float]] = []
        for t in times:
            if runs and t - runs[-1][-1] <= STEP * 1.5:
                runs[-1].append(t)
            else:
                runs.append([t])
        key = f"{series['metric']['alertname']}/{series['metric']['severity']}"
        found[key] = [(r[0], min(r[-1] + STEP, end)) for r in runs]
    return found


def _backtest_episodes(series: Path, span: tuple[float, float], work: Path,
                       promtool: str, prometheus: str) -> dict[str, list[Interval]]:
    model = pipeline.compile_specs(SPECS, None, ROOT)
    groups = shipped_groups(model)
    levels = [rf.level_file(level) for level in rf.recording_levels(groups)]
    tsdb = replay.build_tsdb(promtool, prometheus, series, levels, span, work)
    found: dict[str, list[Interval]] = {}
    with replay.serve(prometheus, tsdb, work) as server:
        offsets = _offsets(server, groups, span[1])
        for alert in ev.shipped_alerts(groups, model):
            line = ev.timeline(alert, server.condition_times, span, offsets.get(alert.group, 0))
            fired = [(s, min(e, span[1])) for s, e in line.fired()]
            if fired:
                found[f"{alert.name}/{alert.severity}"] = fired
    return found


@pytest.mark.e2e
@pytest.mark.promtool
def test_backtest_fires_like_a_live_prometheus(tmp_path: Path, promtool: str) -> None:
    prometheus = binary("prometheus")
    model = pipeline.compile_specs(SPECS, None, ROOT)
    [rules_text] = [t for p, t in pipeline.render(model, frozenset({"prometheus"})).items()
                    if p.name.endswith(".rules.yaml")]
    (tmp_path / "live.rules.yaml").write_text(rules_text)
    t0 = (int(time.time()) // STEP + 3) * STEP
    rows = _samples(t0)
    port = free_port()
    with _feed(rows) as target:
        (tmp_path / "prometheus.yml").write_text(
            f"global: {{scrape_interval: 2s, evaluation_interval: {STEP}s}}\n"
            "rule_files: [live.rules.yaml]\n"
            "scrape_configs:\n- job_name: live\n  honor_labels: true\n"
            f"  static_configs: [{{targets: ['{target}']}}]\n")
        argv = [prometheus, f"--config.file={tmp_path / 'prometheus.yml'}",
                f"--storage.tsdb.path={tmp_path / 'live-tsdb'}",
                f"--web.listen-address=127.0.0.1:{port}"]
        with running(argv, f"http://127.0.0.1:{port}/-/ready", tmp_path / "live.log"):
            time.sleep(max(0.0, t0 + LENGTH + 2 * STEP - time.time()))
            live = _live_episodes(f"http://127.0.0.1:{port}", t0 + LENGTH, LENGTH + 60)
    series = tmp_path / "series.om"
    series.write_text(_openmetrics(rows))
    work = tmp_path / "backtest"
    work.mkdir()
    backtest = _backtest_episodes(series, (float(t0), float(t0 + LENGTH)), work, promtool,
                                  prometheus)
    # The outage must make the scenario interesting: at least the threshold and page alerts.
    assert {"ErrorsHigh/critical", "LiveAvailabilityBudgetBurn/critical"} <= set(live)
    assert set(backtest) == set(live), (backtest, live)
    for key, intervals in live.items():
        assert len(backtest[key]) == len(intervals), (key, backtest[key], intervals)
        for (bs, be), (ls, le) in zip(backtest[key], intervals, strict=True):
            assert abs(bs - ls) <= STEP and abs(be - le) <= STEP, (key, backtest[key], intervals)
