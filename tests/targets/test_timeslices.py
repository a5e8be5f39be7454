"""Time-slice budgets (OpenSLO Timeslices and RatioTimeslices), proven with promtool: the
recorded 5m value is the share of bad 1-minute slices, and a long window the share of bad
slices over it."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from generator.core.model import Model
from generator.core.windows import window_ratio

SPEC = """\
version: slogen/v1
service: shop
team: web
slos:
  - name: pages
    objective: 99
    window: 7d
    sli:
      events:
        bad: sum(rate(bad_total[{{window}}]))
        total: sum(rate(all_total[{{window}}]))
    timeslices:
      slice: 1m
"""
SEL = '{slo_id="shop-pages"}'
LABELS = '{service="shop", slo="pages", slo_id="shop-pages", team="web"}'
# Scraped every 15s at 1/s; bad events at 2 per 15s from 10:00 to 13:00, so the 1-minute
# slices ending at 11m, 12m and 13m have 13% errors and every other slice none.
SERIES = [{"series": "all_total", "values": "0+15x400"},
          {"series": "bad_total", "values": "0+0x40 0+2x12 24+0x348"}]


def _model(tmp_path: Path, slice_objective: str) -> Model:
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "_global.yaml").write_text("version: slogen/v1\n")
    (specs / "shop.yaml").write_text(SPEC + slice_objective)
    return pipeline.compile_specs(specs, None)


def _promtool(tmp_path: Path, promtool: str, model: Model, checks: list[dict[str, Any]]) -> None:
    rules = pipeline.render(model, frozenset({"prometheus"}))
    (tmp_path / "rules.yaml").write_text(rules[Path("prometheus/shop.rules.yaml")])
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "15s", "input_series": SERIES, "promql_expr_test": checks}]}
    with (tmp_path / "slices.test.yaml").open("w") as fh:
        YAML().dump(test, fh)
    result = subprocess.run([promtool, "test", "rules", "slices.test.yaml"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _near(expr: str, value: float, at: str) -> dict[str, Any]:
    return {"expr": f"abs(({expr}) - {value}) < bool 1e-9", "eval_time": at,
            "exp_samples": [{"labels": LABELS, "value": 1}]}


def _slices(expr: str, bad: int, at: str) -> dict[str, Any]:
    """`bad` of the five slices of the 5m."""
    return _near(expr, bad / 5, at)


def test_the_description_says_how_the_budget_counts(tmp_path: Path) -> None:
    slo = _model(tmp_path, "      slice_objective: 95\n").service("shop").slos[0]
    assert slo.description == ("Time slices of 1m: the objective is the share of good slices, "
                               "a slice being good when its ratio is at least 95%.")


@pytest.mark.promtool
def test_share_of_bad_slices(tmp_path: Path, promtool: str) -> None:
    model = _model(tmp_path, "      slice_objective: 95\n")
    five = f"slo:sli_error:rate5m{SEL}"
    hour = window_ratio(timedelta(hours=1), SEL, [], model.service("shop").slos[0].step)
    _promtool(tmp_path, promtool, model, [
        _near(five, 0, "10m"),
        _slices(five, 2, "12m"),   # slices ending 8m..12m: 11 and 12 bad
        _slices(five, 3, "13m"),   # 11, 12, 13 bad
        _slices(five, 3, "15m"),
        _near(five, 0, "19m"),
        _near(hour, 3 / 60, "60m"),  # 3 bad slices of the hour's 60
    ])


@pytest.mark.promtool
def test_mean_of_slice_ratios(tmp_path: Path, promtool: str) -> None:
    model = _model(tmp_path, "")
    # Each bad slice has 8 bad of 60 events; the hour's value is the mean of its 60 slices.
    ratio = 8 / 60
    _promtool(tmp_path, promtool, model, [
        _near(window_ratio(timedelta(hours=1), SEL, [], model.service("shop").slos[0].step),
              3 * ratio / 60, "60m"),
    ])
