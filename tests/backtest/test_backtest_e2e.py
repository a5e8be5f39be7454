"""`slogen backtest` end to end on the small synthetic scenario: promtool builds the TSDB and
backfills the recording rules, a real Prometheus evaluates every shipped alert."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import scenarios
from generator.cli import main
from tests.processes import binary


@pytest.mark.e2e
@pytest.mark.promtool
def test_small_scenario_scores_every_alert(tmp_path: Path, promtool: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    series, incidents = scenarios.write(scenarios.SCENARIOS["small"], tmp_path / "small")
    report, markdown = tmp_path / "report.json", tmp_path / "report.md"
    code = main(["backtest", "--series", str(series), "--incidents", str(incidents),
                 "--specs", str(scenarios.SPECS_DIR), "--json", str(report),
                 "--markdown", str(markdown), "--promtool", promtool,
                 "--prometheus", binary("prometheus"), "--warmup", "1d"])
    assert code == 0
    # The warm-up is raised to the anomaly alert's 1d baseline (of recorded values); the 3d
    # ticket window reads further back than half this 4.5-day scenario and is scored on partly
    # filled windows. Both come with a warning.
    err = capsys.readouterr().err
    assert "warning: --warmup 1d is shorter than" in err
    assert ("scored on partly filled windows, as they read further back than half the shortest "
            "scenario: `shop/ShopAvailabilityBudgetBurn/warning` (3d8m)") in err
    data = json.loads(report.read_text())
    [scenario] = data["scenarios"]
    assert scenario["scored_from"] == "2026-01-02T00:10:00Z"
    alerts = {(a["alert"], a["severity"]): a for a in scenario["alerts"]}
    naive = alerts[("ErrorRateElevated", "warning")]
    # > 1% for 5m: pending at the first evaluation that sees errors, firing 5m later.
    [episode] = naive["episodes"]
    assert (episode["verdict"], episode["incident"]) == ("detected", "outage-1")
    assert 300 <= episode["delay_s"] <= 420
    page = alerts[("ShopAvailabilityBudgetBurn", "critical")]
    assert page["incidents_detected"] == 1
    # The 2-minute blip is not an incident: no SLO alert fires for it.
    assert data["by_approach"]["SLO burn rate"]["false"] == 0
    assert data["by_approach"]["anomaly (z-score)"]["recall_incidents"] == 1.0
    kinds = {(r["approach"], r["kind"]) for r in data["by_approach_and_kind"]}
    assert ("SLO burn rate", "outage") in kinds and ("static threshold", "queue-stuck") in kinds
    text = markdown.read_text()
    for heading in ("## How this is scored", "## Per approach", "## Per approach and incident "
                    "kind", "## Scenario small: episodes", "## Tuning hints"):
        assert heading in text


def test_incident_errors_are_all_reported(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "i.yaml").write_text(
        "- {name: a, service: shop, kind: outage, slo: availability, start: 10, end: 5}\n"
        "- {name: b, service: nope, kind: outage, slo: availability, start: 1, end: 5}\n")
    (tmp_path / "s.om").write_text("x 1 10\n# EOF\n")
    code = main(["backtest", "--series", str(tmp_path / "s.om"), "--incidents",
                 str(tmp_path / "i.yaml"), "--specs", str(scenarios.SPECS_DIR)])
    assert code == 2
    err = capsys.readouterr().err
    assert "i.yaml:1:77: [0].end: must be after start" in err
    assert "i.yaml:2:22: [1].service: unknown service 'nope'; known: shop" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(("series", "incidents", "message"), [
    (b"x 1 10\n# EOF\n", b"\xff- {}\n",
     "i.yaml: not UTF-8 text (byte 0); write the file in UTF-8"),
    (b"x 1 \xff\n# EOF\n", b"[]\n", "s.om: not UTF-8 text (byte 4); OpenMetrics text is UTF-8"),
    (b"x 1 10\nx 1 nan\n# EOF\n", b"[]\n",
     "s.om:2:1: the sample's timestamp is nan; give Unix seconds"),
    (b"x 1 10\n# EOF\n", b"- " + b"[" * 5000 + b"]" * 5000 + b"\n",
     "i.yaml:1:1: not YAML or JSON: collections nested too deeply"),
])
def test_hostile_series_and_incident_files_are_located_errors(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], series: bytes, incidents: bytes,
        message: str) -> None:
    # Each of these ended in an internal error (UnicodeDecodeError, RecursionError) or was
    # scored on a NaN time span.
    (tmp_path / "i.yaml").write_bytes(incidents)
    (tmp_path / "s.om").write_bytes(series)
    code = main(["backtest", "--series", str(tmp_path / "s.om"), "--incidents",
                 str(tmp_path / "i.yaml"), "--specs", str(scenarios.SPECS_DIR)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err
    assert "Traceback" not in err and "internal error" not in err
