"""Who gets an alert and how long it takes: routing resolution and worst-case time to notify.

Pure functions over the model, shared by the docs target, the MTTD check and `slogen diff`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from generator.core import model as m
from generator.core import naming, routing
from generator.core.durations import format_duration

# Alertmanager's own defaults, used when the specs declare no routing at all.
DEFAULT_GROUP_WAIT = timedelta(seconds=30)
DEFAULT_RECEIVER = "(none)"
_CHECK_METRIC = re.compile(rf"\b{naming.CHECK_METRIC_PREFIX}_([a-zA-Z0-9_]+)")


@dataclass(frozen=True)
class Delivery:
    """The receivers a matching route sends to, and that route's group_wait."""

    receivers: tuple[str, ...]
    group_wait: timedelta
    route: str  # which part of the routing matched, for docs and diffs
    active_during: str | None = None


@dataclass(frozen=True)
class Timing:
    """Worst-case time from an alert's condition becoming true to its first notification."""

    parts: tuple[tuple[str, timedelta], ...]

    @property
    def total(self) -> timedelta:
        """Sum of the parts."""
        return sum((d for _, d in self.parts), timedelta(0))

    def explain(self) -> str:
        """`check every 6h + scrape 15s + ...` for docs and error messages."""
        return " + ".join(f"{name} {format_duration(d)}" for name, d in self.parts if d)


def alert_labels(service: m.Service, severity: m.Severity,
                 labels: Mapping[str, str]) -> dict[str, str]:
    """The labels routing sees on an alert: its own, plus service, team and severity."""
    return {**labels, naming.LABEL_SERVICE: service.name, naming.LABEL_TEAM: service.team,
            naming.LABEL_SEVERITY: severity.value}


def deliveries(model: m.Model, service: m.Service,
               labels: Mapping[str, str]) -> tuple[Delivery, ...]:
    """First-level routes an alert with `labels` takes in the shared route tree (the one the
    Alertmanager and Grafana targets render), honouring `continue`."""
    tree = model.route_tree
    if tree is None:
        return (Delivery((DEFAULT_RECEIVER,), DEFAULT_GROUP_WAIT, "default"),)
    key = (id(tree), tuple(labels.items()))
    hit = _FOUND.get(key)
    if hit is not None and hit[0] is tree:
        return hit[1]
    found = tuple(Delivery(route.receivers, route.group_wait or tree.group_wait, route.origin,
                           route.active_during)
                  for route in routing.matching_routes(tree, labels))
    found = found or (Delivery((tree.receiver,), tree.group_wait, "default"),)
    if len(_FOUND) >= _FOUND_KEPT:
        _FOUND.clear()
    _FOUND[key] = (tree, found)
    return found


# (id of a route tree, an alert's labels) -> (the tree, the alert's deliveries): a service's
# alerts mostly carry the same labels, level by level (docs, the MTTD check).
_FOUND: dict[tuple[int, tuple[tuple[str, str], ...]], tuple[object, tuple[Delivery, ...]]] = {}
_FOUND_KEPT = 4096


def receivers(found: tuple[Delivery, ...]) -> tuple[str, ...]:
    """Every receiver named by `found`, in order, without repeats."""
    return tuple(dict.fromkeys(r for d in found for r in d.receivers))


def group_wait(found: tuple[Delivery, ...]) -> timedelta:
    # The first receiver to hear about it is what detection means.
    return min(d.group_wait for d in found)


def _evaluation(service: m.Service, model: m.Model, group: str | None) -> timedelta:
    return service.rule_group_intervals.get(group or service.name,
                                            model.prometheus.evaluation_interval)


def _check_every(service: m.Service, expr: str | None) -> timedelta:
    """How often the health check behind an expression runs (zero when it reads no check)."""
    if not expr:
        return timedelta(0)
    names = {naming.check_metric(c.name, "value"): c.every for c in service.health_checks}
    waits = [names[f"{naming.CHECK_METRIC_PREFIX}_{x}"] for x in _CHECK_METRIC.findall(expr)
             if f"{naming.CHECK_METRIC_PREFIX}_{x}" in names]
    return max(waits, default=timedelta(0))


def alert_timing(model: m.Model, service: m.Service, alert: m.Alert, for_: timedelta,
                 severity: m.Severity) -> Timing:
    """Worst case for a Prometheus alert: the check interval of a health check it reads, scrape,
    rule evaluation, `for`, and group_wait. Stale alerts count from the last good timestamp."""
    found = deliveries(model, service, alert_labels(service, severity, alert.labels))
    match alert:
        case m.HealthCheckAlert():
            check = next(c for c in service.health_checks if c.name == alert.health_check)
            check_every = check.every
        case m.ThresholdAlert() | m.TieredAlert() | m.PredictAlert():
            check_every = _check_every(service, m.alert_input(alert))
        case _:
            check_every = _check_every(service, None)
    parts = [("check every", check_every)]
    if isinstance(alert, m.StaleAlert):
        parts.append(("stale after", alert.stale.after))
    parts += [("scrape", model.prometheus.scrape_interval),
              ("evaluation", _evaluation(service, model, alert.group)),
              ("for", for_), ("group_wait", group_wait(found))]
    return Timing(tuple(parts))


def burn_fire_time(window: m.BurnWindow, slo: m.Slo) -> timedelta:
    """Time a burn-rate condition needs to fire on a total outage (every request failing).

    After t of full failure, the error ratio over a window W >= t is t/W; the condition needs
    t/W >= factor * budget in both windows, and the long window is the slower one. A sustained
    short window (the median of its 5m rates, longer than 5m) passes once the failure fills
    half of it, and a sustained page pair's long window must be half full too.
    """
    seconds = window.factor * slo.error_budget * window.long.total_seconds()
    if window.sustained and window.short > timedelta(minutes=5):
        half = (window.long if window.level == "page" else window.short) / 2
        seconds = max(seconds, half.total_seconds())
    return timedelta(seconds=round(seconds))


def slo_timing(model: m.Model, service: m.Service, slo: m.Slo, level: str) -> Timing:
    """Worst case for one burn-rate level on a total outage: fastest window, then the pipeline."""
    windows = [w for w in slo.burn_windows if w.level == level]
    fastest = min(windows, key=lambda w: burn_fire_time(w, slo) + w.for_)
    labels = {**slo.labels, **slo.level_alert_labels(level)}
    found = deliveries(model, service, alert_labels(service, fastest.severity, labels))
    return Timing((("burn", burn_fire_time(fastest, slo)),
                   ("scrape", model.prometheus.scrape_interval),
                   ("evaluation", _evaluation(service, model, None)),
                   ("for", fastest.for_), ("group_wait", group_wait(found))))


def grafana_timing(model: m.Model, service: m.Service, alert: m.GrafanaAlert) -> Timing:
    """Worst case for a Grafana-managed rule: its own evaluation, `for`, then group_wait."""
    found = deliveries(model, service, alert_labels(service, alert.severity, alert.labels))
    return Timing((("evaluation", alert.every), ("for", alert.for_),
                   ("group_wait", group_wait(found))))
