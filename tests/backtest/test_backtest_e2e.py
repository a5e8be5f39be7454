"""`slogen backtest` end to end on the small synthetic scenario: promtool builds the TSDB and a
real Prometheus on loopback evaluates every alert."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import scenarios
from generator.cli import main
from tests.processes import binary


@pytest.mark.e2e
@pytest.mark.promtool
def test_small_scenario_scores_every_alert(tmp_path: Path, promtool: str) -> None:
    series, incidents = scenarios.write(scenarios.SCENARIOS["small"], tmp_path / "small")
    report, markdown = tmp_path / "report.json", tmp_path / "report.md"
    code = main(["backtest", "--series", str(series), "--incidents", str(incidents),
                 "--specs", str(scenarios.SPECS_DIR), "--json", str(report),
                 "--markdown", str(markdown), "--promtool", promtool,
                 "--prometheus", binary("prometheus")])
    assert code == 0
    data = json.loads(report.read_text())
    by_alert = {(a["alert"], a["severity"]): a for a in data["alerts"]}
    page = by_alert[("ShopAvailabilityBudgetBurn", "critical")]
    # 60% errors against a 0.5% budget: the 1h window crosses 14.4x after 7.2 minutes.
    assert (page["tp"], page["fp"], page["fn"], page["delay_median_s"]) == (1, 0, 0, 420)
    static = by_alert[("HighErrorRate", "critical")]
    assert (static["tp"], static["fp"], static["fn"], static["delay_median_s"]) == (1, 0, 0, 300)
    # The 3-minute noise spike fools the static warning without `for`, and only it.
    noisy = by_alert[("ErrorRateElevated", "warning")]
    assert (noisy["tp"], noisy["fp"], noisy["precision"]) == (1, 1, 0.5)
    assert noisy["hints"][0]["variant"].startswith("for ")
    assert noisy["hints"][0]["f1"] == 1.0
    assert by_alert[("QueueDepthAnomaly", "warning")]["recall"] == 1.0
    assert data["by_approach"]["SLO burn rate"]["precision"] == 1.0
    assert set(data["by_severity"]) == {"critical", "warning"}
    text = markdown.read_text()
    assert "## Per approach" in text and "## Tuning hints" in text


def test_bad_incident_file_is_a_usage_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "i.yaml").write_text("- {start: 10, end: 5, service: shop}\n")
    (tmp_path / "s.om").write_text("x 1 10\n# EOF\n")
    code = main(["backtest", "--series", str(tmp_path / "s.om"), "--incidents",
                 str(tmp_path / "i.yaml"), "--specs", str(scenarios.SPECS_DIR)])
    assert code == 2
    assert "i.yaml: [0]: end must be after start" in capsys.readouterr().err
