"""Property: any spec change that alters out/ shows in `slogen diff` as a named object change.

A known-good spec set with one of everything gets random mutations (one to three); both sides
are compiled and rendered, and whenever a generated file differs the comparison must report
an object-level change, in the section the mutation belongs to.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from generator import compare, pipeline
from generator.compare_markdown import render_markdown

Specs = dict[str, dict[str, Any]]
SERVICE: dict[str, Any] = {
    "version": "slogen/v1", "service": "shop", "team": "web",
    "runbook": "https://runbooks.example.com/shop",
    "slos": [{"name": "availability", "objective": 99.9, "window": "30d",
              "description": "Orders accepted.",
              "sli": {"events": {
                  "bad": 'sum(rate(http_requests_total{job="shop",code=~"5.."}[{{window}}]))',
                  "total": 'sum(rate(http_requests_total{job="shop"}[{{window}}]))'}}}],
    "alerts": [{"name": "QueueDeep", "expr": "shop_queue_depth", "above": 100, "for": "5m",
                "severity": "warning"}],
    "recording": [{"histogram": "http_request_duration_seconds", "selector": '{job="shop"}',
                   "quantiles": [0.5, 0.99]}],
    "health_checks": [{"name": "open-orders", "database": "orders",
                       "sql": "SELECT count(*) AS value FROM orders",
                       "alert": {"above": 10, "severity": "warning"}}],
    "dashboard": {"panels": [{"title": "Queue", "queries": [{"expr": "shop_queue_depth"}]}],
                  "series": ["shop_queue_depth"]},
}
GLOBAL: dict[str, Any] = {
    "version": "slogen/v1",
    "receivers": [{"name": "pager", "webhook": {"url": "https://hooks.example.com/p"}}],
    "routing": {"receiver": "pager", "group_wait": "30s"},
    "databases": {"orders": {"url": "${ORDERS_DB_URL}"}},
    "exporter": {"listen": "127.0.0.1:9560"},
}


def _svc(specs: Specs) -> dict[str, Any]:
    return specs["shop.yaml"]


def _gl(specs: Specs) -> dict[str, Any]:
    return specs["_global.yaml"]


# Each mutation: (name, section the change must appear in, function of the specs and a value).
Mutation = tuple[str, str, Callable[[Specs, Any], None], st.SearchStrategy[Any]]
MUTATIONS: list[Mutation] = [
    ("objective", "SLOs", lambda s, v: _svc(s)["slos"][0].update(objective=v),
     st.sampled_from([99.0, 99.5, 99.95, 95.0])),
    ("slo description", "SLOs",
     lambda s, v: _svc(s)["slos"][0].update(description=v), st.sampled_from(["A", "B b"])),
    ("alert threshold", "Alerts", lambda s, v: _svc(s)["alerts"][0].update(above=v),
     st.integers(1, 99)),
    ("alert for", "Alerts", lambda s, v: _svc(s)["alerts"][0].update({"for": v}),
     st.sampled_from(["1m", "10m", "1h"])),
    ("alert label", "Prometheus rules",
     lambda s, v: _svc(s)["alerts"][0].update(labels={"area": v}),
     st.sampled_from(["queue", "api"])),
    ("alert summary", "Prometheus rules",
     lambda s, v: _svc(s)["alerts"][0].update(summary=v), st.sampled_from(["Deep", "Full"])),
    ("quantiles", "Prometheus rules",
     lambda s, v: _svc(s)["recording"][0].update(quantiles=v),
     st.sampled_from([[0.5], [0.9, 0.99], [0.95]])),
    ("check sql", "Health checks", lambda s, v: _svc(s)["health_checks"][0].update(sql=v),
     st.sampled_from(["SELECT 1 AS value", "SELECT count(*) AS value FROM open_orders"])),
    ("check every", "Health checks",
     lambda s, v: _svc(s)["health_checks"][0].update(every=v), st.sampled_from(["30s", "5m"])),
    ("panel query", "Dashboards",
     lambda s, v: _svc(s)["dashboard"]["panels"][0].update(queries=[{"expr": v}]),
     st.sampled_from(["max(shop_queue_depth)", "sum(shop_queue_depth)"])),
    ("panel unit", "Dashboards",
     lambda s, v: _svc(s)["dashboard"]["panels"][0].update(unit=v),
     st.sampled_from(["short", "percent"])),
    ("panel added", "Dashboards",
     lambda s, v: _svc(s)["dashboard"]["panels"].append({"title": v, "type": "text",
                                                          "text": "Read me"}),
     st.sampled_from(["Notes", "Help"])),
    ("policies", "Policies",
     lambda s, v: _svc(s).update(policies=[{"name": "deploy",
                                            "block_when": {"budget_remaining_below": v}}]),
     st.sampled_from([10, 25])),
    ("exporter listen", "Settings",
     lambda s, v: _gl(s)["exporter"].update(listen=f"127.0.0.1:{v}"),
     st.integers(20000, 30000)),
    ("group wait", "Routes", lambda s, v: _gl(s)["routing"].update(group_wait=v),
     st.sampled_from(["10s", "1m"])),
    ("windows layout", "Prometheus rules",
     lambda s, v: _gl(s).update(prometheus={"windows": v}), st.just("recorded")),
    ("scrape", "Settings", lambda s, v: _svc(s).update(scrape={"targets": [f"10.0.0.1:{v}"]}),
     st.integers(8000, 8100)),
    ("service runbook", "Alerts",
     lambda s, v: _svc(s).update(runbook=f"https://runbooks.example.com/{v}"),
     st.sampled_from(["shop2", "store"])),
]


def _write(specs: Specs, root: Path) -> Path:
    spec_dir = root / "slos"
    spec_dir.mkdir(parents=True)
    yaml = YAML()
    for name, data in specs.items():
        with (spec_dir / name).open("w", encoding="utf-8") as out:
            yaml.dump(data, out)
    return spec_dir


def _compile(specs: Specs, root: Path) -> tuple[compare.Snapshot, dict[str, str]]:
    spec_dir = _write(specs, root)
    model = pipeline.compile_specs(spec_dir, None, root)
    files = pipeline.render(model)
    return compare.snapshot(model, files), {p.as_posix(): t for p, t in files.items()}


BASE: Specs = {"shop.yaml": SERVICE, "_global.yaml": GLOBAL}


@st.composite
def _mutated(draw: st.DrawFn) -> tuple[list[str], Specs]:
    chosen = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3,
                           unique_by=lambda m: m[0]))
    specs = copy.deepcopy(BASE)
    for _, _, change, values in chosen:
        change(specs, draw(values))
    return [f"{name}:{section}" for name, section, _, _ in chosen], specs


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> tuple[compare.Snapshot, dict[str, str]]:
    return _compile(BASE, tmp_path_factory.mktemp("base"))


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=_mutated())
def test_every_change_to_out_is_named(
        case: tuple[list[str], Specs], base: tuple[compare.Snapshot, dict[str, str]],
        tmp_path_factory: pytest.TempPathFactory) -> None:
    labels, specs = case
    old, old_files = base
    new, new_files = _compile(specs, tmp_path_factory.mktemp("head"))
    report = compare.compare(old, new)
    if old_files != new_files:
        assert report.changes, f"{labels}: out/ changed but no object change is reported"
        markdown = render_markdown(report, "base", "head")
        assert "\n0 objects changed" not in markdown
    for label in labels:
        name, section = label.split(":")
        assert any(c.section == section for c in report.changes), (
            f"{name}: expected a change in {section}, got "
            f"{sorted({c.section for c in report.changes})}")


def test_exporter_listen_and_sql_changes_read_as_old_and_new_values(
        base: tuple[compare.Snapshot, dict[str, str]], tmp_path: Path) -> None:
    specs = copy.deepcopy(BASE)
    _gl(specs)["exporter"]["listen"] = "127.0.0.1:23401"
    _svc(specs)["health_checks"][0]["sql"] = "SELECT 1 AS value"
    new, _ = _compile(specs, tmp_path)
    text = render_markdown(compare.compare(base[0], new), "main", "work tree")
    assert "| changed | `exporter` | listen: 127.0.0.1:9560 -> 127.0.0.1:23401 |" in text
    assert ("| changed | `shop-open-orders` | sql: SELECT count(*) AS value FROM orders -> "
            "SELECT 1 AS value |") in text


def test_a_panel_change_names_the_panel(
        base: tuple[compare.Snapshot, dict[str, str]], tmp_path: Path) -> None:
    specs = copy.deepcopy(BASE)
    _svc(specs)["dashboard"]["panels"][0]["queries"] = [{"expr": "max(shop_queue_depth)"}]
    new, _ = _compile(specs, tmp_path)
    text = render_markdown(compare.compare(base[0], new), "main", "work tree")
    line = next(x for x in text.splitlines() if x.startswith("| changed | `slogen-shop` |"))
    assert "panel Queue: timeseries; shop_queue_depth #" in line
    assert "-> timeseries; max(shop_queue_depth) #" in line
