"""Property test: every spec set that validates also generates, without an internal error.

Specs are drawn from the real format (SLOs of every SLI kind, grouped or not; alerts of every
kind, with and without comparisons, aggregating by the labels rules set; recordings; several
services sharing names), so most draws validate and reach every target.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator import pipeline
from generator.core.errors import SpecErrors

METRICS = ["http_requests_total", "jobs_total", "queue_depth", "errors_total"]
LABELS = ["service", "team", "severity", "route", "job", "env"]
DURATIONS = ["0s", "1m", "5m", "30m", "1h", "2h"]

selectors = st.builds(lambda m, job: m + (f'{{job="{job}"}}' if job else ""),
                      st.sampled_from(METRICS), st.sampled_from(["", "a", "b"]))
rates = st.builds(lambda s: f"sum(rate({s}[5m]))", selectors)
by_rates = st.builds(lambda label, s: f"sum by ({label}) (rate({s}[5m]))",
                     st.sampled_from(LABELS), selectors)
exprs = st.one_of(selectors, rates, by_rates,
                  st.builds(lambda a, b: f"{a} / {b}", rates, rates),
                  st.builds(lambda s: f"{s} < 1", selectors))
labels = st.dictionaries(st.sampled_from(LABELS + ["tier", "routing_key"]),
                         st.sampled_from(["x", "y"]), max_size=2)


def _alert(name: str, kind: str, expr: str, sel: str, extra: dict[str, Any]) -> dict[str, Any]:
    body: dict[str, Any] = {"name": name, **extra}
    if kind == "threshold":
        body["expr"] = expr
    elif kind == "compare":
        body |= {"expr": expr, "above": 1}
    elif kind == "tiers":
        body |= {"expr": expr, "tiers": {"critical": {"above": 10}, "warning": {"above": 5}}}
    elif kind == "absent":
        body["absent"] = sel
    elif kind == "stale":
        body["stale"] = {"timestamp": sel, "after": "1h"}
    elif kind == "predict":
        body["predict"] = {"expr": expr, "above": 100, "within": "4h", "lookback": "1h"}
    else:
        body["anomaly"] = {"expr": expr, "zscore": 3, "baseline": "1d", "direction": "both"}
    return body


alerts = st.builds(
    _alert, st.sampled_from(["HighErrorRate", "Down", "QueueDepth"]),
    st.sampled_from(["threshold", "compare", "tiers", "absent", "stale", "predict", "anomaly"]),
    exprs, selectors,
    st.fixed_dictionaries({}, optional={"for": st.sampled_from(DURATIONS), "labels": labels,
                                        "severity": st.sampled_from(["critical", "warning",
                                                                     "info"])}))


def _sli(kind: str, metric: str, group: str) -> dict[str, Any]:
    if kind == "events":
        agg = f"sum by ({group})" if group else "sum"
        return {"events": {"bad": f'{agg} (rate({metric}{{code="500"}}[{{{{window}}}}]))',
                           "total": f"{agg} (rate({metric}[{{{{window}}}}]))"}}
    if kind == "latency":
        return {"latency": {"histogram": "http_request_duration_seconds",
                            "selector": '{job="a"}', "below": "250ms"}}
    return {"availability": {"selector": '{job="a"}'}}


slos = st.builds(
    lambda name, kind, metric, group, objective, level_labels: {
        "name": name, "objective": objective, "sli": _sli(kind, metric, group),
        "alerting": {"page": {"labels": level_labels}, "ticket": {"labels": level_labels}}},
    st.sampled_from(["availability", "latency", "errors"]),
    st.sampled_from(["events", "latency", "availability"]), st.sampled_from(METRICS),
    st.sampled_from(["", "route", "code"]), st.sampled_from([95, 99, 99.5, 99.9]), labels)

recordings = st.builds(lambda name, expr, extra: {"record": name, "expr": expr, "labels": extra},
                       st.sampled_from(["job:requests:rate5m", "svc:errors:rate5m"]), exprs,
                       labels)

services = st.builds(
    lambda name, slo_list, alert_list, rec_list: {
        "version": "slogen/v1", "service": name, "team": "ops", "slos": slo_list,
        "alerts": alert_list, "recording": rec_list},
    st.sampled_from(["checkout", "payments", "search"]),
    st.lists(slos, max_size=2, unique_by=lambda s: s["name"]),
    st.lists(alerts, max_size=3, unique_by=lambda a: a["name"]),
    st.lists(recordings, max_size=1))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(services, min_size=1, max_size=3, unique_by=lambda s: s["service"]))
def test_specs_that_validate_always_generate(spec_set: list[dict[str, Any]]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        specs = Path(tmp)
        (specs / "_global.yaml").write_text("version: slogen/v1\n")
        for spec in spec_set:  # JSON is YAML
            (specs / f"{spec['service']}.yaml").write_text(json.dumps(spec))
        try:
            model = pipeline.compile_specs(specs, None)
        except SpecErrors:
            return  # validate refuses it, with located errors: generate may too
        files = pipeline.render(model)
        assert any(p.name.endswith(".rules.yaml") for p in files) or not any(
            s.slos or s.alerts or s.recordings for s in model.services)
