"""Grafana dashboards, folders and datasources: golden files, API schemas, seed 003's 13 panels."""

from __future__ import annotations

import dataclasses
import enum
import itertools
import json
import shutil
from pathlib import Path, PurePath
from typing import Any

import pytest
from grafanalib._gen import DashboardEncoder
from ruamel.yaml import YAML

from generator import pipeline
from generator.apply.desired import provisioned_dashboards
from generator.core import model as m
from generator.targets.grafana import alerting as grafana_alerting
from generator.targets.grafana import dashboard as grafana_dashboard
from generator.targets.grafana import overview as grafana_overview
from generator.targets.grafana import panels
from generator.targets.grafana.board import (
    HASH_TAG_PREFIX,
    _Unusual,
    content_hash,
    lean,
    lean_data,
    to_json,
)
from tests.conftest import SPECS_DIR, TESTDATA
from tests.golden import assert_golden
from tests.grafana_schema import GrafanaSpec, validate_provisioning

CASE = TESTDATA / "grafana"


def _model(spec_dir: Path) -> m.Model:
    return pipeline.compile_specs(spec_dir, None, spec_dir.parent)


def _files(spec_dir: Path) -> dict[PurePath, str]:
    model = _model(spec_dir)
    return grafana_dashboard.render(model) | grafana_alerting.render(model)


def _json(files: dict[PurePath, str], path: str) -> Any:
    return json.loads(files[PurePath(path)])


def _board(files: dict[PurePath, str], uid: str) -> Any:
    """The one copy of a dashboard: its provisioning JSON, in whichever folder directory."""
    [text] = [t for p, t in files.items()
              if p.parts[:4] == ("grafana", "provisioning", "dashboards", "json")
              and p.name == f"{uid}.json"]
    return json.loads(text)


def _api_bodies(files: dict[PurePath, str], tmp: Path) -> dict[str, Any]:
    """Dashboard uid -> the POST /api/dashboards/db body `slogen apply` builds from out/."""
    for path, text in files.items():
        (tmp / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp / path).write_text(text, encoding="utf-8")
    found = provisioned_dashboards(tmp / "grafana" / "provisioning" / "dashboards")
    return {body["dashboard"]["uid"]: body for _, body in found}


@pytest.mark.parametrize("spec_dir, expected", [
    pytest.param(SPECS_DIR, CASE / "reference", id="the five reference specs"),
    pytest.param(CASE / "in", CASE / "out", id="every SLI kind, two dashboard folders"),
])
def test_grafana_files_match_golden(spec_dir: Path, expected: Path, update_golden: bool) -> None:
    assert_golden(expected, _files(spec_dir), update_golden)


@pytest.mark.parametrize("spec_dir", [SPECS_DIR, CASE / "in"], ids=["reference", "case"])
def test_every_api_document_matches_grafanas_openapi_spec(
        grafana_spec: GrafanaSpec, spec_dir: Path, tmp_path: Path) -> None:
    files = _files(spec_dir)
    requests = {"dashboards": ("POST", "/api/dashboards/db"), "folders": ("POST", "/api/folders"),
                "datasources": ("POST", "/api/datasources")}
    checked = 0
    for path, text in files.items():
        parts = path.parts
        if parts[:2] == ("grafana", "api") and parts[2] in requests:
            grafana_spec.validate_request(*requests[parts[2]], json.loads(text))
            checked += 1
    for body in _api_bodies(files, tmp_path).values():
        grafana_spec.validate_request(*requests["dashboards"], body)
        checked += 1
    assert checked >= 4


def test_seed_003_dashboard_has_its_13_panels_48h_range_and_10s_refresh() -> None:
    files = _files(SPECS_DIR)
    board = _board(files, "genesis-48h")
    spec_titles = [p.title for p in _model(SPECS_DIR).service("genesis").dashboard.panels]
    assert [p["title"] for p in board["panels"]] == spec_titles
    assert len(board["panels"]) == 13
    assert board["time"] == {"from": "now-48h", "to": "now"}
    assert board["refresh"] == "10s"
    first = board["panels"][0]
    assert first["type"] == "stat"
    assert first["fieldConfig"]["defaults"]["thresholds"]["steps"] == [
        {"color": "red", "value": None}, {"color": "yellow", "value": 98.0},
        {"color": "green", "value": 99.0}]


def test_the_api_body_is_built_from_the_one_provisioning_copy(tmp_path: Path) -> None:
    files = _files(SPECS_DIR)
    assert not [p for p in files if p.parts[:3] == ("grafana", "api", "dashboards")]
    bodies = _api_bodies(files, tmp_path)
    assert bodies
    for uid, body in bodies.items():
        board = body["dashboard"]
        assert body["folderUid"] == "slogen-slos"
        assert board == _json(files, f"grafana/provisioning/dashboards/json/{uid}.json")
        assert "managed-by:slogen" in board["tags"]
        assert f"{HASH_TAG_PREFIX}{content_hash(board)}" in board["tags"]
        assert len(uid) <= 40


def test_dashboards_carry_no_legacy_grafanalib_keys() -> None:
    def keys(node: Any) -> set[str]:
        if isinstance(node, dict):
            return set(node) | {k for v in node.values() for k in keys(v)}
        return {k for v in node for k in keys(v)} if isinstance(node, list) else set()

    for uid in ("slogen-hive", "genesis-48h", "slogen-overview"):
        board = _board(_files(SPECS_DIR), uid)
        assert not keys(board) & {"rows", "gnetId", "style", "hideControls", "sharedCrosshair",
                                  "span", "cacheTimeout"}, uid
        panel_keys = {k for panel in board["panels"] for k in panel}
        target_keys = {k for panel in board["panels"] for t in panel.get("targets", []) for k in t}
        assert not target_keys & {"query", "step", "metric", "target"}, uid
        assert "editable" not in panel_keys and board["editable"] is False


def test_dashboards_are_read_off_grafanalib_objects_as_its_encoder_writes_them() -> None:
    model = _model(SPECS_DIR)
    boards = [grafana_dashboard.service_dashboard(s, inline) for s in model.services
              for inline in (False, True)]
    for board in [*boards, grafana_overview.overview_dashboard(model)]:
        encoded = json.loads(json.dumps(board.to_json_data(), cls=DashboardEncoder))
        assert lean_data(board) == lean(encoded)
    # A value the encoder writes as another type (an int enum as its number, an int key as a
    # string, anything else as its error) is left to it.
    for odd in ({"a": {1: "x"}}, {"a": [enum.IntEnum("Odd", "A").A]}, {"a": object()}):
        with pytest.raises(_Unusual):
            lean_data(odd)


def test_slo_rows_read_once_are_the_rows_read_anew(monkeypatch: pytest.MonkeyPatch) -> None:
    model = _model(CASE / "in")
    boards = [to_json(grafana_dashboard.service_dashboard(s, inline)) for s in model.services
              for inline in (False, True)]
    monkeypatch.setattr(grafana_dashboard, "_slo_panels", panels.slo_panels)
    assert boards == [to_json(grafana_dashboard.service_dashboard(s, inline))
                      for s in model.services for inline in (False, True)]


def test_hash_tag_changes_with_content_only() -> None:
    board = _board(_files(SPECS_DIR), "slogen-hive")
    without = [t for t in board["tags"] if not t.startswith(HASH_TAG_PREFIX)]
    assert len(without) == len(board["tags"]) - 1
    assert content_hash(board) == content_hash({**board, "tags": without})
    assert content_hash(board) != content_hash({**board, "title": "other"})


def test_slo_panels_show_sli_budget_burn_rate_and_sli_over_time() -> None:
    board = _board(_files(CASE / "in"), "slogen-checkout")
    titles = [p["title"] for p in board["panels"]]
    # A row per SLO carries its id; the four panels below it are that SLO's.
    assert titles[:5] == ["checkout-availability", "SLI (30d, objective 99.9%)",
                          "Error budget remaining", "Burn rate", "SLI over time"]
    assert board["panels"][0]["type"] == "row" and "repeat" not in board["panels"][0]
    steps = board["panels"][1]["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert [s["color"] for s in steps] == ["red", "yellow", "green"]
    assert [s["value"] for s in steps] == [None, 0.999, 0.9995]
    burn = [t["expr"] for t in board["panels"][3]["targets"]]
    # The default rule layout records no per-window ratios: panels derive them from the 5m rates.
    sel = '{slo_id="checkout-availability"}'
    # Over the error budget as the alerts write it (0.001 for 99.9%), not a join per window.
    assert burn[0] == f"(slo:sli_error:rate5m{sel} / slo:sli_total:rate5m{sel}) / 0.001"
    # 30m: the 5m rate at t plus the average of the older 25m, weighted five to one.
    assert burn[1].startswith(f"(((slo:sli_error:rate5m{sel} + 5 * avg_over_time("
                              f"slo:sli_error:rate5m{sel}[24m59s999ms] offset 2m30s)) or ")
    assert burn[1].endswith(f" or slo:sli_total:rate5m{sel})) / 0.001")
    assert {"http_request_duration_seconds percentiles", "queue_wait_seconds percentiles",
            "Health checks", "Active alerts", "Runbooks", "Queue depth", "Notes"} <= set(
                titles[titles.index("Service"):])
    # Each burn-rate alert links the anchor its runbook_url annotation names.
    runbooks = next(p for p in board["panels"] if p["title"] == "Runbooks")["options"]["content"]
    assert "| CheckoutAvailabilityBudgetBurn | <https://runbooks.example.com/checkout#" \
           "availability> |" in runbooks


_SHAPES = """\
version: slogen/v1
service: shop
team: shop
slos:
"""


def test_slos_of_one_shape_share_a_row_repeated_over_their_ids(tmp_path: Path) -> None:
    specs = tmp_path / "slos"
    shutil.copytree(CASE / "in", specs)
    (specs / "checkout.yaml").unlink()
    slos = "".join(f"""\
  - name: {name}
    objective: {objective}
    sli:
      events:
        bad: sum(rate(http_requests_total{{job="{name}", code=~"5.."}}[{{{{window}}}}]))
        total: sum(rate(http_requests_total{{job="{name}"}}[{{{{window}}}}]))
""" for name, objective in (("a", 99.9), ("b", 99.5), ("c", 99.9), ("d", 99.9)))
    (specs / "shop.yaml").write_text(_SHAPES + slos, encoding="utf-8")
    board = _board(_files(specs), "slogen-shop")
    rows = [(p["title"], p.get("repeat")) for p in board["panels"] if p["type"] == "row"]
    assert rows == [("$slo1", "slo1"), ("shop-b", None), ("Service", None)]
    [variable] = [v for v in board["templating"]["list"] if v["type"] == "custom"]
    assert variable == {"name": "slo1", "label": "SLOs at 99.9% over 30d", "type": "custom",
                        "query": "shop-a,shop-c,shop-d", "multi": True, "includeAll": True,
                        "current": {"text": ["All"], "value": ["$__all"]}, "hide": 2}
    repeated = board["panels"][1:5]
    assert [p["title"] for p in repeated] == ["SLI (30d, objective 99.9%)",
                                              "Error budget remaining", "Burn rate",
                                              "SLI over time"]
    exprs = [t["expr"] for p in repeated for t in p["targets"]]
    assert all('slo_id="$slo1"' in e for e in exprs)
    assert not [e for e in exprs if "shop-a" in e or "shop-c" in e]
    # Grafana draws a repeated row once per value: each value's queries are its SLO's own.
    alone = [t["expr"] for p in board["panels"][6:10] for t in p["targets"]]
    assert [e.replace('"shop-b"', '"$slo1"') for e in alone] == [
        e.replace("0.001", "0.005") for e in exprs]


def test_slos_equal_in_what_their_panels_read_have_equal_panels() -> None:
    # An SLO's shape is found once for all SLOs equal in `panel_inputs`: every other field
    # (names, queries with the same groups, labels, alerts, calendar...) taken from another
    # SLO leaves the panels as they were. A panel that starts reading another field fails here.
    from generator.core.groups import series_group_labels

    dirs = (SPECS_DIR, CASE / "in", TESTDATA / "multiservice", TESTDATA / "prometheus" / "in")
    slos = [s for d in dirs for v in _model(d).services for s in v.slos]
    assert len(slos) > 10
    keyed = {"id", "objective", "window", "burn_windows", "step", "description"}
    other = [f.name for f in dataclasses.fields(m.Slo) if f.name not in keyed]
    compared = 0
    for slo, donor in itertools.product(slos, slos):
        changed = dataclasses.replace(slo, **{f: getattr(donor, f) for f in other})
        if series_group_labels(changed) != series_group_labels(slo):
            continue
        for inline in (False, True):
            key = grafana_dashboard.panel_inputs(slo, inline)
            assert grafana_dashboard.panel_inputs(changed, inline) == key
            assert [json.dumps(s.panel.to_json_data(), cls=DashboardEncoder, sort_keys=True)
                    for s in panels.slo_panels(changed, inline, "$slo")] == \
                [json.dumps(s.panel.to_json_data(), cls=DashboardEncoder, sort_keys=True)
                 for s in panels.slo_panels(slo, inline, "$slo")], (slo.id, donor.id)
            compared += 1
    assert compared > len(slos) * 4


def test_latency_panel_reads_recorded_quantiles_when_the_spec_records_them() -> None:
    board = _board(_files(CASE / "in"), "slogen-checkout")
    panel = next(p for p in board["panels"] if p["title"] == "queue_wait_seconds percentiles")
    assert [t["expr"] for t in panel["targets"]] == [
        "service:queue_wait_seconds:p50_rate5m", "service:queue_wait_seconds:p95_rate5m",
        "service:queue_wait_seconds:p99_rate5m"]


def test_variables_datasource_and_instance_where_an_availability_sli_exists() -> None:
    files = _files(CASE / "in")
    board = _board(files, "slogen-checkout")
    variables = {v["name"]: v for v in board["templating"]["list"]}
    assert variables["datasource"]["current"]["value"] == "prom"
    assert variables["instance"]["query"] == 'label_values(up{job="checkout"}, instance)'
    overview = _board(files, "slogen-overview")
    assert [v["name"] for v in overview["templating"]["list"]] == ["datasource", "service"]


def test_two_dashboard_folders_get_a_provider_and_directory_each() -> None:
    files = _files(CASE / "in")
    provider_file = PurePath("grafana/provisioning/dashboards/slogen.yaml")
    providers = YAML(typ="safe").load(files[provider_file])["providers"]
    base = "$__env{GF_PATHS_PROVISIONING}/dashboards/json"
    assert [(p["folderUid"], p["folder"], p["options"]["path"]) for p in providers] == [
        ("shop-boards", "Shop Boards", f"{base}/shop-boards"),
        ("slos", "Service Levels", f"{base}/slos")]
    assert PurePath("grafana/provisioning/dashboards/json/shop-boards/slogen-checkout.json") \
        in files


def test_secrets_are_placeholders_in_both_channels() -> None:
    files = _files(CASE / "in")
    body = _json(files, "grafana/api/datasources/orders-db.json")
    assert body["secureJsonData"] == {"password": "${env:ORDERS_DB_PASSWORD}"}
    path = PurePath("grafana/provisioning/datasources/slogen.yaml")
    provisioned = YAML(typ="safe").load(files[path])
    orders = next(d for d in provisioned["datasources"] if d["uid"] == "orders-db")
    assert orders["secureJsonData"] == {"password": "$__env{ORDERS_DB_PASSWORD}"}
    assert orders["jsonData"] == {"database": "orders"}


@pytest.mark.parametrize("spec_dir", [SPECS_DIR, CASE / "in"], ids=["reference", "case"])
def test_provisioning_files_follow_the_documented_format_and_point_at_the_json(
        spec_dir: Path, tmp_path: Path) -> None:
    files = _files(spec_dir)
    yaml = YAML(typ="safe")
    validate_provisioning("datasources", yaml.load(
        files[PurePath("grafana/provisioning/datasources/slogen.yaml")]))
    providers = yaml.load(files[PurePath("grafana/provisioning/dashboards/slogen.yaml")])
    validate_provisioning("dashboards", providers)
    root = "$__env{GF_PATHS_PROVISIONING}"
    api = _api_bodies(files, tmp_path)
    for provider in providers["providers"]:
        directory = PurePath(provider["options"]["path"].replace(root, "grafana/provisioning"))
        uids = {p.stem for p in files if p.parent == directory}
        assert uids and all(api[u].get("folderUid", "") == provider["folderUid"] for u in uids)
