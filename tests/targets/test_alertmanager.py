"""The Alertmanager target: golden configs for the reference specs, routing meaning, inhibitions."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from generator.core.errors import SpecErrors
from generator.core.routing import resolve
from generator.targets.alertmanager import config as alertmanager
from generator.targets.alertmanager.routing_cases import _alert_label_sets, findings, routing_cases
from tests.conftest import ROOT, SPECS_DIR, TESTDATA
from tests.golden import assert_golden
from tests.routing_specs import GLOBAL, SERVICE, compile_model

REFERENCE_SERVICES = ["archon-intelligence", "devdiag", "genesis", "hive", "nba-prevention"]
TARGETS = frozenset({"alertmanager", "grafana-notifications"})


def _reference_model(tmp_path: Path, service: str) -> pipeline.Model:  # type: ignore[name-defined]
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()
    for name in ("_global.yaml", f"{service}.yaml"):
        shutil.copy(SPECS_DIR / name, spec_dir / name)
    return pipeline.compile_specs(spec_dir, None, tmp_path)


@pytest.mark.parametrize("service", REFERENCE_SERVICES)
def test_reference_spec_golden(tmp_path: Path, service: str, update_golden: bool) -> None:
    files = pipeline.render(_reference_model(tmp_path, service), TARGETS)
    assert_golden(TESTDATA / f"routing-{service}", files, update_golden)


def _config(tmp_path: Path, global_text: str = GLOBAL) -> dict:  # type: ignore[type-arg]
    files = alertmanager.render(compile_model(tmp_path, global_text))
    return YAML(typ="safe").load(files[alertmanager.CONFIG_PATH].split("\n", 2)[2])


def test_critical_fans_out_to_both_receivers_with_its_repeat_interval(tmp_path: Path) -> None:
    critical = _config(tmp_path)["route"]["routes"][1]
    assert critical == {
        "matchers": ['severity="critical"'], "receiver": "pager", "repeat_interval": "1h",
        "routes": [{"receiver": "pager", "continue": True}, {"receiver": "chat-critical"}],
    }


def test_warning_is_only_active_during_its_interval(tmp_path: Path) -> None:
    config = _config(tmp_path)
    assert config["route"]["routes"][2]["active_time_intervals"] == ["office"]
    assert config["time_intervals"] == [{"name": "office", "time_intervals": [{
        "location": "UTC", "weekdays": ["monday:friday"],
        "times": [{"start_time": "08:00", "end_time": "18:00"}]}]}]


def test_secrets_are_file_references_only(tmp_path: Path) -> None:
    receivers = {r["name"]: r for r in _config(tmp_path)["receivers"]}
    pager = receivers["pager"]["pagerduty_configs"][0]
    assert pager["routing_key_file"] == "/run/secrets/pd-key"
    slack = receivers["chat-critical"]["slack_configs"][0]
    assert slack["api_url_file"] == "/run/secrets/slack-url"
    assert receivers["mail"]["email_configs"][0]["auth_password_file"] == "/run/secrets/smtp"
    hook = receivers["bridge"]["webhook_configs"][0]
    assert hook["http_config"] == {
        "authorization": {"type": "Bearer", "credentials_file": "/run/secrets/bridge-token"}}


def test_inhibitions_are_derived_from_severity_and_service_down_alerts(tmp_path: Path) -> None:
    assert _config(tmp_path)["inhibit_rules"] == [
        {"source_matchers": ['severity="critical"'], "target_matchers": ['severity="warning"'],
         "equal": ["alertname", "service"]},
        {"source_matchers": ['service="shop"', 'role="service-down"'],
         "target_matchers": ['service="shop"', 'role!="service-down"']},
    ]


def test_inhibitions_can_be_turned_off(tmp_path: Path) -> None:
    text = GLOBAL.replace("  group_wait: 10s\n", "  group_wait: 10s\n"
                          "  inhibit_warning_by_critical: false\n"
                          "  inhibit_symptoms_when_down: false\n")
    assert "inhibit_rules" not in _config(tmp_path, text)


def test_service_without_a_down_alert_gets_no_down_inhibition(tmp_path: Path) -> None:
    service = SERVICE.replace("    labels: {role: service-down}\n", "")
    model = compile_model(tmp_path, services={"shop": service})
    assert "service-down" not in alertmanager.render(model)[alertmanager.CONFIG_PATH]


def test_no_routing_declared_writes_nothing(tmp_path: Path) -> None:
    model = compile_model(tmp_path, "version: slogen/v1\n")
    assert alertmanager.render(model) == {}


def test_matcher_values_are_escaped() -> None:
    assert alertmanager.matcher_text("team", "=", 'a"b\\c') == 'team="a\\"b\\\\c"'


PER_SERVICE = SERVICE + """\
routing:
  receivers:
    critical: [mail]
  continue: CONTINUE
"""


@pytest.mark.parametrize("cont, expected", [
    pytest.param("true", ("mail", "pager", "chat-critical"), id="continue adds the severity route"),
    pytest.param("false", ("mail",), id="without continue the service route replaces it"),
])
def test_service_routing_override(tmp_path: Path, cont: str, expected: tuple[str, ...]) -> None:
    model = compile_model(tmp_path, services={"shop": PER_SERVICE.replace("CONTINUE", cont)})
    tree = model.route_tree
    assert tree is not None
    labels = {"service": "shop", "severity": "critical", "alertname": "ShopDown"}
    assert resolve(tree, labels) == expected
    assert resolve(tree, {**labels, "service": "other"}) == ("pager", "chat-critical")


def test_unreachable_route_and_unused_receivers_are_reported(tmp_path: Path) -> None:
    text = GLOBAL.replace("      continue: true\n", "      continue: false\n").replace(
        "      repeat_interval: 1h\n  time_intervals:",
        "      repeat_interval: 1h\n    - match: {alert_type: predictive, team: web}\n"
        "      receivers: [mail]\n    - match: {team: nobody}\n      receivers: [chat-default]\n"
        "  time_intervals:") + "    weekends:\n      - weekdays: [saturday, sunday]\n"
    model = compile_model(tmp_path, text)
    tree = model.route_tree
    assert tree is not None
    assert [(f.error, f.message) for f in findings(model, tree)] == [
        (True, "slos/_global.yaml: routing.overrides[1]: route is never reached: every alert it "
               'matches stops at slos/_global.yaml: routing.overrides[0] (alert_type="predictive", '
               "continue: false)"),
        (False, "time interval 'weekends' is declared but no route is active_during it"),
        (False, "slos/_global.yaml: routing.overrides[2]: no alert declared in the specs matches "
                'team="nobody"'),
    ]


def test_reference_routing_has_no_findings() -> None:
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    tree = model.route_tree
    assert tree is not None
    assert findings(model, tree) == []


@pytest.mark.parametrize("change, message", [
    pytest.param(('url: "http://127.0.0.1:9095/alerts"', 'url: "http://u:p@127.0.0.1/alerts"'),
                 "must not carry credentials", id="webhook url must not hold credentials"),
    pytest.param(('{start: "08:00", end: "18:00"}', '{start: "18:00", end: "08:00"}'),
                 "end 08:00 must be after start 18:00", id="time range must be ordered"),
    pytest.param(('["monday:friday"]', '["mon-fri"]'),
                 "'mon-fri' is not a weekday or a range like monday:friday",
                 id="weekdays are names or ranges of names"),
    pytest.param(('        times: [{start: "08:00", end: "18:00"}]\n',
                  '        times: [{start: "08:00", end: "18:00"}]\n'
                  '      - {weekdays: [saturday], location: Europe/Paris}\n'),
                 "time interval 'office' mixes locations Europe/Paris, UTC",
                 id="one time interval has one location"),
])
def test_invalid_routing_specs(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    assert change[0] in GLOBAL
    with pytest.raises(SpecErrors, match=message):
        compile_model(tmp_path, GLOBAL.replace(*change))


def _label_sets(rules: list[dict], name_key: str) -> set[tuple[tuple[str, str], ...]]:  # type: ignore[type-arg]
    return {tuple(sorted({**r.get("labels", {}), "alertname": r[name_key]}.items()))
            for r in rules if name_key in r}


def test_every_generated_alert_rule_has_a_routing_test() -> None:
    # The routing tests are built from the model; this ties them to the labels the Prometheus
    # and Grafana targets really put on alerts, so the two cannot drift apart unnoticed.
    # A test stands for every alert of its service that agrees with it on the labels routes
    # match on (test_routing_cases_stand_for_every_alert_that_routes_like_them).
    yaml = YAML(typ="safe")
    out = ROOT / "out"
    tree = pipeline.compile_specs(SPECS_DIR, None, ROOT).route_tree
    assert tree is not None
    routed = sorted({"service"} | {k for r in tree.routes for k, _ in (*r.matchers, *r.implied)})

    def routing(labels: Any) -> tuple[tuple[str, str | None], ...]:
        return tuple((k, dict(labels).get(k)) for k in routed)

    tests = yaml.load((out / alertmanager.ROUTING_TESTS_PATH).read_text())["tests"]
    tested = {routing(t["labels"]) for t in tests}
    fired: set[tuple[tuple[str, str], ...]] = set()
    for path in sorted((out / "prometheus").glob("*.rules.yaml")):
        for group in yaml.load(path.read_text())["groups"]:
            fired |= _label_sets(group["rules"], "alert")
    for path in sorted((out / "grafana" / "api" / "rule-groups").glob("*/*.json")):
        fired |= _label_sets(yaml.load(path.read_text())["rules"], "title")
    assert len(fired) >= 60
    assert sorted(labels for labels in fired if routing(labels) not in tested) == []


def test_routing_cases_stand_for_every_alert_that_routes_like_them() -> None:
    # One case per service and distinct value of the labels routes match on: every declared
    # alert routes to the receivers of the case that agrees with it on those labels.
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    tree = model.route_tree
    assert tree is not None
    cases = routing_cases(model, tree)
    routed = {"service"} | {k for r in tree.routes for k, _ in (*r.matchers, *r.implied)}
    alerts = list(_alert_label_sets(model))
    assert len([c for c in cases if not c.name.startswith(("route ", "default"))]) < len(alerts)
    for name, labels in alerts:
        [case] = [c for c in cases if c.labels.get("alertname") != "SlogenRoutingProbe"
                  and all(c.labels.get(k) == labels.get(k) for k in routed)]
        assert resolve(tree, labels) == case.receivers, name
