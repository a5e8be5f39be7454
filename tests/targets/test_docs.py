"""Docs target: golden Markdown, time-to-notify figures and MTTD targets that cannot be met."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from generator import pipeline
from generator.core import catalog
from generator.core.errors import SpecErrors
from generator.targets import docs
from tests.conftest import TESTDATA
from tests.golden import assert_golden

CASE = TESTDATA / "docs"


def _model(spec_dir: Path = CASE / "in") -> object:
    return pipeline.compile_specs(spec_dir, None, spec_dir.parent)


def test_docs_match_golden_files(update_golden: bool) -> None:
    assert_golden(CASE / "out", docs.render(_model()), update_golden)  # type: ignore[arg-type]


def _rows() -> dict[str, catalog.AlertRow]:
    model = _model()
    svc = model.service("checkout")  # type: ignore[attr-defined]
    return {r.key: r for r in catalog.service_rows(model, svc)}  # type: ignore[arg-type]


def test_page_burn_on_total_outage_fires_after_factor_times_budget_of_long_window() -> None:
    row = _rows()["checkout/CheckoutAvailabilityBudgetBurn/critical"]
    # The fastest pair: 100 * 0.001 * 5m = 30s (14.4 * 0.001 * 1h would be 52s); then scrape
    # 15s, evaluation 30s, critical group_wait 10s.
    assert row.timing.total == timedelta(seconds=30 + 15 + 30 + 10)


def test_ticket_on_total_outage_fires_once_half_its_sustained_short_window_burned() -> None:
    row = _rows()["checkout/CheckoutAvailabilityBudgetBurn/warning"]
    # The 1d/2h pair: 3 * 0.001 * 1d = 4m19s for the mean, but its 2h short window is the
    # median of its 5m rates, which a total outage passes after 1h; then scrape 15s,
    # evaluation 30s, warning group_wait 30s.
    assert row.timing.total == timedelta(hours=1, seconds=15 + 30 + 30)


def test_tier_uses_its_own_for_and_its_severity_route() -> None:
    rows = _rows()
    assert rows["checkout/QueueDepth/critical"].timing.total == timedelta(minutes=2, seconds=55)
    assert rows["checkout/QueueDepth/critical"].receivers == ("pager",)
    assert rows["checkout/QueueDepth/warning"].timing.total == timedelta(minutes=6, seconds=15)


def test_continue_override_adds_its_receiver_before_the_severity_route() -> None:
    assert _rows()["checkout/DiskFillsUp/warning"].receivers == ("tracker", "chat")


def test_route_limited_to_a_time_interval_is_noted() -> None:
    row = _rows()["checkout/CacheCold/info"]
    assert (row.receivers, row.active_during) == (("chat",), "office-hours")


def _copy_case(tmp_path: Path, replace: tuple[str, str]) -> Path:
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()
    for src in (CASE / "in").iterdir():
        (spec_dir / src.name).write_text(src.read_text().replace(*replace))
    return spec_dir


@pytest.mark.parametrize("replace, message", [
    pytest.param(("    mttd: 10m\n", "    mttd: 5m\n"),
                 "slos/checkout.yaml:34:11: alerts[1].mttd: QueueDepth (warning) cannot notify "
                 "within 5m: worst case is 6m15s (scrape 15s + evaluation 30s + for 5m + "
                 "group_wait 30s); shorten for/intervals or relax the target",
                 id="an alert's own target"),
    # The ticket, whose sustained 2h window a total outage passes after 1h, too.
    pytest.param(("mttd: 1d\n", "mttd: 10m\n"),
                 ["slos/checkout.yaml:7:7: mttd: CheckoutAvailabilityBudgetBurn (warning) cannot "
                  "notify within 10m: worst case is 1h1m15s (burn 1h + scrape 15s + evaluation "
                  "30s + group_wait 30s); shorten for/intervals or relax the target",
                  "slos/checkout.yaml:7:7: mttd: DiskFillsUp (warning) cannot notify within 10m: "
                  "worst case is 11m15s (scrape 15s + evaluation 30s + for 10m + group_wait "
                  "30s); shorten for/intervals or relax the target"],
                 id="the service target applies to alerts without their own"),
    pytest.param(("page: {mttd: 5m}", "page: {mttd: 1m}"),
                 "slos/checkout.yaml:18:20: slos[0].alerting.page.mttd: "
                 "CheckoutAvailabilityBudgetBurn (critical) cannot notify within 1m: worst case "
                 "is 1m25s (burn 30s + scrape 15s + evaluation 30s + group_wait 10s); shorten "
                 "for/intervals or relax the target",
                 id="a burn-rate level's target"),
])
def test_unmet_mttd_is_a_located_spec_error(tmp_path: Path, replace: tuple[str, str],
                                            message: str | list[str]) -> None:
    spec_dir = _copy_case(tmp_path, replace)
    with pytest.raises(SpecErrors) as caught:
        pipeline.compile_specs(spec_dir, None, tmp_path)
    assert [str(e) for e in caught.value.errors] == (
        [message] if isinstance(message, str) else message)


def test_generate_exits_2_and_names_the_target(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from generator.cli import main

    spec_dir = _copy_case(tmp_path, ("    mttd: 10m\n", "    mttd: 5m\n"))
    assert main(["generate", "--specs", str(spec_dir), "--out", str(tmp_path / "out"),
                 "--skip-checks"]) == 2
    assert "QueueDepth (warning) cannot notify within 5m" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_reference_seed_001_declares_its_detection_goals() -> None:
    from tests.conftest import ROOT, SPECS_DIR

    svc = pipeline.compile_specs(SPECS_DIR, None, ROOT).service("nba-prevention")
    drift = next(a for a in svc.alerts if a.name == "DeploymentDrift")
    assert svc.mttd is not None and svc.mttd.within == timedelta(hours=24)
    assert drift.mttd is not None and drift.mttd.within == timedelta(hours=6)
