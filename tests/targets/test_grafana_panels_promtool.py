"""Dashboard queries read values the generated Prometheus rules really record (promtool tests)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from tests.conftest import ROOT

SERVICE = "archon-intelligence"
SLO = "feedback-loop-success"
# 10 events/s, 9 of them good: error ratio 0.1, twice the 5 % budget of a 95 % objective.
INPUT = [{"series": "feedback_loop_total", "values": "0+600x180"},
         {"series": "feedback_loop_success_total", "values": "0+540x180"}]
SLO_PANEL_VALUES = {"SLI": 0.9, "remaining": -1.0, "objective": 0.95, "SLI (5m)": 0.9}
# Both archon SLOs have an objective series; only the fed one has ratios.
OVERVIEW_VALUES = {"objective": 1.9, "SLI": 0.9, "budget remaining": -1.0, "{{slo_id}}": -1.0}
BURN_RATE = 2.0


def _queries(uid: str, title_prefix: str = "") -> list[tuple[str, str]]:
    path = ROOT / "out" / "grafana" / "api" / "dashboards" / f"{uid}.json"
    board = json.loads(path.read_text(encoding="utf-8"))["dashboard"]
    return [(t["legendFormat"], t["expr"]) for p in board["panels"]
            if p["title"].startswith(title_prefix) for t in p.get("targets", [])]


def _run(tmp_path: Path, promtool: str, cases: list[tuple[str, float]]) -> None:
    shutil.copy(ROOT / "out" / "prometheus" / f"{SERVICE}.rules.yaml", tmp_path / "rules.yaml")
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
def test_slo_panel_queries_evaluate_on_the_recorded_series(tmp_path: Path, promtool: str) -> None:
    queries = _queries("phase4", f"{SLO}:")
    assert len(queries) == 11  # SLI, budget, 7 burn-rate windows, SLI and objective over time
    _run(tmp_path, promtool,
         [(e, SLO_PANEL_VALUES.get(legend, BURN_RATE)) for legend, e in queries])


@pytest.mark.promtool
def test_overview_queries_evaluate_for_the_selected_service(tmp_path: Path,
                                                            promtool: str) -> None:
    queries = _queries("slogen-overview")
    assert len(queries) == 6  # table (3), budget over time, page burn rates (1h, 6h)
    _run(tmp_path, promtool, [(e.replace("$service", SERVICE),
                               OVERVIEW_VALUES.get(legend, BURN_RATE)) for legend, e in queries])
