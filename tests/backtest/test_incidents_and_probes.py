"""Incident files parse with located errors; probes replay the Prometheus target's own rules."""

from __future__ import annotations

import pytest

from generator import pipeline
from generator.backtest import probes
from generator.backtest.incidents import IncidentsError, parse_incidents
from generator.targets.prometheus.alert_rules import alert_rules
from tests.conftest import ROOT

SPECS = ROOT / "bench" / "scenarios" / "specs"


def test_incidents_take_unix_seconds_or_rfc3339() -> None:
    found = parse_incidents(
        "- {start: 1767603600, end: '2026-01-05T10:00:00Z', service: shop, alerts: [DiskLow]}\n",
        "i.yaml")
    assert (found[0].start, found[0].end, found[0].alerts) == (1767603600.0, 1767607200.0,
                                                               ("DiskLow",))
    assert found[0].name == "#0"


@pytest.mark.parametrize("text, message", [
    pytest.param("{}", "i.yaml: expected a list of incidents", id="not a list"),
    pytest.param("- {start: soon, end: 5, service: x}", "i.yaml: [0].start: Value error, 'soon' "
                 "is not a time", id="bad time"),
    pytest.param("- {start: 1, end: 5}", "i.yaml: [0].service: Field required",
                 id="service missing"),
])
def test_bad_incidents(text: str, message: str) -> None:
    with pytest.raises(IncidentsError, match=message.replace("[", r"\[").replace("]", r"\]")
                       .replace("(", r"\(")):
        parse_incidents(text, "i.yaml")


def test_threshold_probes_are_the_generated_rule_expressions() -> None:
    model = pipeline.compile_specs(SPECS, None, ROOT)
    svc = model.service("shop")
    alert = next(a for a in svc.alerts if a.name == "HighErrorRate")
    [probe] = probes.alert_probes(svc, alert)
    assert probe.expr == alert_rules(alert, svc, inline_inputs=True)[0]["expr"]


def test_variants_change_one_thing_each() -> None:
    model = pipeline.compile_specs(SPECS, None, ROOT)
    base = next(p for p in probes.model_probes(model) if p.alert == "DiskWillFill")
    names = [v.variant for v in probes.variants(model, base)]
    assert names == ["for 0s", "for 5m", "for 20m", "horizon 2h", "horizon 8h"]
