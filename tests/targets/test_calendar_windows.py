"""Calendar-aligned budgets: the SLO-window ratio and the budget cover the current period only,
proven with promtool across a period boundary."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from generator.core.calendar import Calendar, period_sum
from generator.core.errors import SpecErrors
from generator.core.model import Model
from generator.core.naming import SLO_BUDGET_REMAINING
from generator.core.windows import slo_window_ratio

SPEC = """\
version: slogen/v1
service: shop
team: web
slos:
  - name: pages
    objective: 99
    window: 1d
    calendar:
      start: "1970-01-01T06:00:00Z"
    sli:
      events:
        bad: sum(rate(bad_total[{{window}}]))
        total: sum(rate(all_total[{{window}}]))
    alerting:
      ticket: {enabled: false}
"""
SEL = '{slo_id="shop-pages"}'
LABELS = '{service="shop", slo="pages", slo_id="shop-pages", team="web"}'


def _model(tmp_path: Path, spec: str = SPEC) -> Model:
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "_global.yaml").write_text("version: slogen/v1\n")
    (specs / "shop.yaml").write_text(spec)
    return pipeline.compile_specs(specs, None)


def test_the_description_says_when_the_budget_resets(tmp_path: Path) -> None:
    slo = _model(tmp_path).service("shop").slos[0]
    assert slo.description == "The budget resets with periods of 1d from 1970-01-01 06:00 UTC."


def test_periods_stop_at_a_week(tmp_path: Path) -> None:
    with pytest.raises(SpecErrors, match="calendar periods longer than 7d are not offered"):
        _model(tmp_path, SPEC.replace("window: 1d", "window: 14d"))


def _near(expr: str, value: float, at: str) -> dict[str, Any]:
    return {"expr": f"abs(({expr}) - {value}) < bool 1e-9", "eval_time": at,
            "exp_samples": [{"labels": LABELS, "value": 1}]}


@pytest.mark.promtool
def test_the_window_ratio_starts_again_each_period(tmp_path: Path, promtool: str) -> None:
    model = _model(tmp_path)
    rules = pipeline.render(model, frozenset({"prometheus"}))
    (tmp_path / "rules.yaml").write_text(rules[Path("prometheus/shop.rules.yaml")])
    # 1/s throughout; 10% bad until 06:00 (the period boundary), 1% bad after it.
    series = [{"series": "all_total", "values": "0+60x600"},
              {"series": "bad_total", "values": "0+6x360 2160.6+0.6x240"}]
    # Inline (the default), the window's ratio is read back from budget remaining.
    window = slo_window_ratio(model.service("shop").slos[0], SEL, inline=True)
    checks = [
        _near(window, 0.1, "5h"),        # the first period: 10% throughout
        _near(window, 0.01, "7h"),       # 06:00 started a new period: only the 1% since
        _near(f"{SLO_BUDGET_REMAINING}{SEL}", 0, "9h"),  # 1% errors spend all of a 1% budget
    ]
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": checks}]}
    with (tmp_path / "calendar.test.yaml").open("w") as fh:
        YAML().dump(test, fh)
    result = subprocess.run([promtool, "test", "rules", "calendar.test.yaml"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr



def test_months_need_a_month_long_window(tmp_path: Path) -> None:
    with pytest.raises(SpecErrors, match="calendar months need a window of 28d to 31d"):
        _model(tmp_path, SPEC.replace('start: "1970-01-01T06:00:00Z"', "months: true"))


@pytest.mark.promtool
def test_month_sums_start_on_the_first(tmp_path: Path, promtool: str) -> None:
    """Stand-ins for the recorded series: 1 per 5m block, 12 per hourly sum. January 1970 has
    31 days, so the sums restart at 31d: a month, not a fixed length."""
    months = Calendar(months=True)
    (tmp_path / "empty.yaml").write_text("groups: []\n")
    checks = [{"expr": period_sum("blocks", "hourly", months), "eval_time": at,
               "exp_samples": [{"labels": "{}", "value": value}]}
              for at, value in (("30d", 30 * 288), ("31d1h", 12), ("32d", 288),
                                ("31d2h30m", 2 * 12 + 6))]
    test = {"rule_files": ["empty.yaml"], "evaluation_interval": "1d",
            "tests": [{"interval": "5m",
                       "input_series": [{"series": "blocks", "values": "1x9400"},
                                        {"series": "hourly", "values": "12x9400"}],
                       "promql_expr_test": checks}]}
    with (tmp_path / "months.test.yaml").open("w") as fh:
        YAML().dump(test, fh)
    result = subprocess.run([promtool, "test", "rules", "months.test.yaml"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
