"""Raw error-ratio SLIs (Sloth's `raw`): the recorded 5m ratio is the query's, windows without
traffic drop out instead of turning every long window into NaN, and long windows average the
5m ratios over time (not traffic-weighted), as the docs and the generated description say."""

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
service: wifi
team: home
slos:
  - name: satisfaction
    objective: 95
    window: 7d
    sli:
      raw:
        error_ratio: sum(rate(bad_total[{{window}}])) / sum(rate(all_total[{{window}}]))
"""


def _model(tmp_path: Path) -> Model:
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "_global.yaml").write_text("version: slogen/v1\n")
    (specs / "wifi.yaml").write_text(SPEC)
    return pipeline.compile_specs(specs, None)


def test_the_caveat_is_in_the_description(tmp_path: Path) -> None:
    slo = _model(tmp_path).service("wifi").slos[0]
    assert "not weighted by traffic" in slo.description


@pytest.mark.promtool
def test_long_windows_average_the_5m_ratios_and_skip_quiet_time(tmp_path: Path,
                                                                 promtool: str) -> None:
    model = _model(tmp_path)
    rules = pipeline.render(model, frozenset({"prometheus"}))
    (tmp_path / "rules.yaml").write_text(rules[Path("prometheus/wifi.rules.yaml")])
    sel = '{slo_id="wifi-satisfaction"}'
    step = model.service("wifi").slos[0].step
    hour = window_ratio(timedelta(hours=1), sel, [], step)
    six = window_ratio(timedelta(hours=6), sel, [], step)
    labels = ('{service="wifi", slo="satisfaction", slo_id="wifi-satisfaction", '
              'team="home"}')
    # 0-30m: 10/s, 10% bad. 30-60m: no traffic (the raw ratio is 0/0). 60-90m: 1/s, 50% bad.
    series = [{"series": "all_total", "values": "0+600x30 18000+0x30 18000+60x30"},
              {"series": "bad_total", "values": "0+60x30 1800+0x30 1800+30x30"}]
    checks = [
        {"expr": f"slo:sli_error:rate5m{sel}", "eval_time": "20m",
         "exp_samples": [{"labels": "slo:sli_error:rate5m{service=\"wifi\", slo=\"satisfaction\", "
                                    "slo_id=\"wifi-satisfaction\", team=\"home\"}",
                          "value": 0.1}]},
        {"expr": f"slo:sli_error:rate5m{sel}", "eval_time": "50m", "exp_samples": []},
        # Quiet time drops out: the 1h ratio at 60m is the 10% of the busy half, not NaN.
        {"expr": f"abs({hour} - 0.1) < bool 1e-9", "eval_time": "60m",
         "exp_samples": [{"labels": labels, "value": 1}]},
        # Over both busy halves the ratio is near the plain mean of 10% and 50%; weighted by
        # traffic (10/s against 1/s) it would be 13.6%.
        {"expr": f"{six} > bool 0.25", "eval_time": "90m",
         "exp_samples": [{"labels": labels, "value": 1}]},
    ]
    test = {"rule_files": ["rules.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": series, "promql_expr_test": checks}]}
    with (tmp_path / "raw.test.yaml").open("w") as fh:
        YAML().dump(test, fh)
    result = subprocess.run([promtool, "test", "rules", "raw.test.yaml"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
