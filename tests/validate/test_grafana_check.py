"""Grafana reference check: panel PromQL parses, names known series, uses declared datasources."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline
from generator.core import model as m
from generator.validate import grafana
from generator.validate.results import Tools
from tests.conftest import SPECS_DIR, TESTDATA

CASE = TESTDATA / "grafana" / "in"


@pytest.mark.parametrize("expr, names", [
    pytest.param("up", {"up"}, id="a bare name"),
    pytest.param('sum by (le) (rate(h_bucket{job="a", le=~"0.1|x"}[5m]))', {"h_bucket"},
                 id="functions, label lists, matchers and ranges are not series"),
    pytest.param("time() - slogen_check_up offset 5m", {"slogen_check_up"}, id="time() is a call"),
    pytest.param("slo:sli_error:ratio_rate1h / on (slo_id) group_left() (1 - slo:objective:ratio)",
                 {"slo:sli_error:ratio_rate1h", "slo:objective:ratio"}, id="recorded names"),
    pytest.param('1 - x{instance=~"$instance"} and on (a) y', {"x", "y"},
                 id="keywords and variables are not series"),
    pytest.param("histogram_quantile(0.95, rate(a_bucket[$__rate_interval])) > 1e3", {"a_bucket"},
                 id="numbers are not series"),
])
def test_series_names(expr: str, names: set[str]) -> None:
    assert grafana.series_names(expr) == names


def _stage(tmp_path: Path, spec_dir: Path) -> tuple[Path, m.Model]:
    model = pipeline.compile_specs(spec_dir, None, spec_dir.parent)
    for rel, text in pipeline.render(model).items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return tmp_path, model


@pytest.mark.promtool
@pytest.mark.parametrize("spec_dir", [SPECS_DIR, CASE], ids=["reference", "case"])
def test_generated_dashboards_and_rules_pass(tmp_path: Path, promtool: str, spec_dir: Path) -> None:
    staged, model = _stage(tmp_path, spec_dir)
    problems = grafana.check_grafana(staged, model, Tools(promtool, None))
    assert [p for p in problems if not p.warning] == []
    # Seed 004's runbook dashboard reads two metrics nothing else mentions: dashboard.series
    # declares them, so the reference specs generate without a warning.
    assert problems == []


def _edit(staged: Path, rel: str, change: Any) -> None:
    path = staged / rel
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data), encoding="utf-8")


def _set_first_expr(expr: str) -> Any:
    def change(body: Any) -> None:
        body["panels"][1]["targets"][0]["expr"] = expr  # under the first SLO's row
    return change


def _set_datasource(body: Any) -> None:
    body["panels"][2]["datasource"] = {"type": "prometheus", "uid": "nope"}


def _set_rule_datasource(body: Any) -> None:
    body["rules"][0]["data"][0]["datasourceUid"] = "gone"


BOARD = "grafana/provisioning/dashboards/json/shop-boards/slogen-checkout.json"


@pytest.mark.promtool
@pytest.mark.parametrize("rel, change, expected", [
    pytest.param(BOARD, _set_first_expr('1 - slo:sli_error:ratio_rate9d{slo_id="x"}'),
                 'panel "SLI (30d, objective 99.9%)": no rule or spec defines '
                 'slo:sli_error:ratio_rate9d in: 1 - slo:sli_error:ratio_rate9d{slo_id="x"}',
                 id="a series no rule records"),
    pytest.param(BOARD, _set_first_expr("sum(rate(up[5m])"),
                 'panel "SLI (30d, objective 99.9%)": ',
                 id="PromQL that does not parse"),
    pytest.param(BOARD, _set_datasource,
                 "panel \"Error budget remaining\": datasource 'nope' is not "
                 "declared (orders-db, prom)", id="an undeclared panel datasource"),
    pytest.param("grafana/api/rule-groups/shop-alerts/checkout.json", _set_rule_datasource,
                 "rule \"ErrorBudgetLow\": datasource 'gone' is not declared",
                 id="an undeclared rule datasource"),
])
def test_broken_references_are_named(tmp_path: Path, promtool: str, rel: str, change: Any,
                                     expected: str) -> None:
    staged, model = _stage(tmp_path, CASE)
    _edit(staged, rel, change)
    problems = grafana.check_grafana(staged, model, Tools(promtool, None))
    assert [p.file for p in problems] == [rel]
    assert problems[0].output.startswith(expected)


@pytest.mark.promtool
def test_a_query_that_does_not_parse_is_named_in_every_panel_that_has_it(
        tmp_path: Path, promtool: str) -> None:
    """Identical panel queries are parsed once: the verdict still reaches each of them."""
    staged, model = _stage(tmp_path, SPECS_DIR)
    boards = sorted((staged / "grafana" / "provisioning" / "dashboards").rglob("slogen-*.json"))
    broken = [b for b in boards if b.name != "slogen-overview.json"][:2]
    assert len(broken) == 2  # noqa: PLR2004
    for board in broken:
        _edit(staged, board.relative_to(staged).as_posix(),
              lambda body: body["panels"][1]["targets"][0].update(expr="sum(rate(up[5m])"))
    problems = [p for p in grafana.check_grafana(staged, model, Tools(promtool, None))
                if p.check == "promql"]
    assert sorted(p.file for p in problems) == sorted(
        b.relative_to(staged).as_posix() for b in broken)


def test_declared_panels_may_read_raw_metrics_but_not_unrecorded_rule_names(
        tmp_path: Path) -> None:
    staged, model = _stage(tmp_path, CASE)
    for expr, warning in (("some_raw_metric_total", True), ("job:some_metric:rate5m", False)):
        def change(body: Any, expr: str = expr) -> None:
            panel = next(p for p in body["panels"] if p["title"] == "Queue depth")
            panel["targets"][0]["expr"] = expr
        _edit(staged, BOARD, change)
        problems = grafana.check_grafana(staged, model, Tools(None, None))
        hint = " (list it in dashboard.series if it is expected)" if warning else ""
        assert [(p.output, p.warning) for p in problems] == [
            (f'panel "Queue depth": no rule or spec defines {expr} in: {expr}{hint}', warning)]


def test_dashboard_series_declares_a_raw_metric_as_expected(tmp_path: Path) -> None:
    spec_dir = tmp_path / "slos"
    shutil.copytree(CASE, spec_dir)
    text = (spec_dir / "checkout.yaml").read_text(encoding="utf-8")
    (spec_dir / "checkout.yaml").write_text(
        text.replace("\ndashboard:\n", "\ndashboard:\n  series: [some_raw_metric_total]\n", 1),
        encoding="utf-8")
    staged, model = _stage(tmp_path / "out", spec_dir)

    def change(body: Any) -> None:
        panel = next(p for p in body["panels"] if p["title"] == "Queue depth")
        panel["targets"][0]["expr"] = "some_raw_metric_total"
    _edit(staged, BOARD, change)
    assert grafana.check_grafana(staged, model, Tools(None, None)) == []


def test_without_prometheus_rules_slo_series_are_unknown(tmp_path: Path) -> None:
    staged, model = _stage(tmp_path, CASE)
    shutil.rmtree(staged / "prometheus")
    problems = grafana.check_grafana(staged, model, Tools(None, None))
    assert problems and all("slo:" in p.output for p in problems)
