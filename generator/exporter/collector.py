"""Prometheus collector turning the cached check results into metric families."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from prometheus_client import GCCollector, PlatformCollector, ProcessCollector
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector, CollectorRegistry

from generator.core import naming
from generator.exporter.config import CheckConfig
from generator.exporter.database import Reason
from generator.exporter.store import DURATION_BUCKETS, CheckState, ResultStore

_KEYS = [naming.LABEL_SERVICE, naming.LABEL_CHECK]


class HealthCheckCollector(Collector):
    """Reads the result store on every collect; never touches a database."""

    def __init__(self, checks: Sequence[CheckConfig], results: ResultStore) -> None:
        self._checks = sorted(checks, key=lambda c: c.id)
        self._results = results

    def collect(self) -> Iterable[Metric]:
        """Value metrics, then the per-check up/failing/duration/errors/last-success metrics."""
        _, states = self._results.snapshot()
        yield from self._value_metrics(states)
        up = GaugeMetricFamily(
            naming.CHECK_UP,
            "1 if the last run of the check's queries succeeded, 0 if it failed.",
            labels=_KEYS,
        )
        failing = GaugeMetricFamily(
            naming.CHECK_FAILING,
            "1 if the check's last result is outside its expected range or its query failed.",
            labels=_KEYS,
        )
        diff = GaugeMetricFamily(
            naming.CHECK_DIFFERENCE,
            "Absolute difference between the two queries of a compare check.",
            labels=_KEYS,
        )
        last = GaugeMetricFamily(
            naming.CHECK_LAST_SUCCESS,
            "Unix time of the last successful run of the check's queries.",
            labels=_KEYS,
        )
        errors = CounterMetricFamily(
            naming.CHECK_ERRORS,
            "Failed runs of the check's queries, by reason.",
            labels=[*_KEYS, "reason"],
        )
        duration = HistogramMetricFamily(
            naming.CHECK_DURATION, "Time taken by the check's queries.", labels=_KEYS
        )
        for check in self._checks:
            keys = [check.service, check.name]
            state = states.get(check.id, CheckState())
            for reason in Reason:
                errors.add_metric([*keys, reason.value], state.errors.get(reason, 0))
            duration.add_metric(keys, _cumulative(state.buckets), state.duration_sum)
            if state.last_success is not None:
                last.add_metric(keys, state.last_success)
            if state.outcome is None:
                continue
            up.add_metric(keys, 1.0 if state.outcome.ok else 0.0)
            failing.add_metric(keys, 1.0 if state.outcome.failing else 0.0)
            if state.outcome.difference is not None:
                diff.add_metric(keys, state.outcome.difference)
        yield from (up, failing, diff, last, errors, duration)

    def _value_metrics(self, states: dict[str, CheckState]) -> Iterable[Metric]:
        # Checks of different services may share a metric name; each name is one family.
        families: dict[str, Metric] = {}
        for check in self._checks:
            for value in check.values:
                families.setdefault(value.metric, Metric(value.metric, check.help, "gauge"))
            state = states.get(check.id)
            if state is None or state.outcome is None:
                continue
            for sample in state.outcome.samples:
                labels = {
                    naming.LABEL_SERVICE: check.service,
                    naming.LABEL_CHECK: check.name,
                    **dict(sample.labels),
                }
                families[sample.metric].add_sample(sample.metric, labels, sample.value)
        return [families[name] for name in sorted(families)]


def register_standard_collectors(registry: CollectorRegistry) -> None:
    """process_* (CPU, memory, open files, start time), python_gc_* and python_info, which users
    expect from every exporter; they read /proc and the interpreter on each render."""
    ProcessCollector(registry=registry)
    PlatformCollector(registry=registry)
    GCCollector(registry=registry)


def _cumulative(buckets: tuple[int, ...]) -> list[tuple[str, float]]:
    out, total = [], 0
    for bound, count in zip([*map(str, DURATION_BUCKETS), "+Inf"], buckets, strict=True):
        total += count
        out.append((bound, float(total)))
    return out
