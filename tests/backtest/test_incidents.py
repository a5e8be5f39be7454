"""Incident files: what each incident affects, every error at once with its location, and which
alerts are expected to catch which incident."""

from __future__ import annotations

import pytest

from generator import pipeline
from generator.backtest import evaluate as ev
from generator.backtest.incidents import IncidentsError, ServiceFacts, parse_incidents
from generator.backtest.scoring import Incident
from generator.commands.backtest import shipped_groups
from tests.conftest import ROOT

SPECS = ROOT / "bench" / "scenarios" / "specs"
FACTS = {"shop": ServiceFacts(frozenset({"availability"}), frozenset({"DiskLow"}),
                              frozenset({"node_filesystem_avail_bytes"}))}


def test_incidents_take_unix_seconds_or_rfc3339() -> None:
    [found] = parse_incidents(
        "- {start: 1767603600, end: '2026-01-05T10:00:00Z', service: shop, kind: disk-fill,\n"
        "   metrics: [node_filesystem_avail_bytes]}\n", "i.yaml", FACTS)
    assert (found.start, found.end, found.metrics) == (1767603600.0, 1767607200.0,
                                                       ("node_filesystem_avail_bytes",))
    assert found.name == "disk-fill-0"


def test_every_error_is_reported_with_its_location() -> None:
    text = ("- name: a\n  service: shop\n  kind: outage\n  slo: availabilty\n"
            "  start: 100\n  end: 50\n"
            "- {name: a, service: shop, kind: outage, start: soon, end: 5, slo: availability}\n"
            "- {name: b, service: shopp, kind: x, start: 1, end: 2, metrics: [m]}\n"
            "- {name: c, service: shop, kind: disk, start: 1, end: 2}\n"
            "- {name: d, service: shop, start: 1, end: 2, alerts: [DiskLow]}\n")
    with pytest.raises(IncidentsError) as exc:
        parse_incidents(text, "i.yaml", FACTS)
    assert exc.value.messages == [
        "i.yaml:6:8: [0].end: must be after start",
        "i.yaml:4:8: [0].slo: service 'shop' has no SLO 'availabilty'; known: availability",
        "i.yaml:7:49: [1].start: 'soon' is not a time; use Unix seconds or RFC 3339 like "
        "2026-01-05T09:00:00Z",
        "i.yaml:8:22: [2].service: unknown service 'shopp'; known: shop",
        "i.yaml:9:3: [3]: name what the incident affected: `slo`, `metrics` or `alerts`, so "
        "the backtest knows which alerts should catch it",
        "i.yaml:10:3: [4].kind: Field required",
    ]


@pytest.mark.parametrize(("value", "shown"), [
    ("1" + "0" * 400, "1" + "0" * 29 + "...(401 characters)"),
    (".nan", "nan"), (".inf", "inf"), ("-1e999", "-inf"), ("1e18", "1e+18"),
])
def test_times_that_are_no_point_in_time_are_located_errors(value: str, shown: str) -> None:
    # A huge integer raised OverflowError (an internal error); NaN and infinities were accepted
    # and scored.
    text = f"- {{service: shop, kind: x, slo: availability, start: 1, end: {value}}}\n"
    with pytest.raises(IncidentsError) as exc:
        parse_incidents(text, "i.yaml", FACTS)
    assert exc.value.messages == [
        f"i.yaml:1:62: [0].end: {shown} is not a time; use Unix seconds (finite, below 1e18) "
        "or RFC 3339 like 2026-01-05T09:00:00Z"]


def test_not_a_list() -> None:
    with pytest.raises(IncidentsError, match=r"^i.yaml:1:1: expected a list of incidents$"):
        parse_incidents("{}", "i.yaml")


def _expected(incident: Incident) -> set[str]:
    model = pipeline.compile_specs(SPECS, None, ROOT)
    alerts = ev.shipped_alerts(shipped_groups(model), model)
    return {a.key for a in alerts if ev.expects(a, incident, model)}


def test_an_slo_incident_is_expected_by_its_burn_rate_alerts_and_alerts_on_its_sli() -> None:
    outage = Incident("o", "shop", "outage", 0.0, 1.0, slo="availability")
    assert _expected(outage) == {
        "shop/ShopAvailabilityBudgetBurn/critical", "shop/ShopAvailabilityBudgetBurn/warning",
        "shop/HighErrorRate/critical", "shop/ErrorRateElevated/warning"}


def test_a_metric_incident_is_expected_by_the_alerts_reading_that_metric() -> None:
    # QueueDepthAnomaly reads the queue depth through three recorded series.
    queue = Incident("q", "shop", "queue-stuck", 0.0, 1.0, metrics=("shop_queue_depth",))
    assert _expected(queue) == {"shop/QueueDepthAnomaly/warning", "shop/QueueDepthHigh/warning"}


def test_absent_alerts_are_expected_only_when_named() -> None:
    outage = Incident("o", "shop", "outage", 0.0, 1.0, slo="availability")
    assert "shop/ShopAvailabilitySLIAbsent/warning" not in _expected(outage)
    named = Incident("n", "shop", "no-data", 0.0, 1.0, alerts=("ShopAvailabilitySLIAbsent",))
    assert _expected(named) == {"shop/ShopAvailabilitySLIAbsent/warning"}


def test_named_alerts_override_the_inference() -> None:
    disk = Incident("d", "shop", "disk-fill", 0.0, 1.0, alerts=("DiskLow",))
    assert _expected(disk) == {"shop/DiskLow/warning"}
