"""Synthetic metric history for the live tests: the genesis service (seed 003) in known states.

Each state is an *era*: twelve days of history ending at the era's evaluation time. Eras are 45
days apart, so no 30-day window of one era reaches the data of another, and one Prometheus
holds them all. History is written as OpenMetrics text for `promtool tsdb create-blocks-from
openmetrics`: every 30 minutes for the old part, every minute for the last six hours (the short
burn windows and the `for` durations of the rollback triggers need fine samples).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

HOUR, DAY, MINUTE = 3600, 86400, 60
HISTORY = 12 * DAY
FINE_PART = 6 * HOUR
COARSE_STEP, FINE_STEP = 30 * MINUTE, MINUTE
REQUEST_RATE = 10.0  # requests and operations per second
TEST_RATE = 1.0  # health tests per second
COUNTER_BASE = 1e6  # counters start high so rate() extrapolation stays exact at window edges
BUCKETS = ("0.05", "0.1", "0.2", "0.5", "1", "+Inf")
JOB = {"job": "genesis", "instance": "genesis:8000"}


@dataclass(frozen=True)
class Profile:
    """How the service behaves `ago` seconds before the evaluation time."""

    error_ratio: Callable[[float], float]
    slow_ratio: Callable[[float], float]  # share of operations slower than 200 ms
    fail_ratio: Callable[[float], float]  # share of failing health tests
    deployed_ago: Callable[[float], float]  # how long before the era's end the build running
    # at `ago` was deployed
    alerts: dict[str, dict[str, str]] = field(default_factory=dict)  # firing during the last hour


def _const(value: float) -> Callable[[float], float]:
    return lambda ago: value


def _step(recent: float, before: float, within: float) -> Callable[[float], float]:
    """`recent` for the last `within` seconds, `before` earlier."""
    return lambda ago: recent if ago < within else before


def _deploy(before_end: float) -> Callable[[float], float]:
    return lambda ago: before_end


HEALTHY_ERRORS, HEALTHY_SLOW, HEALTHY_FAILS = 0.0002, 0.005, 0.005

T_HEALTHY = datetime(2025, 3, 1, 12, 0, tzinfo=UTC).timestamp()
T_SLOW_BURN = T_HEALTHY + 45 * DAY
T_EXHAUSTED = T_HEALTHY + 90 * DAY
T_DEGRADING = T_HEALTHY + 135 * DAY
T_FAST_BURN = T_HEALTHY + 180 * DAY
T_SPIKE = T_HEALTHY + 225 * DAY
T_SUSTAINED = T_HEALTHY + 270 * DAY
T_EMPTY = T_HEALTHY - 45 * DAY
DEPLOY_AGO_DEGRADING = 20 * MINUTE

ERAS: dict[str, tuple[float, Profile]] = {
    # Everything well inside its objective; deployed 30 hours ago, inside the 48-hour watch.
    "healthy": (
        T_HEALTHY,
        Profile(
            _const(HEALTHY_ERRORS), _const(HEALTHY_SLOW), _const(HEALTHY_FAILS), _deploy(30 * HOUR)
        ),
    ),
    # Errors at twice the budget rate for three days: ticket-level burn, budget still left.
    "slow-burn": (
        T_SLOW_BURN,
        Profile(
            _step(0.002, HEALTHY_ERRORS, 3 * DAY),
            _const(HEALTHY_SLOW),
            _const(HEALTHY_FAILS),
            _deploy(10 * DAY),
            alerts={
                "GenesisErrorRateBudgetBurn": {
                    "severity": "warning",
                    "slo_id": "genesis-error-rate",
                }
            },
        ),
    ),
    # A six-hour incident at 5 % errors ten days ago spent the whole budget; healthy since.
    "exhausted": (
        T_EXHAUSTED,
        Profile(
            lambda ago: 0.05 if 10 * DAY - 6 * HOUR < ago <= 10 * DAY else HEALTHY_ERRORS,
            _const(HEALTHY_SLOW),
            _const(HEALTHY_FAILS),
            _deploy(5 * DAY),
        ),
    ),
    # Deployed 20 minutes ago; since then 0.5 % errors, 10 % slow operations, 96 % pass rate.
    "degrading": (
        T_DEGRADING,
        Profile(
            _step(0.005, HEALTHY_ERRORS, DEPLOY_AGO_DEGRADING),
            _step(0.10, HEALTHY_SLOW, DEPLOY_AGO_DEGRADING),
            _step(0.04, HEALTHY_FAILS, DEPLOY_AGO_DEGRADING),
            _step(DEPLOY_AGO_DEGRADING, 10 * DAY, DEPLOY_AGO_DEGRADING),
            alerts={"HighErrorRate": {"severity": "critical"}},
        ),
    ),
    # 2 % errors for the last hour: a page-level burn (20x the budget rate), budget still left.
    "fast-burn": (
        T_FAST_BURN,
        Profile(
            _step(0.02, HEALTHY_ERRORS, HOUR),
            _const(HEALTHY_SLOW),
            _const(HEALTHY_FAILS),
            _deploy(7 * DAY),
            alerts={
                "GenesisErrorRateBudgetBurn": {
                    "severity": "critical",
                    "slo_id": "genesis-error-rate",
                }
            },
        ),
    ),
    # A 30-minute outage at 10 % errors three hours ago, then a 3-minute spike at 20 % ending
    # ten minutes ago: the means of 6h/30m (10.2x/20.2x > 6) and of 3d/6h (1.03x/10.2x > 1) burn,
    # the medians of the 5m rates do not (the spike moves fewer than half of the 30m's, the
    # outage fewer than half of the 6h's): no sustained burn, no alert.
    "spike": (
        T_SPIKE,
        Profile(
            lambda ago: (0.20 if 10 * MINUTE <= ago < 13 * MINUTE
                         else 0.10 if 3 * HOUR <= ago < 3 * HOUR + 30 * MINUTE
                         else HEALTHY_ERRORS),
            _const(HEALTHY_SLOW),
            _const(HEALTHY_FAILS),
            _deploy(7 * DAY),
        ),
    ),
    # 1 % errors for the last four hours: a burn that has held for most of the 6h and all of the
    # 30m window (6h 6.8x, 30m median 10x > 6, 6h median 10x > 1), paged by the 6h/30m pair.
    "sustained": (
        T_SUSTAINED,
        Profile(
            _step(0.01, HEALTHY_ERRORS, 4 * HOUR),
            _const(HEALTHY_SLOW),
            _const(HEALTHY_FAILS),
            _deploy(7 * DAY),
            alerts={
                "GenesisErrorRateBudgetBurn": {
                    "severity": "critical",
                    "slo_id": "genesis-error-rate",
                }
            },
        ),
    ),
}


def _times(end: float) -> list[float]:
    """Sample times of one era, oldest first."""
    coarse = range(int(end - HISTORY), int(end - FINE_PART), COARSE_STEP)
    fine = range(int(end - FINE_PART), int(end) + 1, FINE_STEP)
    return [float(t) for t in (*coarse, *fine)]


def _labels(labels: dict[str, str]) -> str:
    return "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}" if labels else ""


class _Writer:
    """Collects series as OpenMetrics lines, one `unknown`-typed family per metric name."""

    def __init__(self) -> None:
        self.families: dict[str, list[str]] = {}

    def add(self, name: str, labels: dict[str, str], points: list[tuple[float, float]]) -> None:
        lines = self.families.setdefault(name, [])
        text = _labels(labels)
        lines += [f"{name}{text} {value:.6f} {t:.0f}" for t, value in points]

    def text(self) -> str:
        out = []
        for name, lines in self.families.items():
            out.append(f"# TYPE {name} unknown")
            out += lines
        return "\n".join([*out, "# EOF"]) + "\n"


def _counter(
    times: list[float], end: float, rate: Callable[[float], float]
) -> list[tuple[float, float]]:
    """A counter growing at `rate(ago)` per second (integrated with the sample spacing)."""
    value, points, last = COUNTER_BASE, [], times[0]
    for t in times:
        value += rate(end - t) * (t - last)
        points.append((t, value))
        last = t
    return points


def era_text(end: float, p: Profile) -> str:
    """OpenMetrics history of one era ending at unix time `end`."""
    times = _times(end)
    w = _Writer()
    w.add(
        "genesis_requests_total",
        {**JOB, "code": "200"},
        _counter(times, end, lambda a: REQUEST_RATE * (1 - p.error_ratio(a))),
    )
    w.add(
        "genesis_requests_total",
        {**JOB, "code": "500"},
        _counter(times, end, lambda a: REQUEST_RATE * p.error_ratio(a)),
    )
    w.add(
        "genesis_tests_total",
        {**JOB, "result": "passed", "suite": "production"},
        _counter(times, end, lambda a: TEST_RATE * (1 - p.fail_ratio(a))),
    )
    w.add(
        "genesis_tests_total",
        {**JOB, "result": "failed", "suite": "production"},
        _counter(times, end, lambda a: TEST_RATE * p.fail_ratio(a)),
    )
    w.add(
        "genesis_tests_total",
        {**JOB, "result": "failed", "suite": "performance"},
        _counter(times, end, _const(0.0)),
    )
    w.add("genesis_test_pass_rate", JOB, [(t, 100 * (1 - p.fail_ratio(end - t))) for t in times])
    for le in BUCKETS:
        w.add(
            "genesis_operation_duration_seconds_bucket",
            {**JOB, "le": le},
            _counter(times, end, _bucket_rate(le, p.slow_ratio)),
        )
    w.add(
        "genesis_operation_duration_seconds_count", JOB, _counter(times, end, _const(REQUEST_RATE))
    )
    w.add(
        "genesis_operation_duration_seconds_sum",
        JOB,
        _counter(times, end, _const(REQUEST_RATE * 0.08)),
    )
    w.add("up", JOB, [(t, 1.0) for t in times])
    w.add("process_start_time_seconds", JOB, [(t, end - p.deployed_ago(end - t)) for t in times])
    _add_alerts(w, times, end, p)
    _add_host_and_components(w, [t for t in times if t > end - HOUR], end)
    return w.text()


def _bucket_rate(le: str, slow_ratio: Callable[[float], float]) -> Callable[[float], float]:
    """Rate of operations at or below bucket `le`, `ago` seconds before the end."""
    return lambda ago: REQUEST_RATE * _below(le, slow_ratio(ago))


def _below(le: str, slow: float) -> float:
    """Cumulative share of operations at or below bucket `le`."""
    fast = 1 - slow
    return {
        "0.05": 0.5 * fast,
        "0.1": 0.8 * fast,
        "0.2": fast,
        "0.5": fast + 0.9 * slow,
        "1": fast + 0.99 * slow,
        "+Inf": 1.0,
    }[le]


def _add_alerts(w: _Writer, times: list[float], end: float, p: Profile) -> None:
    for name, labels in sorted(p.alerts.items()):
        points = [(t, 1.0) for t in times if t > end - HOUR]
        w.add("ALERTS", {"alertname": name, "alertstate": "firing", **labels}, points)


def _add_host_and_components(w: _Writer, times: list[float], end: float) -> None:
    """Series the genesis alerts and panels read, present for the last hour of each era."""
    flat: dict[str, float] = {
        "node_memory_MemAvailable_bytes": 6e9,
        "node_memory_MemTotal_bytes": 16e9,
        'node_filesystem_avail_bytes{mountpoint="/"}': 50e9,
        'node_filesystem_size_bytes{mountpoint="/"}': 100e9,
    }
    for key, value in flat.items():
        name, _, rest = key.partition("{")
        labels = dict(_pairs(rest.rstrip("}"))) if rest else {}
        w.add(name, {"instance": "node:9100", **labels}, [(t, value) for t in times])
    for mode, rate in (("idle", 0.7), ("user", 0.3)):
        w.add(
            "node_cpu_seconds_total",
            {"instance": "node:9100", "cpu": "0", "mode": mode},
            _counter(times, end, _const(rate)),
        )
    for comp, avg in (
        ("htdag_decomposition", 0.05),
        ("halo_routing", 0.04),
        ("aop_validation", 0.03),
    ):
        base = f"genesis_{comp}_duration_seconds"
        w.add(f"{base}_count", JOB, _counter(times, end, _const(5.0)))
        w.add(f"{base}_sum", JOB, _counter(times, end, _const(5.0 * avg)))
        if comp != "aop_validation":
            for le in ("0.1", "+Inf"):
                w.add(f"{base}_bucket", {**JOB, "le": le}, _counter(times, end, _const(5.0)))
    w.add("genesis_operations_total", JOB, _counter(times, end, _const(REQUEST_RATE)))
    w.add("genesis_otel_spans_exported_total", JOB, _counter(times, end, _const(50.0)))


def _pairs(text: str) -> Iterator[tuple[str, str]]:
    for part in text.split(","):
        key, _, value = part.partition("=")
        yield key, value.strip('"')
