"""Grafana contact points, policies and mute timings: Grafana's schema, same routing, no secrets."""

from __future__ import annotations

import json
from pathlib import Path, PurePath
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from generator.targets.grafana import notifications as grafana_notifications
from generator.targets.grafana.notifications import API, PROVISIONING
from tests.conftest import ROOT, SPECS_DIR
from tests.grafana_schema import GrafanaSpec
from tests.routing_specs import compile_model


def _files(tmp_path: Path) -> dict[str, str]:
    files = grafana_notifications.render(compile_model(tmp_path))
    return {p.as_posix(): t for p, t in files.items()}


def _yaml(text: str) -> Any:
    return YAML(typ="safe").load(text)


def _reference_files() -> dict[PurePath, str]:
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    return grafana_notifications.render(model)


def test_api_documents_match_grafana_schema(grafana_spec: GrafanaSpec) -> None:
    files = _reference_files()
    for path, text in files.items():
        body = json.loads(text) if path.suffix == ".json" else None
        if path.parent == API / "contact-points":
            grafana_spec.validate_request("POST", "/api/v1/provisioning/contact-points", body)
        elif path.parent == API / "mute-timings":
            grafana_spec.validate_request("POST", "/api/v1/provisioning/mute-timings", body)
        elif path == API / "policies.json":
            grafana_spec.validate_request("PUT", "/api/v1/provisioning/policies", body)
        else:
            assert path.parent == PROVISIONING, path
            grafana_spec.validate_body("AlertingFileExport", _yaml(text))


def test_contact_points_have_stable_uids_and_secret_placeholders(tmp_path: Path) -> None:
    files = _files(tmp_path)
    assert json.loads(files["grafana/api/contact-points/slogen-chat-tickets.json"]) == {
        "uid": "slogen-chat-tickets", "name": "chat-tickets", "type": "slack",
        "disableResolveMessage": False,
        "settings": {"recipient": "#tickets", "url": "${file:/run/secrets/slack-url}",
                     "text": "costs $5"},
    }
    assert json.loads(files["grafana/api/contact-points/slogen-bridge.json"])["settings"] == {
        "url": "http://127.0.0.1:9095/alerts", "httpMethod": "POST", "maxAlerts": 0,
        "authorization_scheme": "Bearer",
        "authorization_credentials": "${file:/run/secrets/bridge-token}"}
    assert json.loads(files["grafana/api/contact-points/slogen-mail.json"])["settings"] == {
        "addresses": "a@example.com;b@example.com", "singleEmail": False}
    assert json.loads(files["grafana/api/contact-points/slogen-pager.json"])["settings"] == {
        "integrationKey": "${file:/run/secrets/pd-key}"}


def test_provisioning_uses_grafana_expansion_and_escapes_dollars(tmp_path: Path) -> None:
    points = _yaml(_files(tmp_path)["grafana/provisioning/alerting/contact-points.yaml"])
    tickets = next(p for p in points["contactPoints"] if p["name"] == "chat-tickets")
    assert tickets == {"orgId": 1, "name": "chat-tickets", "receivers": [{
        "uid": "slogen-chat-tickets", "type": "slack", "disableResolveMessage": False,
        "settings": {"recipient": "#tickets", "url": "$__file{/run/secrets/slack-url}",
                     "text": "costs $$5"}}]}


def test_policy_tree_fans_out_and_mutes_outside_active_hours(tmp_path: Path) -> None:
    files = _files(tmp_path)
    tree = json.loads(files["grafana/api/policies.json"])
    assert tree["receiver"] == "chat-default"
    assert tree["routes"] == [
        {"receiver": "bridge", "object_matchers": [["alert_type", "=", "predictive"]],
         "continue": True, "repeat_interval": "1h"},
        {"receiver": "pager", "object_matchers": [["severity", "=", "critical"]],
         "continue": False, "repeat_interval": "1h",
         "routes": [{"receiver": "pager", "continue": True},
                    {"receiver": "chat-critical", "continue": False}]},
        {"receiver": "chat-tickets", "object_matchers": [["severity", "=", "warning"]],
         "continue": False, "mute_time_intervals": ["slogen-outside-office"]},
    ]
    mute = json.loads(files["grafana/api/mute-timings/slogen-outside-office.json"])
    assert mute["time_intervals"][0] == {"location": "UTC", "weekdays": ["sunday", "saturday"]}
    policies = _yaml(files["grafana/provisioning/alerting/policies.yaml"])["policies"]
    assert policies == [{"orgId": 1, **tree}]


@pytest.mark.parametrize("secret", ["/run/secrets/", "/etc/alertmanager/secrets/"])
def test_only_secret_paths_are_written_never_values(tmp_path: Path, secret: str) -> None:
    files = {**_files(tmp_path), **{p.as_posix(): t for p, t in _reference_files().items()}}
    for text in files.values():
        for line in text.splitlines():
            if secret in line:
                assert "${file:" + secret in line or "$__file{" + secret in line, line
