"""Threshold SLIs (OpenSLO thresholdMetric): a value sampled every minute, the error ratio the
share of samples on the wrong side of the threshold, proven with promtool."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from generator.core.model import Model
from generator.core.windows import window_ratio

SPEC = """\
version: slogen/v1
service: search
team: web
slos:
  - name: p99
    objective: 99
    window: 7d
    sli:
      threshold:
        query: max(search_p99_seconds)
        op: lt
        value: 0.3
"""
SEL = '{slo_id="search-p99"}'
LABELS = '{service="search", slo="p99", slo_id="search-p99", team="web"}'


def _model(tmp_path: Path) -> Model:
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "_global.yaml").write_text("version: slogen/v1\n")
    (specs / "search.yaml").write_text(SPEC)
    return pipeline.compile_specs(specs, None)


def test_the_description_says_what_a_good_sample_is(tmp_path: Path) -> None:
    slo = _model(tmp_path).service("search").slos[0]
    assert slo.description == ("Threshold: a sample every 1m is good when the value is below "
                               "0.3; windows average the samples over time.")


@pytest.mark.promtool
def test_share_of_samples_over_the_threshold(tmp_path: Path, promtool: str) -> None:
    model = _model(tmp_path)
    rules = pipeline.render(model, frozenset({"prometheus"}))
    (tmp_path / "rules.yaml").write_text(rules[Path("prometheus/search.rules.yaml")])
    # 0.1s except 0.3s (not below 0.3: bad) at 11m and 0.5s at 12m and 13m, sampled every 30s.
    values = "0.1x21 0.3x1 0.5x3 0.1x200"
    hour = window_ratio(timedelta(hours=1), SEL, [], model.service("search").slos[0].step)

    def near(expr: str, value: float, at: str) -> dict[str, object]:
        return {"expr": f"abs(({expr}) - {value}) < bool 1e-9", "eval_time": at,
                "exp_samples": [{"labels": LABELS, "value": 1}]}

    checks = [near(f"slo:sli_error:rate5m{SEL}", 0, "10m"),
              near(hour, 3 / 60, "60m")]  # 3 bad minutes of the hour's 60 samples
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "30s",
                       "input_series": [{"series": "search_p99_seconds", "values": values}],
                       "promql_expr_test": checks}]}
    with (tmp_path / "threshold.test.yaml").open("w") as fh:
        YAML().dump(test, fh)
    result = subprocess.run([promtool, "test", "rules", "threshold.test.yaml"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
