"""Dashboard queries give the right SLI, budget and burn rates on the series the generated
Prometheus rules record, in both rule layouts (promtool tests)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
from functools import cache
from pathlib import Path, PurePath

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from tests.conftest import ROOT, SPECS_DIR

SERVICE = "archon-intelligence"
SLO = "feedback-loop-success"
# 10 events/s, 9 of them good: error ratio 0.1, twice the 5 % budget of a 95 % objective.
INPUT = [{"series": "feedback_loop_total", "values": "0+600x180"},
         {"series": "feedback_loop_success_total", "values": "0+540x180"}]
SLO_PANEL_VALUES = {"SLI": 0.9, "remaining": -1.0, "objective": 0.95, "SLI (5m)": 0.9}
# Both archon SLOs have an objective series; only the fed one has ratios.
OVERVIEW_VALUES = {"objective": 1.9, "SLI": 0.9, "budget remaining": -1.0, "{{slo_id}}": -1.0}
BURN_RATE = 2.0
# "inline" is the default the committed out/ holds; "recorded" is rendered here.
LAYOUTS = ("inline", "recorded")


@cache
def _rendered(layout: str) -> dict[PurePath, str]:
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    model = dataclasses.replace(
        model, prometheus=dataclasses.replace(model.prometheus, windows=layout))
    return pipeline.render(model, frozenset({"prometheus", "grafana-dashboards"}))


def _queries(layout: str, uid: str, row: str | None = None) -> list[tuple[str, str]]:
    """(legend, expr) of every query on a dashboard, or of the panels under the row `row`."""
    path = PurePath("grafana", "provisioning", "dashboards", "json", f"{uid}.json")
    board = json.loads(_rendered(layout)[path])
    found, current = [], None
    for panel in board["panels"]:
        current = panel["title"] if panel["type"] == "row" else current
        if row is None or current == row:
            found += [(t["legendFormat"], t["expr"]) for t in panel.get("targets", [])]
    return found


def test_the_committed_output_uses_the_default_layout() -> None:
    rules = PurePath("prometheus", f"{SERVICE}.rules.yaml")
    assert (ROOT / "out" / rules).read_text(encoding="utf-8") == _rendered("inline")[rules]


def _run(tmp_path: Path, promtool: str, layout: str, cases: list[tuple[str, float]]) -> None:
    rules = _rendered(layout)[PurePath("prometheus", f"{SERVICE}.rules.yaml")]
    (tmp_path / "rules.yaml").write_text(rules, encoding="utf-8")
    tests = [{
        # sum() drops the labels, so only the value is compared; round() the float noise.
        "expr": f"round(sum({expr}), 0.0001)", "eval_time": "150m",
        "exp_samples": [{"labels": "{}", "value": value}],
    } for expr, value in cases]
    document = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m",
                "tests": [{"interval": "1m", "input_series": INPUT, "promql_expr_test": tests}]}
    with (tmp_path / "panels.test.yaml").open("w", encoding="utf-8") as fh:
        YAML().dump(document, fh)
    result = subprocess.run([promtool, "test", "rules", "panels.test.yaml"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.promtool
@pytest.mark.parametrize("layout", LAYOUTS)
def test_slo_panel_queries_evaluate_on_the_recorded_series(tmp_path: Path, promtool: str,
                                                           layout: str) -> None:
    queries = _queries(layout, "phase4", f"{SERVICE}-{SLO}")
    assert len(queries) == 11  # SLI, budget, 7 burn-rate windows, SLI and objective over time
    _run(tmp_path, promtool, layout,
         [(e, SLO_PANEL_VALUES.get(legend, BURN_RATE)) for legend, e in queries])


@pytest.mark.promtool
@pytest.mark.parametrize("layout", LAYOUTS)
def test_overview_queries_evaluate_for_the_selected_service(tmp_path: Path, promtool: str,
                                                            layout: str) -> None:
    queries = _queries(layout, "slogen-overview")
    assert len(queries) == 7  # table (3), budget over time, page burn rates (5m, 1h, 6h)
    _run(tmp_path, promtool, layout,
         [(e.replace("$service", SERVICE), OVERVIEW_VALUES.get(legend, BURN_RATE))
          for legend, e in queries])
