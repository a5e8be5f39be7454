"""Every PromQL expression a service file contains, made parseable for promtool."""

from __future__ import annotations

import re

from generator.core import model as m
from generator.core.errors import Loc
from generator.core.model import WINDOW_PLACEHOLDER
from generator.specfile import models as s
from generator.specfile.build_common import normalize_placeholder, spec_source
from generator.specfile.loader import LoadedService

_GRAFANA_VARIABLE = re.compile(r"\$\{?(__\w+|\w+)\}?")


def _for_promtool(expr: str) -> str:
    """Make a template parseable: windows become 5m, Grafana variables plain values."""
    expr = normalize_placeholder(expr).replace(WINDOW_PLACEHOLDER, "5m")

    def sub(match: re.Match[str]) -> str:
        return "5m" if match.group(1).startswith("__") else "x"

    return _GRAFANA_VARIABLE.sub(sub, expr)


def expressions(item: LoadedService) -> list[tuple[m.Source, str]]:
    """Every PromQL expression written in a service file, with where it was written."""
    spec, loc = item.spec, item.locator
    found: list[tuple[Loc, str]] = []
    for i, slo in enumerate(spec.slos):
        ev = slo.sli.events
        if ev is not None:
            for key in ("good", "bad", "total"):
                if getattr(ev, key) is not None:
                    found.append((("slos", i, "sli", "events", key), getattr(ev, key)))
    for i, a in enumerate(spec.alerts):
        if isinstance(a, s.ExprAlertSpec):
            found.append((("alerts", i, "expr"), a.expr))
        elif isinstance(a, s.AbsentDataAlertSpec):
            found.append((("alerts", i, "absent"), a.absent))
        elif isinstance(a, s.StaleAlertSpec):
            found.append((("alerts", i, "stale", "timestamp"), a.stale.timestamp))
        elif isinstance(a, s.PredictAlertSpec):
            found.append((("alerts", i, "predict", "expr"), a.predict.expr))
        else:
            found.append((("alerts", i, "anomaly", "expr"), a.anomaly.expr))
    for i, r in enumerate(spec.recording):
        if r.expr is not None:
            found.append((("recording", i, "expr"), r.expr))
    for i, g in enumerate(spec.grafana_alerts):
        if g.expr is not None:
            found.append((("grafana_alerts", i, "expr"), g.expr))
    for i, p in enumerate(spec.dashboard.panels):
        for j, q in enumerate(p.queries):
            found.append((("dashboard", "panels", i, "queries", j, "expr"), q.expr))
    for i, pol in enumerate(spec.policies):
        if pol.rollback is not None:
            if pol.rollback.deployed_at is not None:
                found.append((("policies", i, "rollback", "deployed_at"), pol.rollback.deployed_at))
            for j, t in enumerate(pol.rollback.triggers):
                found.append((("policies", i, "rollback", "triggers", j, "expr"), t.expr))
    return [(spec_source(loc, path), _for_promtool(expr)) for path, expr in found]
