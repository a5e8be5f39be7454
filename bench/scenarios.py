"""Synthetic scenarios for `slogen backtest`: series in OpenMetrics text plus labelled incidents.

Traffic follows a daily cycle; on top come fast outages, slow burns, short noise spikes (not
incidents: a good alert stays quiet), gradual disk exhaustion, a disk-usage blip and a stuck
queue consumer. Everything is seeded, so a scenario's files are the same on every run.

    python3 bench/scenarios.py OUT_DIR [NAME ...]   writes OUT_DIR/<name>/{series.om,incidents.yaml}
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SERVICE = "shop"
SPECS_DIR = Path(__file__).resolve().parent / "scenarios" / "specs"
EPOCH = 1_767_571_200  # 2026-01-05T00:00:00Z, a Monday
STEP = 60
HOUR, DAY = 3600, 86400
DISK_FULL_SIZE = 100e9


@dataclass(frozen=True)
class Event:
    """A fault or a distraction between `start` and `end` (seconds after the scenario start)."""

    kind: str  # errors | disk_fill | disk_blip | queue_stuck
    start: int
    end: int
    level: float = 0.0
    incident: str = ""  # name of the labelled incident; empty for noise that should not alert
    alerts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A named set of events over `length` seconds, preceded by `warmup` of plain traffic."""

    name: str
    length: int
    warmup: int
    events: tuple[Event, ...] = field(default_factory=tuple)
    seed: int = 7


ERROR_ALERTS = ("ShopAvailabilityBudgetBurn", "HighErrorRate", "ErrorRateElevated")
DISK_ALERTS = ("DiskWillFill", "DiskLow")
QUEUE_ALERTS = ("QueueDepthAnomaly", "QueueDepthHigh")


def _d(day: float, hour: float = 0) -> int:
    return int(day * DAY + hour * HOUR)


SCENARIOS = {
    # Under a minute of CI time: one outage, one noise spike, one stuck queue.
    "small": Scenario("small", length=_d(0, 12), warmup=_d(1), events=(
        Event("errors", _d(0, 2), _d(0, 2.5), 0.6, "outage-1", ERROR_ALERTS),
        Event("errors", _d(0, 6), _d(0, 6.05), 0.12),
        Event("queue_stuck", _d(0, 8), _d(0, 9.5), 6.0, "queue-1", QUEUE_ALERTS),
    )),
    # The shipped set: four days of every kind of fault and distraction.
    "standard": Scenario("standard", length=_d(4), warmup=_d(1), events=(
        Event("errors", _d(0, 10), _d(0, 10.05), 0.10),
        Event("queue_stuck", _d(0, 20), _d(0, 21.5), 6.0, "queue-stuck", QUEUE_ALERTS),
        Event("errors", _d(1, 9), _d(1, 9.42), 0.6, "fast-outage", ERROR_ALERTS),
        Event("disk_blip", _d(1, 14), _d(1, 15), 25e9),
        Event("errors", _d(1, 15), _d(1, 15.03), 0.12),
        Event("errors", _d(2, 3), _d(2, 3.07), 0.08),
        Event("errors", _d(2, 12), _d(2, 22), 0.04, "slow-burn", ERROR_ALERTS),
        Event("queue_busy", _d(2, 0), _d(3, 0), 1.6),
        Event("disk_fill", _d(3, 0), _d(3, 12.5), 5e9, "disk-exhaustion", DISK_ALERTS),
        Event("errors", _d(3, 16), _d(3, 16.17), 0.3, "short-outage", ERROR_ALERTS),
    )),
}


def _active(s: Scenario, kind: str, t: int) -> Event | None:
    return next((e for e in s.events if e.kind == kind and e.start <= t < e.end), None)


def _daily(t: int) -> float:
    # Peak at 15:00 UTC, trough at 03:00.
    return 1 + 0.6 * math.sin(2 * math.pi * (t - 9 * HOUR) / DAY)


def _disk(s: Scenario, t: int, rng: random.Random) -> float:
    avail = 60e9 - 0.02e9 * (t / HOUR) + rng.gauss(0, 0.05e9)
    fill = next((e for e in s.events if e.kind == "disk_fill" and e.start <= t), None)
    if fill is not None and t < fill.end:
        avail = max(0.0, avail - fill.level * (t - fill.start) / HOUR)
    elif fill is not None:
        avail += 20e9  # cleaned up, with room to spare
    blip = _active(s, "disk_blip", t)
    if blip is not None:
        ramp = min(1.0, (t - blip.start) / (20 * 60))
        avail -= blip.level * ramp
    return max(0.0, avail)


def _queue(s: Scenario, t: int, rng: random.Random) -> float:
    busy = _active(s, "queue_busy", t)
    depth = 50 * _daily(t) * (busy.level if busy else 1.0) + rng.gauss(0, 4)
    stuck = _active(s, "queue_stuck", t)
    if stuck is not None:
        depth += stuck.level * (t - stuck.start) / 60
    return max(0.0, depth)


def _samples(s: Scenario) -> Iterator[tuple[int, float, float, float, float]]:
    """(timestamp, ok total, error total, disk avail, queue depth) every STEP seconds."""
    rng = random.Random(s.seed)
    ok = err = 0.0
    for i in range((s.warmup + s.length) // STEP + 1):
        t = i * STEP - s.warmup
        rps = 20 * _daily(t) * (1 + rng.gauss(0, 0.03))
        ev = _active(s, "errors", t)
        ratio = ev.level if ev else max(0.0, 0.001 + rng.gauss(0, 0.0005))
        err += rps * STEP * ratio
        ok += rps * STEP * (1 - ratio)
        yield EPOCH + t, ok, err, _disk(s, t, rng), _queue(s, t, rng)


def openmetrics(s: Scenario) -> str:
    """The scenario's series with timestamps, one metric family after another."""
    rows = list(_samples(s))
    lines = ["# HELP http_requests Requests served.", "# TYPE http_requests counter"]
    for code, col in (("200", 1), ("500", 2)):
        lines += [f'http_requests_total{{code="{code}",service="{SERVICE}"}} {r[col]:.3f} {r[0]}'
                  for r in rows]
    lines += ["# HELP node_filesystem_avail_bytes Free disk space.",
              "# TYPE node_filesystem_avail_bytes gauge"]
    lines += [f'node_filesystem_avail_bytes{{service="{SERVICE}"}} {r[3]:.0f} {r[0]}' for r in rows]
    lines += ["# HELP shop_queue_depth Jobs waiting.", "# TYPE shop_queue_depth gauge"]
    lines += [f'shop_queue_depth{{service="{SERVICE}"}} {r[4]:.1f} {r[0]}' for r in rows]
    return "\n".join([*lines, "# EOF", ""])


def incidents_yaml(s: Scenario) -> str:
    """The labelled incidents: what an operator would have written in the weekly review."""
    out = []
    for e in s.events:
        if not e.incident:
            continue
        start = e.start
        if e.kind == "disk_fill":
            # Labelled from when less than 20% of the disk was free until the clean-up.
            start = e.start + int((60e9 - 0.2 * DISK_FULL_SIZE) / e.level * HOUR)
        out.append(f"- name: {e.incident}\n  service: {SERVICE}\n  start: {EPOCH + start}\n"
                   f"  end: {EPOCH + e.end}\n  alerts: [{', '.join(e.alerts)}]\n")
    return "".join(out)


def write(s: Scenario, out_dir: Path) -> tuple[Path, Path]:
    """Write series.om and incidents.yaml for `s` under `out_dir`; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    series, incidents = out_dir / "series.om", out_dir / "incidents.yaml"
    series.write_text(openmetrics(s), encoding="utf-8")
    incidents.write_text(incidents_yaml(s), encoding="utf-8")
    return series, incidents


def main(argv: list[str]) -> int:
    """Write the named scenarios (default: all) under argv[0]."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    for name in argv[1:] or sorted(SCENARIOS):
        paths = write(SCENARIOS[name], Path(argv[0]) / name)
        print(f"wrote {paths[0]} and {paths[1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
