"""Replay PromQL over recorded series: build a TSDB with promtool, run a real Prometheus on a
loopback port against it, and ask for condition samples with query_range."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import requests

from generator.validate.processes import ProcessError, free_port, running

READY_SECONDS = 30.0
MAX_POINTS = 10_000  # Prometheus refuses more than 11,000 points per series in one query
QUERY_TIMEOUT = "2m"


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
