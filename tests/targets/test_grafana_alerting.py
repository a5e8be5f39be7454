"""Grafana-managed alert rules: both formats valid for their channel, and the same rules."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path, PurePath
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from generator.core import model as m
from generator.core.durations import format_duration, parse_duration
from generator.targets.grafana import alerting as grafana_alerting
from generator.targets.grafana import dashboard as grafana_dashboard
from tests.conftest import SPECS_DIR, TESTDATA
from tests.grafana_schema import GrafanaSpec

CASE = TESTDATA / "grafana" / "in"
RULES = PurePath("grafana/provisioning/alerting/rules.yaml")
FILE_ONLY_RULE_KEYS = ("dashboardUid", "panelId")
API_ONLY_RULE_KEYS = ("orgID", "folderUID", "ruleGroup")


def _model(spec_dir: Path) -> m.Model:
    return pipeline.compile_specs(spec_dir, None, spec_dir.parent)


def _api_groups(files: dict[PurePath, str]) -> dict[PurePath, Any]:
    return {p: json.loads(t) for p, t in files.items()
            if p.parts[:3] == ("grafana", "api", "rule-groups")}


def _file_doc(files: dict[PurePath, str]) -> Any:
    return YAML(typ="safe").load(files[RULES])


def _folder_uids(files: dict[PurePath, str]) -> dict[str, str]:
    """Folder title -> uid, from the folder documents the dashboard target writes."""
    docs = [json.loads(t) for p, t in files.items() if p.parts[:3] == ("grafana", "api", "folders")]
    return {d["title"]: d["uid"] for d in docs}


def _dollars(data: Any, old: str, new: str) -> Any:
    if isinstance(data, dict):
        return {k: _dollars(v, old, new) for k, v in data.items()}
    if isinstance(data, list):
        return [_dollars(v, old, new) for v in data]
    return data.replace(old, new) if isinstance(data, str) else data


def file_to_api(document: Any, folder_uids: dict[str, str]) -> list[dict[str, Any]]:
    """Convert a provisioning file into API rule-group bodies, as an operator would by hand."""
    groups = []
    for group in _dollars(document, "$$", "$")["groups"]:
        folder = folder_uids[group["folder"]]
        rules = [{**{k: v for k, v in r.items() if k not in FILE_ONLY_RULE_KEYS},
                  "orgID": group["orgId"], "folderUID": folder, "ruleGroup": group["name"],
                  **_link_annotations(r)}
                 for r in group["rules"]]
        groups.append({"title": group["name"], "folderUid": folder, "rules": rules,
                       "interval": int(parse_duration(group["interval"]).total_seconds())})
    return groups


def _link_annotations(rule: dict[str, Any]) -> dict[str, Any]:
    """The file format's panel link fields as the API's annotations."""
    if "dashboardUid" not in rule:
        return {}
    return {"annotations": {**rule["annotations"], "__dashboardUid__": rule["dashboardUid"],
                            "__panelId__": str(rule["panelId"])}}


def _link_fields(rule: dict[str, Any]) -> dict[str, Any]:
    """The API's panel link annotations as the file format's fields."""
    notes = dict(rule["annotations"])
    if "__dashboardUid__" not in notes:
        return {}
    return {"annotations": notes, "dashboardUid": notes.pop("__dashboardUid__"),
            "panelId": int(notes.pop("__panelId__"))}


def api_to_file(groups: list[dict[str, Any]], folder_titles: dict[str, str]) -> dict[str, Any]:
    """The reverse: API bodies into one provisioning document."""
    out = []
    for group in groups:
        org = {r["orgID"] for r in group["rules"]}
        assert len(org) == 1
        out.append({"orgId": org.pop(), "name": group["title"],
                    "folder": folder_titles[group["folderUid"]],
                    "interval": format_duration(timedelta(seconds=group["interval"])),
                    "rules": [{**{k: v for k, v in r.items() if k not in API_ONLY_RULE_KEYS},
                               **_link_fields(r)}
                              for r in group["rules"]]})
    return {"apiVersion": 1, "groups": _dollars(out, "$", "$$")}


def _files(spec_dir: Path) -> dict[PurePath, str]:
    model = _model(spec_dir)
    return grafana_alerting.render(model) | grafana_dashboard.render(model)


@pytest.mark.parametrize("spec_dir", [SPECS_DIR, CASE], ids=["reference", "case"])
def test_rule_groups_match_the_api_schema_and_the_file_matches_the_file_format(
        grafana_spec: GrafanaSpec, spec_dir: Path) -> None:
    files = _files(spec_dir)
    groups = _api_groups(files)
    assert groups
    for path, body in groups.items():
        folder, group = path.parts[3], path.stem
        grafana_spec.validate_request(
            "PUT", f"/api/v1/provisioning/folder/{folder}/rule-groups/{group}", body)
        assert (body["folderUid"], body["title"]) == (folder, group)
    grafana_spec.validate_body("AlertingFileExport", _file_doc(files))


@pytest.mark.parametrize("spec_dir", [SPECS_DIR, CASE], ids=["reference", "case"])
def test_both_formats_describe_the_same_rules(spec_dir: Path) -> None:
    files = _files(spec_dir)
    api = sorted(_api_groups(files).values(), key=lambda g: (g["folderUid"], g["title"]))
    uids = _folder_uids(files)
    assert file_to_api(_file_doc(files), uids) == api
    titles = {uid: title for title, uid in uids.items()}
    assert api_to_file(api, titles) == _file_doc(files)


def test_seed_002_has_its_five_rules_in_both_formats() -> None:
    files = _files(SPECS_DIR)
    api_rules = {r["title"]: r for g in _api_groups(files).values() for r in g["rules"]}
    file_rules = {r["title"]: r for g in _file_doc(files)["groups"] for r in g["rules"]}
    names = ["ConfidenceDrop", "HighDiversity", "RunsStalled", "TTRRegression",
             "TopProblemDominates"]
    assert sorted(api_rules) == sorted(file_rules) == names
    stalled = api_rules["RunsStalled"]
    assert stalled["noDataState"] == "Alerting" and stalled["for"] == "5m"
    assert stalled["labels"]["managed_by"] == "slogen"
    query, reduce, threshold = stalled["data"]
    assert query["datasourceUid"] == "devdiag-postgres"
    assert query["relativeTimeRange"]["from"] > query["relativeTimeRange"]["to"]
    assert "FROM devdiag.diag_run" in query["model"]["rawSql"]
    assert (reduce["model"]["type"], reduce["model"]["expression"]) == ("reduce", "A")
    assert threshold["model"]["conditions"][0]["evaluator"] == {"type": "lt", "params": [1.0]}
    assert {d["datasourceUid"] for d in (reduce, threshold)} == {"__expr__"}
    group = next(g for g in _file_doc(files)["groups"] if g["name"] == "devdiag-pipeline")
    assert (group["folder"], group["interval"]) == ("DevDiag Alerts", "5m")


def test_conditions_promql_queries_and_labels() -> None:
    files = _files(CASE)
    rules = {r["title"]: r for g in _api_groups(files).values() for r in g["rules"]}
    budget = rules["ErrorBudgetLow"]
    assert budget["data"][0]["model"]["expr"].startswith("slo:error_budget_remaining:ratio")
    assert budget["data"][0]["relativeTimeRange"] == {"from": 1800, "to": 0}
    assert budget["data"][1]["model"]["reducer"] == "min"
    assert budget["labels"] == {"managed_by": "slogen", "page": "yes", "service": "checkout",
                                "severity": "critical", "team": "shop"}
    assert budget["annotations"]["dashboard"] == "checkout"
    odd = rules["PendingOrdersOdd"]["data"][2]["model"]["conditions"][0]["evaluator"]
    assert odd == {"type": "outside_range", "params": [0.0, 500.0]}
    assert rules["PendingOrdersOdd"]["execErrState"] == "Alerting"
    halted = rules["PaymentsHalted"]["data"][2]["model"]
    assert (halted["type"], halted["expression"]) == ("math", "$B == 1")
    # Grafana expands $VAR in provisioning files; the file doubles the dollar to keep it.
    assert "expression: $$B == 1" in files[RULES]
    intervals = {g["title"]: g["interval"] for g in _api_groups(files).values()}
    assert intervals == {"checkout": 60, "payments": 30}


def test_rules_in_one_group_must_share_every(tmp_path: Path) -> None:
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()
    for src in CASE.iterdir():
        text = src.read_text(encoding="utf-8")
        if src.name == "checkout.yaml":
            text = re.sub(r"(outside: \[0, 500\]\n    every: )1m", r"\g<1>2m", text)
        (spec_dir / src.name).write_text(text, encoding="utf-8")
    from generator.core.errors import SpecErrors

    with pytest.raises(SpecErrors) as info:
        _model(spec_dir)
    assert str(info.value) == (
        "slos/checkout.yaml:51:5: grafana_alerts[1].every: every 2m differs from every 1m of "
        "ErrorBudgetLow in group 'checkout'; Grafana evaluates a group at one interval")


def test_rules_link_to_their_service_dashboards_alert_list_in_both_formats() -> None:
    files = _files(SPECS_DIR)
    boards = {json.loads(t)["uid"]: json.loads(t) for p, t in files.items()
              if p.parts[:4] == ("grafana", "provisioning", "dashboards", "json")}
    api_rules = [r for g in _api_groups(files).values() for r in g["rules"]]
    assert api_rules
    for rule in api_rules:
        board = boards[rule["annotations"]["__dashboardUid__"]]
        [panel] = [p for p in board["panels"] if p["id"] == int(rule["annotations"]["__panelId__"])]
        assert panel["type"] == "alertlist"
    file_rules = {r["uid"]: r for g in _file_doc(files)["groups"] for r in g["rules"]}
    for rule in api_rules:
        linked = file_rules[rule["uid"]]
        assert (linked["dashboardUid"], str(linked["panelId"])) == (
            rule["annotations"]["__dashboardUid__"], rule["annotations"]["__panelId__"])
        assert "__dashboardUid__" not in linked["annotations"]
