"""Synthetic scenarios for `slogen backtest`: series in OpenMetrics text plus labelled incidents.

Traffic follows a daily cycle with quiet nights (a tenth of the afternoon peak, where a few
errors make a large ratio) and a weekly one (weekends at 60%). On top come fast outages (10-40%
errors), slow burns (0.5-2%), 1-2 minute error blips (not incidents: a good alert stays
quiet), gradual disk exhaustion, a disk-usage blip and a stuck queue consumer. Everything is
seeded, so a scenario's files are the same on every run.

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
MINUTE, HOUR, DAY = 60, 3600, 86400
DISK_FULL_SIZE = 100e9
# At least the longest window the shipped alerts read (the 3d ticket window and its 5m rates).
WARMUP = 4 * DAY
# Errors outside incidents: a fifth of the 0.1% budget.
BASE_ERROR_RATIO = 0.0002


@dataclass(frozen=True)
class Event:
    """A fault or a distraction between `start` and `end` (seconds after the scored start)."""

    kind: str  # outage | slow-burn | blip | disk-fill | disk-blip | queue-stuck | queue-busy
    start: int
    end: int
    level: float = 0.0
    incident: str = ""  # name of the labelled incident; empty for noise that should not alert


@dataclass(frozen=True)
class Traffic:
    """Requests per second: `peak` at 15:00 UTC, falling to `night` times the peak at 03:00;
    Saturdays and Sundays at `weekend` times the weekday's."""

    peak: float = 40.0
    night: float = 0.1
    weekend: float = 0.6


@dataclass(frozen=True)
class Scenario:
    """A named set of events over `length` seconds, preceded by `warmup` of plain traffic."""

    name: str
    length: int
    events: tuple[Event, ...] = field(default_factory=tuple)
    warmup: int = WARMUP
    seed: int = 7
    traffic: Traffic = Traffic()


ERROR_KINDS = ("outage", "slow-burn", "blip")
# What each labelled incident affected, as the incident file names it.
AFFECTS = {"outage": "slo: availability", "slow-burn": "slo: availability",
           "disk-fill": "metrics: [node_filesystem_avail_bytes]",
           "queue-stuck": "metrics: [shop_queue_depth]"}


def _d(day: float, hour: float = 0, minute: float = 0) -> int:
    return int(day * DAY + hour * HOUR + minute * MINUTE)


def _outage(name: str, day: float, hour: float, minutes: float, level: float) -> Event:
    start = _d(day, hour)
    return Event("outage", start, start + int(minutes * MINUTE), level, name)


def _blip(day: float, hour: float, minutes: float, level: float) -> Event:
    start = _d(day, hour)
    return Event("blip", start, start + int(minutes * MINUTE), level)


SCENARIOS = {
    # A minute or two of CI time: one outage, one blip, one stuck queue.
    "small": Scenario("small", length=_d(0, 12), events=(
        _blip(0, 1, 2, 0.12),
        _outage("outage-1", 0, 3, 30, 0.3),
        Event("queue-stuck", _d(0, 8), _d(0, 9.5), 6.0, "queue-1"),
    )),
    # The shipped set: a week of every kind of fault and distraction, by day and by night.
    # Outages run at 10-40% errors, slow burns at 0.5-2% (5-20 times the 0.1% budget), and
    # blips of 1-2 minutes at 8-30%.
    "standard": Scenario("standard", length=_d(7), events=(
        _blip(0, 10, 2, 0.12),
        Event("queue-stuck", _d(0, 20), _d(0, 21.5), 6.0, "queue-stuck-1"),
        _outage("outage-1", 1, 9, 25, 0.12),
        Event("disk-blip", _d(1, 14), _d(1, 15), 25e9),
        _blip(1, 15, 1, 0.3),
        _blip(2, 3, 2, 0.15),  # a quiet night
        _outage("outage-2", 2, 6.5, 20, 0.25),
        Event("slow-burn", _d(2, 12), _d(2, 22), 0.012, "slow-burn-1"),
        Event("queue-busy", _d(2, 0), _d(3, 0), 1.6),
        Event("disk-fill", _d(3, 0), _d(3, 12.5), 5e9, "disk-fill-1"),
        _outage("outage-3", 3, 16, 12, 0.4),
        _blip(3, 19, 2, 0.1),
        Event("slow-burn", _d(4, 1), _d(4, 9), 0.02, "slow-burn-2"),  # a Friday night
        _outage("outage-4", 4, 14, 30, 0.18),
        _blip(5, 2, 1, 0.25),  # Saturday night, quiet traffic
        _outage("outage-5", 5, 11, 15, 0.33),
        Event("slow-burn", _d(5, 14), _d(6, 10), 0.005, "slow-burn-3"),
        _blip(6, 11, 2, 0.08),
        _outage("outage-6", 6, 13, 40, 0.1),
        Event("queue-stuck", _d(6, 18), _d(6, 19.5), 5.0, "queue-stuck-2"),
        _outage("outage-7", 6, 21, 20, 0.22),
    )),
    # Low night-time traffic: nights at 3% of a 20/s peak (0.6/s, 0.36/s at weekends), where a
    # single error lifts a 5m ratio past 7 times the budget. Outages, slow burns and blips by
    # night, and blips a few hours after an outage, while the longer windows still hold it.
    "quiet-nights": Scenario("quiet-nights", length=_d(7), seed=11,
                             traffic=Traffic(peak=20, night=0.03), events=(
        _blip(0, 2, 2, 0.2),
        _outage("outage-1", 0, 3.5, 20, 0.15),
        _blip(0, 7, 2, 0.15),
        Event("slow-burn", _d(1, 0), _d(1, 6), 0.015, "slow-burn-1"),
        _blip(1, 14, 1, 0.3),
        _outage("outage-2", 2, 10, 15, 0.3),
        _blip(2, 13, 2, 0.18),
        Event("slow-burn", _d(2, 20), _d(3, 8), 0.008, "slow-burn-2"),
        _outage("outage-3", 4, 2.5, 25, 0.12),
        _blip(4, 5, 2, 0.2),
        Event("slow-burn", _d(5, 9), _d(5, 19), 0.03, "slow-burn-3"),
        _blip(6, 3, 2, 0.12),
        _outage("outage-4", 6, 15, 10, 0.4),
        _blip(6, 23, 1, 0.25),
    )),
    # A weekly pattern: weekends at 30% of a 60/s weekday peak, nights at 8%, over nine days
    # from a Monday to the Tuesday after; slow burns across a weekend and on a Monday morning.
    "weekly": Scenario("weekly", length=_d(9), seed=23,
                       traffic=Traffic(peak=60, night=0.08, weekend=0.3), events=(
        _outage("outage-1", 0, 9.25, 15, 0.2),
        _blip(0, 12, 2, 0.15),
        Event("slow-burn", _d(1, 8), _d(1, 14), 0.01, "slow-burn-1"),
        _outage("outage-2", 2, 16.5, 30, 0.1),
        _blip(2, 19, 2, 0.2),
        Event("slow-burn", _d(4, 18), _d(5, 12), 0.006, "slow-burn-2"),
        _blip(5, 4, 2, 0.12),
        _outage("outage-3", 5, 14, 20, 0.25),
        _blip(6, 3, 1, 0.35),
        _outage("outage-4", 6, 22, 12, 0.35),
        Event("slow-burn", _d(7, 6), _d(7, 16), 0.02, "slow-burn-3"),
        _blip(8, 11, 2, 0.1),
        _outage("outage-5", 8, 15, 20, 0.15),
    )),
}


def _active(s: Scenario, kinds: tuple[str, ...], t: int) -> Event | None:
    return next((e for e in s.events if e.kind in kinds and e.start <= t < e.end), None)


def traffic(t: int, shape: Traffic = Traffic()) -> float:
    """Requests per second at `t` seconds after the epoch: daily and weekly cycles."""
    # Peak at 15:00 UTC, trough at 03:00 (a tenth of the peak by default); weekends lower.
    daily = 0.55 + 0.45 * math.sin(2 * math.pi * (t - 9 * HOUR) / DAY)
    weekday = ((t + EPOCH) // DAY + 3) % 7  # 0 = Monday
    return shape.peak * max(shape.night, daily) * (shape.weekend if weekday >= 5 else 1.0)


def _disk(s: Scenario, t: int, rng: random.Random) -> float:
    avail = 60e9 - 0.02e9 * ((t + s.warmup) / HOUR) + rng.gauss(0, 0.05e9)
    fill = next((e for e in s.events if e.kind == "disk-fill" and e.start <= t), None)
    if fill is not None and t < fill.end:
        avail = max(0.0, avail - fill.level * (t - fill.start) / HOUR)
    elif fill is not None:
        avail += 20e9  # cleaned up, with room to spare
    blip = _active(s, ("disk-blip",), t)
    if blip is not None:
        avail -= blip.level * min(1.0, (t - blip.start) / (20 * 60))
    return max(0.0, avail)


def _queue(s: Scenario, t: int, rng: random.Random) -> float:
    busy = _active(s, ("queue-busy",), t)
    load = traffic(t, s.traffic) / s.traffic.peak
    depth = 50 * load * 2 * (busy.level if busy else 1.0) + rng.gauss(0, 4)
    stuck = _active(s, ("queue-stuck",), t)
    if stuck is not None:
        depth += stuck.level * (t - stuck.start) / 60
    return max(0.0, depth)


def _binomial(rng: random.Random, n: float, p: float) -> float:
    """Errors among `n` requests failing with probability `p`: Poisson-like when few are
    expected (a quiet night), normal otherwise."""
    mean = n * p
    if mean < 30:
        count, limit, prod = 0, math.exp(-mean), rng.random()
        while prod > limit:
            count += 1
            prod *= rng.random()
        return float(count)
    return max(0.0, round(rng.gauss(mean, math.sqrt(mean * (1 - p)))))


def _samples(s: Scenario) -> Iterator[tuple[int, float, float, float, float]]:
    """(timestamp, ok total, error total, disk avail, queue depth) every STEP seconds."""
    rng = random.Random(s.seed)
    ok = err = 0.0
    for i in range((s.warmup + s.length) // STEP + 1):
        t = i * STEP - s.warmup
        requests = traffic(t, s.traffic) * STEP * (1 + rng.gauss(0, 0.03))
        ev = _active(s, ERROR_KINDS, t)
        ratio = ev.level if ev else BASE_ERROR_RATIO
        # Errors are counted, not spread: few requests at night make a noisy ratio.
        bad = _binomial(rng, requests, ratio)
        err += bad
        ok += requests - bad
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
        if e.kind == "disk-fill":
            # Labelled from when less than 20% of the disk was free until the clean-up.
            free = 60e9 - 0.02e9 * ((e.start + s.warmup) / HOUR)
            start = e.start + int((free - 0.2 * DISK_FULL_SIZE) / e.level * HOUR)
        out.append(f"- name: {e.incident}\n  service: {SERVICE}\n  kind: {e.kind}\n"
                   f"  {AFFECTS[e.kind]}\n  start: {EPOCH + start}\n  end: {EPOCH + e.end}\n")
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
