"""The backtest reads the generated rule files: recording rules split into dependency levels for
promtool to backfill, alert rules kept as written, and how far back each alert reads."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path

import pytest

from generator import pipeline
from generator.backtest import evaluate as ev
from generator.backtest import rulefiles as rf
from generator.commands.backtest import _warmup, shipped_groups
from tests.conftest import ROOT

SPECS = ROOT / "bench" / "scenarios" / "specs"


def _groups() -> list[rf.Group]:
    return shipped_groups(pipeline.compile_specs(SPECS, None, ROOT))


def test_levels_follow_what_each_recording_rule_reads() -> None:
    levels = [{r.record for g in level for r in g.rules} for level in
              rf.recording_levels(_groups())]
    assert levels == [
        {"slo:sli_error:rate5m", "slo:sli_total:rate5m", "alert:shop_high_error_rate:value",
         "alert:shop_error_rate_elevated:value", "alert:shop_queue_depth_anomaly:value",
         "slo:objective:ratio"},
        {"slo:sli_error:avg4m_rate5m", "slo:sli_total:avg4m_rate5m",
         "alert:shop_queue_depth_anomaly:avg_over_time1d",
         "alert:shop_queue_depth_anomaly:stddev_over_time1d", "slo:burn_page:ratio",
         "slo:burn_ticket:ratio"},
        {"slo:error_budget_remaining:ratio"},
    ]


def test_a_level_keeps_group_names_and_intervals() -> None:
    windows = [g for level in rf.recording_levels(_groups()) for g in level
               if g.name == "slogen-shop-slo-windows"]
    assert {g.interval for g in windows} == {timedelta(minutes=4)}


def test_a_cycle_is_an_error() -> None:
    group = rf.Group("f", "g", timedelta(minutes=1), (rf.Rule("b", record="a"),
                                                      rf.Rule("a", record="b")))
    with pytest.raises(ValueError, match="cycle: a, b"):
        rf.recording_levels([group])


@pytest.mark.promtool
def test_level_files_are_valid_rule_files(tmp_path: Path, promtool: str) -> None:
    for n, level in enumerate(rf.recording_levels(_groups())):
        path = tmp_path / f"level{n}.yaml"
        path.write_text(rf.level_file(level))
        result = subprocess.run([promtool, "check", "rules", str(path)], capture_output=True,
                                text=True, check=False)
        assert result.returncode == 0, result.stdout + result.stderr


def test_alert_rules_are_kept_as_generated() -> None:
    groups = _groups()
    model = pipeline.compile_specs(SPECS, None, ROOT)
    alerts = {a.key: a for a in ev.shipped_alerts(groups, model)}
    high = alerts["shop/HighErrorRate/critical"]
    assert (high.expr, high.for_, high.approach) == ("alert:shop_high_error_rate:value > 0.05",
                                                     timedelta(minutes=5), "static threshold")
    assert high.reads == {"http_requests_total"}


@pytest.mark.parametrize("key, reach", [
    # The older part's oldest 5m rate ends 3d - 3m back and reaches 5m further (its ramp is
    # centred on the window's edge, see core/windows.py); the alert reads the recorded burn
    # condition, an instant selector that looks back 5m more.
    pytest.param("shop/ShopAvailabilityBudgetBurn/warning", timedelta(days=3, minutes=8),
                 id="the ticket alert reads the 5m rates that end within 3d"),
    pytest.param("shop/QueueDepthAnomaly/warning", timedelta(days=1, minutes=10),
                 id="an anomaly alert reads its baseline of recorded values"),
    pytest.param("shop/DiskWillFill/warning", timedelta(hours=1),
                 id="a predict alert its lookback"),
])
def test_reach_follows_recorded_series(key: str, reach: timedelta) -> None:
    model = pipeline.compile_specs(SPECS, None, ROOT)
    alerts = {a.key: a for a in ev.shipped_alerts(_groups(), model)}
    assert alerts[key].reach == reach


def _alert(name: str, reach: timedelta) -> ev.ShippedAlert:
    return ev.ShippedAlert("shop", name, "warning", "static threshold", "up", timedelta(0),
                           timedelta(0), timedelta(minutes=1), "g", frozenset(), reach)


def test_warm_up_is_the_longest_read_and_a_shorter_one_is_raised(
        capsys: pytest.CaptureFixture[str]) -> None:
    alerts = [_alert("A", timedelta(hours=1)), _alert("B", timedelta(days=3, minutes=1))]
    assert _warmup(None, alerts, timedelta(days=10))[0] == timedelta(days=3, minutes=1)
    warmup, note = _warmup(timedelta(days=1), alerts, timedelta(days=10))
    assert warmup == timedelta(days=3, minutes=1)
    assert note.startswith("extended from --warmup 1d to the longest window an alert reads: "
                           "`shop/B/warning` reads 3d1m back")
    assert "warning: --warmup 1d is shorter than" in capsys.readouterr().err


def test_an_alert_reading_further_than_half_a_scenario_is_scored_on_partial_windows(
        capsys: pytest.CaptureFixture[str]) -> None:
    alerts = [_alert("A", timedelta(hours=1)), _alert("Budget", timedelta(days=30))]
    warmup, note = _warmup(None, alerts, timedelta(days=10))
    assert warmup == timedelta(hours=1)
    assert note.endswith("; scored on partly filled windows: `shop/Budget/warning` (30d)")
    assert "scored on partly filled windows" in capsys.readouterr().err
