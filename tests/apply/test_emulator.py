"""The Grafana emulator answers like Grafana: status codes and bodies from the API notes."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import requests

from tests.grafana_emulator import Emulator

P = "/api/v1/provisioning"
RULE = {"uid": "r1", "orgID": 1, "folderUID": "f1", "ruleGroup": "g", "title": "R",
        "condition": "C", "for": "5m", "noDataState": "NoData", "execErrState": "Error",
        "data": [{"refId": "A", "datasourceUid": "ds1", "relativeTimeRange": {"from": 600, "to": 0},
                  "model": {"expr": "up"}},
                 {"refId": "C", "datasourceUid": "__expr__",
                  "relativeTimeRange": {"from": 0, "to": 0},
                  "model": {"type": "threshold", "expression": "A"}}]}


def _call(emulator: Emulator, method: str, path: str, body: Any = None,
          **headers: str) -> requests.Response:
    return requests.request(method, emulator.url + path, json=body, timeout=5, headers={
        "Authorization": f"Bearer {emulator.token}", **headers})


@pytest.fixture
def seeded(emulator: Emulator) -> Emulator:
    """A folder f1 with dashboard d1 and datasource ds1."""
    assert _call(emulator, "POST", "/api/folders", {"uid": "f1", "title": "F1"}).ok
    assert _call(emulator, "POST", "/api/datasources",
                 {"uid": "ds1", "name": "Prom", "type": "prometheus", "url": "http://p"}).ok
    assert _call(emulator, "POST", "/api/dashboards/db", {
        "dashboard": {"uid": "d1", "title": "D1", "tags": ["a", "b"]}, "folderUid": "f1"}).ok
    return emulator


def _group(**rule_change: Any) -> dict[str, Any]:
    return {"title": "g", "folderUid": "f1", "interval": 60,
            "rules": [{**copy.deepcopy(RULE), **rule_change}]}


@pytest.mark.parametrize("method, path, body, status, message", [
    pytest.param("POST", "/api/folders", {"uid": "f1", "title": "Other"}, 409,
                 "a folder with the same uid already exists", id="folder uid taken"),
    pytest.param("POST", "/api/folders", {"uid": "f2", "title": "F1"}, 409,
                 "a folder with the same name already exists in the current location",
                 id="folder title taken"),
    pytest.param("GET", "/api/folders/nope", None, 404, "folder not found", id="folder missing"),
    pytest.param("PUT", "/api/folders/f1", {"title": "X", "version": 7}, 412,
                 "the folder has been changed by someone else", id="folder version stale"),
    pytest.param("POST", "/api/datasources", {"name": "Prom", "type": "prometheus"}, 409,
                 "data source with the same name already exists", id="datasource name taken"),
    pytest.param("POST", "/api/dashboards/db", {"dashboard": {"uid": "d1", "title": "D1"}}, 412,
                 "A dashboard with the same uid already exists", id="dashboard exists"),
    pytest.param("POST", "/api/dashboards/db",
                 {"dashboard": {"uid": "d1", "title": "D1", "version": 9}, "folderUid": "f1"},
                 412, "The dashboard has been changed by someone else",
                 id="dashboard version stale"),
    pytest.param("POST", "/api/dashboards/db", {"dashboard": {"uid": "d2", "title": ""}}, 400,
                 "Dashboard title cannot be empty", id="dashboard without title"),
    pytest.param("GET", "/api/dashboards/uid/nope", None, 404, "Dashboard not found",
                 id="dashboard missing"),
    pytest.param("PUT", f"{P}/folder/f1/rule-groups/g", {**_group(), "interval": 45}, 400,
                 "invalid alert rule: interval (45s) should be non-zero and divided exactly by "
                 "scheduler interval: 10", id="group interval not a multiple of 10s"),
    pytest.param("PUT", f"{P}/folder/f1/rule-groups/g", _group(condition="B"), 400,
                 "invalid alert rule: condition B does not exist, must be one of [A,C]",
                 id="condition names no query"),
    pytest.param("PUT", f"{P}/folder/f1/rule-groups/g", {**_group(), "rules": [
        {**RULE, "folderUid": "f1"}]}, 400,
                 "bad request data: AlertRuleGroup: invalid body\n  $.rules[0]: Additional "
                 "properties are not allowed ('folderUid' was unexpected)",
                 id="folderUid misspelt (schema)"),
    pytest.param("PUT", f"{P}/folder/f1/rule-groups/g",
                 _group(annotations={"__dashboardUid__": "d1"}), 400,
                 "invalid alert rule: both annotations __dashboardUid__ and __panelId__ must be "
                 "specified", id="a panel link without the panel"),
    pytest.param("PUT", f"{P}/policies", {"receiver": "nobody"}, 400,
                 "invalid object specification: receiver 'nobody' does not exist",
                 id="policy to an unknown receiver"),
])
def test_errors_match_grafana(seeded: Emulator, method: str, path: str, body: Any,
                              status: int, message: str) -> None:
    response = _call(seeded, method, path, body)
    assert response.status_code == status
    assert response.json()["message"].startswith(message)


def test_a_datasource_query_needs_a_time_range(seeded: Emulator) -> None:
    data = copy.deepcopy(RULE["data"])
    data[0]["relativeTimeRange"] = {"from": 0, "to": 0}
    response = _call(seeded, "PUT", f"{P}/folder/f1/rule-groups/g", _group(data=data))
    assert (response.status_code, response.json()) == (400, {
        "message": "Invalid alert rule query A: invalid relative time range [From: 0s, To: 0s]",
        "messageId": "alerting.alert-rule.invalidRelativeTime", "statusCode": 400})


def test_search_needs_every_tag_and_filters_by_type(seeded: Emulator) -> None:
    def uids(**params: str | list[str]) -> list[str]:
        response = requests.get(seeded.url + "/api/search", params=params, timeout=5,
                                headers={"Authorization": f"Bearer {seeded.token}"})
        return [hit["uid"] for hit in response.json()]

    assert uids(tag=["a", "b"]) == ["d1"]
    assert uids(tag=["a", "c"]) == []
    assert uids(type="dash-folder") == ["f1"]
    assert uids(folderUIDs="f1") == ["d1"]


def test_provenance_is_stored_and_locked(seeded: Emulator) -> None:
    point = {"uid": "cp", "name": "cp", "type": "email", "settings": {"addresses": "a@b.c"}}
    assert _call(seeded, "POST", f"{P}/contact-points", point).status_code == 202
    assert seeded.state.contact_points["cp"]["provenance"] == "api"
    response = _call(seeded, "PUT", f"{P}/contact-points/cp", point,
                     **{"X-Disable-Provenance": "true"})
    assert (response.status_code, response.json()["message"]) == (
        403, "cannot change provenance from 'api' to ''")
    assert _call(seeded, "PUT", f"{P}/folder/f1/rule-groups/g", _group()).ok
    assert _call(seeded, "PUT", f"{P}/folder/f1/rule-groups/g", _group(),
                 **{"X-Disable-Provenance": "true"}).ok
    assert seeded.state.rules["r1"]["provenance"] == ""


def test_requests_without_credentials_get_401(emulator: Emulator) -> None:
    response = requests.get(emulator.url + "/api/folders", timeout=5)
    assert (response.status_code, response.json()) == (401, {"message": "Unauthorized"})


def _every_route(emu: Emulator) -> None:
    """One request to each route, in an order in which each succeeds."""
    calls: list[tuple[str, str, Any]] = [
        ("GET", "/api/folders", None), ("GET", "/api/folders/f1", None),
        ("POST", "/api/folders", {"uid": "f2", "title": "F2", "description": "write-only"}),
        ("PUT", "/api/folders/f2", {"title": "F2b", "version": 1}),
        ("GET", "/api/datasources", None), ("GET", "/api/datasources/uid/ds1", None),
        ("POST", "/api/datasources", {"uid": "ds2", "name": "PG", "type": "postgres",
                                      "secureJsonData": {"password": "secret"}}),
        ("PUT", "/api/datasources/uid/ds2", {"name": "PG", "type": "postgres", "url": "db"}),
        ("GET", "/api/search", None), ("GET", "/api/dashboards/uid/d1", None),
        ("POST", "/api/dashboards/db", {"dashboard": {"uid": "d2", "title": "D2"},
                                        "folderUid": "f2"}),
        ("PUT", f"{P}/folder/f1/rule-groups/g", _group()),
        ("GET", f"{P}/alert-rules", None), ("GET", f"{P}/alert-rules/r1", None),
        ("GET", f"{P}/alert-rules/export?format=json", None),
        ("GET", f"{P}/folder/f1/rule-groups/g", None),
        ("POST", f"{P}/contact-points", {"uid": "cp", "name": "cp", "type": "slack",
                                         "settings": {"url": "https://hooks.example/x"}}),
        ("PUT", f"{P}/contact-points/cp", {"uid": "cp", "name": "cp", "type": "slack",
                                           "settings": {"url": "https://hooks.example/y"}}),
        ("GET", f"{P}/contact-points", None),
        ("POST", f"{P}/mute-timings", {"name": "nights", "time_intervals": [
            {"times": [{"start_time": "00:00", "end_time": "06:00"}]}]}),
        ("PUT", f"{P}/mute-timings/nights", {"name": "nights", "time_intervals": []}),
        ("GET", f"{P}/mute-timings", None),
        ("PUT", f"{P}/templates/t", {"template": '{{ define "t" }}x{{ end }}'}),
        ("GET", f"{P}/templates", None), ("GET", f"{P}/templates/t", None),
        ("PUT", f"{P}/policies", {"receiver": "cp", "mute_time_intervals": []}),
        ("GET", f"{P}/policies", None), ("DELETE", f"{P}/policies", None),
        ("DELETE", f"{P}/templates/t", None), ("DELETE", f"{P}/mute-timings/nights", None),
        ("DELETE", f"{P}/contact-points/cp", None),
        ("DELETE", f"{P}/folder/f1/rule-groups/g", None),
        ("DELETE", "/api/dashboards/uid/d2", None), ("DELETE", "/api/datasources/uid/ds2", None),
        ("DELETE", "/api/folders/f2", None),
        ("GET", "/api/folders/f2", None), ("PUT", f"{P}/policies", {"receiver": "nobody"}),
    ]
    for method, path, body in calls:
        _call(emu, method, path, body)


def test_every_answer_is_one_grafanas_api_definitions_allow(seeded: Emulator) -> None:
    """Each route, successes and errors, checked against the OpenAPI response definitions
    (objects closed), so the emulator cannot answer more kindly than Grafana does."""
    _every_route(seeded)
    served = {(entry.method, entry.path.split("?")[0]) for entry in seeded.log}
    from tests.grafana_emulator.server import COMPILED
    for method, pattern, _ in COMPILED:
        assert any(m == method and pattern.fullmatch(p) for m, p in served), pattern.pattern
    assert seeded.answer_problems == []


def test_folders_never_answer_their_description(seeded: Emulator) -> None:
    assert _call(seeded, "POST", "/api/folders", {"uid": "f3", "title": "F3",
                                                  "description": "managed-by:slogen"}).ok
    assert "description" not in _call(seeded, "GET", "/api/folders/f3").json()
    [secret] = [c for c in _call(seeded, "GET", "/api/datasources").json() if c["uid"] == "ds1"]
    assert "secureJsonData" not in secret


def test_a_kinder_answer_is_caught(seeded: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.grafana_emulator import folders

    monkeypatch.setattr(folders, "_folder_view", lambda folder: dict(folder))
    _call(seeded, "GET", "/api/folders/f1")
    problems, seeded.answer_problems[:] = list(seeded.answer_problems), []
    assert problems and "description" in problems[0]
