"""Replay PromQL over recorded series: build a TSDB with promtool, run a real Prometheus on a
loopback port against it, and ask for condition samples with query_range."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from generator.validate.processes import ProcessError, free_port, running

READY_SECONDS = 30.0
MAX_POINTS = 10_000  # Prometheus refuses more than 11,000 points per series in one query
QUERY_TIMEOUT = "2m"
RULES_NAME = "slogen.rules.yaml"


class ReplayError(Exception):
    """A tool or query failed; the message holds the tool's output."""


@dataclass(frozen=True)
class Replayer:
    """A running Prometheus serving a backfilled TSDB."""

    url: str
    session: requests.Session

    def condition_times(self, expr: str, start: float, end: float,
                        step: float) -> list[list[float]]:
        """For each series `expr` returns, the evaluation times at which it had a sample."""
        by_series: dict[str, list[float]] = {}
        chunk = step * MAX_POINTS
        t = start
        while t <= end:
            stop = min(end, t + chunk - step)
            for key, times in self._range(expr, t, stop, step):
                by_series.setdefault(key, []).extend(times)
            t = stop + step
        return [sorted(v) for _, v in sorted(by_series.items())]

    def sample_times(self, expr: str, at: float, span: float) -> list[float]:
        """Timestamps of the raw samples that the selector `expr` picks in (at - span, at]."""
        resp = self.session.post(f"{self.url}/api/v1/query", timeout=60, data={
            "query": f"{expr}[{int(span)}s]", "time": f"{at:.3f}"})
        body = resp.json()
        if resp.status_code != 200 or body.get("status") != "success":
            raise ReplayError(f"query failed ({resp.status_code}): {body.get('error')}\n"
                              f"query: {expr}")
        return sorted({float(ts) for s in body["data"]["result"] for ts, _ in s["values"]})

    def _range(self, expr: str, start: float, end: float,
               step: float) -> Iterator[tuple[str, list[float]]]:
        resp = self.session.post(f"{self.url}/api/v1/query_range", timeout=180, data={
            "query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}",
            "timeout": QUERY_TIMEOUT})
        body = resp.json() if resp.headers.get("content-type", "").startswith("application/json") \
            else {}
        if resp.status_code != 200 or body.get("status") != "success":
            raise ReplayError(f"query_range failed ({resp.status_code}): "
                              f"{body.get('error', resp.text[:500])}\nquery: {expr}")
        for series in body["data"]["result"]:
            key = ",".join(f"{k}={v}" for k, v in sorted(series["metric"].items()))
            yield key, [float(ts) for ts, _ in series["values"]]


def backfill_rules(promtool: str, rules: Path, url: str, start: float, end: float,
                   out: Path) -> None:
    """Evaluate the recording rules of `rules` against the Prometheus at `url` from `start` to
    `end` and write the results as TSDB blocks under `out`.

    promtool runs in the rule file's directory and is given its bare name: it evaluates each
    group at an offset hashed from the group and file names, so the same names give the same
    evaluation times on every run and at every level.
    """
    out.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([promtool, "tsdb", "create-blocks-from", "rules", "--quiet",
                             f"--url={url}", f"--start={int(start)}", f"--end={int(end) + 1}",
                             f"--output-dir={out.resolve()}", rules.name],
                            capture_output=True, text=True, check=False, cwd=rules.parent)
    if result.returncode != 0 or "level=error" in result.stdout + result.stderr:
        raise ReplayError(f"{rules.name}: promtool tsdb create-blocks-from rules failed:\n"
                          f"{result.stdout}{result.stderr}")


def move_blocks(src: Path, tsdb: Path) -> None:
    """Move the blocks written under `src` into `tsdb` (read by the next Prometheus start)."""
    for block in sorted(p for p in src.iterdir() if p.is_dir()):
        block.rename(tsdb / block.name)


def create_blocks(promtool: str, series: Path, tsdb: Path) -> None:
    """Write TSDB blocks from an OpenMetrics file with timestamps."""
    tsdb.mkdir(parents=True, exist_ok=True)
    result = subprocess.run([promtool, "tsdb", "create-blocks-from", "openmetrics", str(series),
                             str(tsdb)], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise ReplayError(f"{series}: promtool tsdb create-blocks-from openmetrics failed:\n"
                          f"{result.stdout}{result.stderr}")


@contextmanager
def serve(prometheus: str, tsdb: Path, workdir: Path) -> Iterator[Replayer]:
    """A Prometheus on a free loopback port over `tsdb`; stopped when the context exits."""
    config = workdir / "prometheus.yml"
    config.write_text("global: {}\n", encoding="utf-8")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    argv = [prometheus, f"--config.file={config}", f"--storage.tsdb.path={tsdb}",
            f"--web.listen-address=127.0.0.1:{port}",
            # Backfilled blocks lie in the past: keep them however old they are.
            "--storage.tsdb.retention.time=100y", "--query.max-samples=200000000"]
    try:
        with running(argv, f"{url}/-/ready", workdir / "prometheus.log", timeout=READY_SECONDS), \
                requests.Session() as session:
            yield Replayer(url, session)
    except ProcessError as exc:
        raise ReplayError(str(exc)) from None


def build_tsdb(promtool: str, prometheus: str, series: Path, levels: Sequence[str],
               span: tuple[float, float], workdir: Path) -> Path:
    """A TSDB holding `series` and every recorded series of the rule files in `levels` (texts,
    one per dependency level): each level is backfilled by promtool against a Prometheus that
    serves the raw series and every earlier level, so a rule reading a recorded series sees it."""
    tsdb = workdir / "tsdb"
    create_blocks(promtool, series, tsdb)
    for n, text in enumerate(levels):
        level = workdir / f"level{n}"
        level.mkdir()
        rules = level / RULES_NAME
        rules.write_text(text, encoding="utf-8")
        with serve(prometheus, tsdb, workdir) as server:
            backfill_rules(promtool, rules, server.url, span[0], span[1], level / "blocks")
        move_blocks(level / "blocks", tsdb)
    return tsdb
