"""The Grafana body validator accepts what Grafana accepts on the wire and names what it rejects."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest

from tests.grafana_schema import GrafanaSchemaError, GrafanaSpec, validate_provisioning


def _rule() -> dict[str, Any]:
    """A ProvisionedAlertRule as Grafana's HTTP API takes it."""
    return {
        "uid": "cpu-high", "orgID": 1, "folderUID": "fld1", "ruleGroup": "infra",
        "title": "CPU high", "condition": "C",
        "data": [
            {"refId": "A", "queryType": "", "relativeTimeRange": {"from": 600, "to": 0},
             "datasourceUid": "prom", "model": {"refId": "A", "expr": "avg(rate(cpu[5m]))"}},
            {"refId": "C", "queryType": "", "relativeTimeRange": {"from": 0, "to": 0},
             "datasourceUid": "__expr__",
             "model": {"refId": "C", "type": "threshold", "expression": "A",
                       "datasource": {"type": "__expr__", "uid": "__expr__"},
                       "conditions": [{"evaluator": {"type": "gt", "params": [0.8]}}]}},
        ],
        "noDataState": "NoData", "execErrState": "Error", "for": "5m",
        "annotations": {"summary": "CPU > 80%"}, "labels": {"team": "sre"}, "isPaused": False,
    }


def _group() -> dict[str, Any]:
    """An AlertRuleGroup, the body of PUT .../rule-groups/{group}."""
    return {"title": "infra", "folderUid": "fld1", "interval": 60, "rules": [_rule()]}


def _file() -> dict[str, Any]:
    """A file-provisioning document with one group, one contact point and a policy tree."""
    rule = {k: v for k, v in _rule().items() if k not in ("orgID", "folderUID", "ruleGroup")}
    return {
        "apiVersion": 1,
        "groups": [{"orgId": 1, "name": "infra", "folder": "Infra Alerts", "interval": "60s",
                    "rules": [rule | {"dashboardUid": "d1", "panelId": 2}]}],
        "contactPoints": [{"orgId": 1, "name": "slack-sre", "receivers": [
            {"uid": "slack-sre-1", "type": "slack", "settings": {"url": "$SLACK_URL"}}]}],
        "policies": [{"orgId": 1, "receiver": "slack-sre", "group_by": ["alertname"],
                      "routes": [{"receiver": "slack-sre",
                                  "object_matchers": [["team", "=", "sre"]]}]}],
    }


GOOD = [
    pytest.param("ProvisionedAlertRule", _rule(), id="a rule with a duration string for"),
    pytest.param("AlertRuleGroup", _group(), id="a group with integer seconds interval"),
    pytest.param("CreateFolderCommand", {"uid": "slogen-devdiag", "title": "devdiag"},
                 id="a folder"),
    pytest.param("AddDataSourceCommand", {
        "uid": "pg", "name": "Postgres", "type": "grafana-postgresql-datasource", "access": "proxy",
        "url": "127.0.0.1:5432", "user": "grafana", "jsonData": {"database": "test"},
        "secureJsonData": {"password": "${env:PG_PASSWORD}"}},
        id="a datasource with a placeholder"),
    pytest.param("SaveDashboardCommand", {"dashboard": {"uid": "d1", "title": "x", "panels": []},
                                          "folderUid": "fld1", "overwrite": True},
                 id="a dashboard"),
    pytest.param("EmbeddedContactPoint", {"uid": "cp1", "name": "ops", "type": "slack",
                                          "settings": {"url": "${env:SLACK}"}},
                 id="a contact point type without the spec's leading space"),
    pytest.param("Route", {"receiver": "ops", "group_by": ["alertname"], "routes": [
        {"receiver": "ops", "object_matchers": [["team", "=", "sre"]], "matchers": ['sev="page"'],
         "group_wait": "30s"}]}, id="a policy tree"),
    pytest.param("NotificationTemplateContent", {"template": '{{ define "x" }}{{ end }}'},
                 id="a template"),
    pytest.param("AlertingFileExport", _file(), id="a provisioning file"),
]


@pytest.mark.parametrize("definition, body", GOOD)
def test_known_good_bodies_pass(grafana_spec: GrafanaSpec, definition: str, body: Any) -> None:
    grafana_spec.validate_body(definition, body)


def _mutate(body: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """Copy of `body` with the dotted `path` set to `value` (or deleted when value is ...)."""
    out = copy.deepcopy(body)
    *parents, last = path.split(".")
    node: Any = out
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    if value is ...:
        del node[last]
    elif last.isdigit():
        node[int(last)] = value
    else:
        node[last] = value
    return out


BAD = [
    pytest.param("ProvisionedAlertRule", _mutate(_rule(), "for", 300000000000),
                 "$.for: 300000000000 is not of type 'string'",
                 id="for as nanoseconds (the spec's type)"),
    pytest.param("ProvisionedAlertRule", _mutate(_rule(), "for", "5 minutes"),
                 "$.for: '5 minutes' does not match", id="for in words"),
    pytest.param("ProvisionedAlertRule", _mutate(_rule(), "data.0.relativeTimeRange.from", "10m"),
                 "$.data[0].relativeTimeRange.from: '10m' is not of type 'integer'",
                 id="relative time as a duration string"),
    pytest.param("ProvisionedAlertRule", _mutate(_rule(), "data.0.relativeTimeRange.from", 0),
                 "$.data[0].relativeTimeRange: a datasource query needs from > to",
                 id="a 0/0 range on a datasource query"),
    pytest.param("ProvisionedAlertRule", _mutate(_rule(), "condition", "B"),
                 "$.condition: 'B' is not a refId in data", id="condition names a missing refId"),
    pytest.param("ProvisionedAlertRule", _mutate(_rule(), "orgID", ...),
                 "$: 'orgID' is a required property", id="orgID missing"),
    pytest.param("ProvisionedAlertRule", _mutate(_rule(), "noDataState", "Nodata"),
                 "$.noDataState: 'Nodata' is not one of", id="noDataState misspelt"),
    pytest.param("ProvisionedAlertRule", _mutate(_rule(), "folderUid", "fld1"),
                 "Additional properties are not allowed ('folderUid' was unexpected)",
                 id="folderUid spelt the group's way on a rule"),
    pytest.param("AlertRuleGroup", _mutate(_group(), "interval", "60s"),
                 "$.interval: '60s' is not of type 'integer'",
                 id="file-format interval in the API"),
    pytest.param("AlertRuleGroup", _mutate(_group(), "interval", 45),
                 "$.interval: 45s is not a multiple of 10s", id="interval off the scheduler tick"),
    pytest.param("AlertRuleGroup", _mutate(_group(), "rules.0.ruleGroup", "other"),
                 "$.rules[0].ruleGroup: 'other' != group title 'infra'",
                 id="rule in another group"),
    pytest.param("AlertRuleGroup", {"apiVersion": 1, "groups": []},
                 "Additional properties are not allowed", id="a provisioning file sent to the API"),
    pytest.param("EmbeddedContactPoint", {"name": "ops", "type": "slak", "settings": {}},
                 "$.type: 'slak' is not one of", id="unknown contact point type"),
    pytest.param("Route", {"receiver": "ops", "object_matchers": [["team", "="]]},
                 "$.object_matchers[0]: ['team', '='] is too short", id="object matcher of two"),
    pytest.param("AlertingFileExport", _mutate(_file(), "groups.0.interval", 60),
                 "$.groups[0].interval: 60 is not of type 'string'", id="API interval in a file"),
    pytest.param("AlertingFileExport", _mutate(_file(), "apiVersion", 2),
                 "$.apiVersion: 2 is not one of [1]", id="unknown file apiVersion"),
    pytest.param("AlertingFileExport", _mutate(_file(), "groups.0.rules.0.dasboardUid", "d1"),
                 "('dasboardUid' was unexpected)", id="the spec's dasboardUid typo"),
]


@pytest.mark.parametrize("definition, body, message", BAD)
def test_known_bad_bodies_fail_with_a_located_message(
        grafana_spec: GrafanaSpec, definition: str, body: Any, message: str) -> None:
    with pytest.raises(GrafanaSchemaError) as info:
        grafana_spec.validate_body(definition, body)
    assert message in str(info.value)
    assert str(info.value).startswith(f"{definition}: invalid body")


@pytest.mark.parametrize("method, path, definition", [
    ("POST", "/api/folders", "CreateFolderCommand"),
    ("POST", "/api/datasources", "AddDataSourceCommand"),
    ("PUT", "/api/datasources/uid/pg", "UpdateDataSourceCommand"),
    ("POST", "/api/dashboards/db", "SaveDashboardCommand"),
    ("PUT", "/api/v1/provisioning/folder/fld1/rule-groups/infra", "AlertRuleGroup"),
    ("POST", "/api/v1/provisioning/alert-rules", "ProvisionedAlertRule"),
    ("PUT", "/api/v1/provisioning/alert-rules/cpu-high", "ProvisionedAlertRule"),
    ("POST", "/api/v1/provisioning/contact-points", "EmbeddedContactPoint"),
    ("PUT", "/api/v1/provisioning/contact-points/cp1", "EmbeddedContactPoint"),
    ("PUT", "/api/v1/provisioning/policies", "Route"),
    ("PUT", "/api/v1/provisioning/templates/slogen", "NotificationTemplateContent"),
])
def test_request_paths_map_to_their_body_definition(
        grafana_spec: GrafanaSpec, method: str, path: str, definition: str) -> None:
    assert grafana_spec.body_definition(method, path) == definition


def test_validate_request_checks_the_body_of_a_path(grafana_spec: GrafanaSpec) -> None:
    path = "/api/v1/provisioning/folder/fld1/rule-groups/infra"
    grafana_spec.validate_request("PUT", path, _group())
    with pytest.raises(GrafanaSchemaError, match="AlertRuleGroup"):
        grafana_spec.validate_request("PUT", path, _mutate(_group(), "interval", "1m"))


def test_unknown_paths_and_definitions_are_errors(grafana_spec: GrafanaSpec) -> None:
    with pytest.raises(KeyError, match="no body definition for GET /api/folders"):
        grafana_spec.body_definition("GET", "/api/folders")
    with pytest.raises(KeyError, match="unknown Grafana definition 'Nope'"):
        grafana_spec.validate_body("Nope", {})


@pytest.mark.parametrize("kind, document, message", [
    pytest.param("dashboards", {"apiVersion": 1, "providers": [{"name": "a", "type": "file",
                                                               "options": {"path": "/x"}}]},
                 None, id="a dashboard provider"),
    pytest.param("dashboards", {"apiVersion": 1, "providers": [{"name": "a", "path": "/x"}]},
                 "$.providers[0]: 'options' is a required property",
                 id="provider path outside options"),
    pytest.param("datasources", {"apiVersion": 1, "datasources": [
        {"name": "p", "type": "prometheus", "secureJsonData": {"password": "$__env{P}"}}]},
                 None, id="a datasource"),
    pytest.param("datasources", {"apiVersion": 1, "datasources": [{"name": "p", "type": "x",
                                                                   "access": "server"}]},
                 "$.datasources[0].access: 'server' is not one of", id="access is proxy or direct"),
])
def test_provisioning_files(kind: str, document: Any, message: str | None) -> None:
    if message is None:
        validate_provisioning(kind, document)
        return
    with pytest.raises(GrafanaSchemaError, match=re.escape(message)):
        validate_provisioning(kind, document)
