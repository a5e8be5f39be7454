"""Grafana-managed alert rules in the backtest: scored when their query is PromQL, else listed.

A Grafana rule runs query A over its `range`, reduces it to one number (B) and compares that
with the threshold (C) every `every`, with `for`. Over a backfilled TSDB the same reduction is
the PromQL subquery `<fn>_over_time((A)[range:every])` ("last" is A itself).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from generator.backtest import rulefiles as rf
from generator.backtest.evaluate import ShippedAlert
from generator.core import model as m
from generator.core.promql import compare, dur

APPROACH = "Grafana-managed"
_REDUCERS = {"mean": "avg_over_time", "avg": "avg_over_time", "min": "min_over_time",
             "max": "max_over_time", "sum": "sum_over_time", "count": "count_over_time"}


def _reduced(alert: m.GrafanaAlert) -> str | None:
    assert alert.expr is not None
    if alert.reduce == "last":
        return alert.expr
    fn = _REDUCERS.get(alert.reduce)
    if fn is None:
        return None
    return f"{fn}(({alert.expr})[{dur(alert.range)}:{dur(alert.every)}])"


def grafana_alerts(model: m.Model, records: Mapping[str, str]) -> list[ShippedAlert]:
    """Every Grafana-managed rule; those that cannot be replayed carry `scored=False` and why."""
    found = []
    for svc in model.services:
        for g in svc.grafana_alerts:
            reduced = _reduced(g) if g.expr is not None else None
            expr = compare(reduced, g.condition) if reduced is not None else ""
            note = ("" if reduced is not None else
                    f"not scored: the query is {g.datasource_type.value}, not PromQL"
                    if g.expr is None else f"not scored: reducer {g.reduce!r} has no PromQL form")
            found.append(ShippedAlert(
                svc.name, g.title, g.severity.value, APPROACH, expr, g.for_, timedelta(0),
                g.every, g.group,
                frozenset(rf.reads(expr)) if expr else frozenset(),
                rf.reach(expr, records) if expr else g.range, scored=not note, note=note))
    return found
