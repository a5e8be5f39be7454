"""Spec settings -> the model's own settings types (core/settings.py).

Field names match on both sides, so most types are copied field by field; lists become tuples
and nested specs are converted explicitly.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, TypeVar

from generator.core import settings as c
from generator.specfile import models as s

T = TypeVar("T")


def _copy(spec: object, kind: type[T], **nested: Any) -> T:
    """A `kind` with the same-named fields of `spec` (lists as tuples), `nested` overriding."""
    values: dict[str, Any] = {}
    for f in fields(kind):  # type: ignore[arg-type]
        value = nested[f.name] if f.name in nested else getattr(spec, f.name)
        values[f.name] = tuple(value) if isinstance(value, list) else value
    return kind(**values)


def _maybe(spec: object | None, kind: type[T]) -> T | None:
    return None if spec is None else _copy(spec, kind)


def receiver(r: s.AnyReceiverSpec) -> c.Receiver:
    """A receiver with its one integration (the others, absent from its kind, are None)."""
    return _copy(r, c.Receiver, slack=_maybe(getattr(r, "slack", None), c.SlackReceiver),
                 pagerduty=_maybe(getattr(r, "pagerduty", None), c.PagerDutyReceiver),
                 email=_maybe(getattr(r, "email", None), c.EmailReceiver),
                 webhook=_maybe(getattr(r, "webhook", None), c.WebhookReceiver))


def time_interval(t: s.TimeIntervalSpec) -> c.TimeInterval:
    """One part of a named time interval."""
    return _copy(t, c.TimeInterval, times=tuple(_copy(r, c.TimeRange) for r in t.times))


def routing(r: s.RoutingSpec | None) -> c.Routing | None:
    """The global routing, or None when the specs declare none."""
    if r is None:
        return None
    return _copy(
        r, c.Routing,
        severities={sev: _copy(route, c.SeverityRoute) for sev, route in r.severities.items()},
        overrides=tuple(_copy(o, c.RouteOverride) for o in r.overrides),
        time_intervals={name: tuple(time_interval(p) for p in parts)
                        for name, parts in r.time_intervals.items()},
    )


def service_routing(r: s.ServiceRoutingSpec | None) -> c.ServiceRouting | None:
    """A service's own receivers per severity."""
    if r is None:
        return None
    return _copy(r, c.ServiceRouting,
                 receivers={sev: tuple(names) for sev, names in r.receivers.items()})


def datasource(d: s.DatasourceSpec) -> c.Datasource:
    """A Grafana datasource."""
    return _copy(d, c.Datasource)


def folder(f: s.FolderSpec) -> c.Folder:
    """A Grafana folder."""
    return _copy(f, c.Folder)


def panel(p: s.PanelSpec) -> c.Panel:
    """A hand-declared dashboard panel."""
    return _copy(p, c.Panel, queries=tuple(_copy(q, c.Query) for q in p.queries),
                 thresholds=tuple(_copy(t, c.Threshold) for t in p.thresholds))


def database(d: s.DatabaseSpec) -> c.Database:
    """A database the exporter connects to."""
    return _copy(d, c.Database)


def prometheus(p: s.PrometheusSpec) -> c.PrometheusSettings:
    """Rule layout and intervals."""
    return _copy(p, c.PrometheusSettings)


def exporter(e: s.ExporterSpec) -> c.ExporterSettings:
    """Exporter listen address."""
    return _copy(e, c.ExporterSettings)
