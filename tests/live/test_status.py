"""`slogen status` on the reference genesis service, for each state of the test Prometheus."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.live.cli import slogen, where
from tests.live.history import ERAS, T_EMPTY

pytestmark = [pytest.mark.e2e, pytest.mark.promtool]


def _status(
    capsys: pytest.CaptureFixture[str], url: str, at: float, output: str
) -> tuple[int, str]:
    result = slogen(
        capsys,
        "status",
        "--service",
        "genesis",
        "--prometheus",
        url,
        "--time",
        f"{at:.0f}",
        "--format",
        output,
    )
    return result.code, result.out


def _by_slo(capsys: pytest.CaptureFixture[str], url: str, era: str) -> dict[str, dict[str, Any]]:
    code, out = _status(capsys, url, ERAS[era][0], "json")
    assert code == 0
    return {s["slo"]: s for s in json.loads(out)["data"]["slos"]}


def test_healthy_service_has_most_of_its_budget(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    slos = _by_slo(capsys, prometheus_url, "healthy")
    errors = slos["error-rate"]
    assert errors["sli"] == pytest.approx(0.9998, abs=1e-6)
    assert errors["budget_remaining"] == pytest.approx(0.80, abs=1e-3)
    assert errors["budget_remaining_minutes"] == pytest.approx(0.8 * 43.2, abs=0.1)
    assert errors["burn_rates"]["5m"] == pytest.approx(0.2, abs=1e-3)
    assert errors["source"] == where("slos[1]")
    assert slos["test-pass-rate"]["budget_remaining"] == pytest.approx(0.75, abs=1e-3)
    assert slos["latency-p95"]["budget_remaining"] == pytest.approx(0.90, abs=1e-3)
    assert slos["uptime"]["sli"] == 1.0
    assert not any(b["active"] for s in slos.values() for b in s["burn_windows"])
    assert all(s["firing"] == [] for s in slos.values())


def test_slow_burn_shows_ticket_burn_and_its_alert(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    errors = _by_slo(capsys, prometheus_url, "slow-burn")["error-rate"]
    assert errors["budget_remaining"] == pytest.approx(0.35, abs=0.01)
    active = [(b["level"], b["long"], b["short"]) for b in errors["burn_windows"] if b["active"]]
    assert active == [("ticket", "3d", "6h")]
    assert errors["burn_rates"]["1d"] == pytest.approx(2.0, abs=0.01)
    assert errors["firing"] == ["GenesisErrorRateBudgetBurn"]


def test_exhausted_budget_is_negative(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    errors = _by_slo(capsys, prometheus_url, "exhausted")["error-rate"]
    assert errors["budget_remaining"] == pytest.approx(-0.238, abs=0.01)
    assert errors["budget_remaining_minutes"] < 0
    assert errors["burn_rates"]["1h"] == pytest.approx(0.2, abs=1e-3)


def test_degrading_deploy_burns_in_short_windows_only(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    slos = _by_slo(capsys, prometheus_url, "degrading")
    assert slos["error-rate"]["burn_rates"]["5m"] == pytest.approx(5.0, abs=0.01)
    assert slos["error-rate"]["burn_rates"]["1h"] == pytest.approx(1.8, abs=0.05)
    assert slos["latency-p95"]["burn_rates"]["5m"] == pytest.approx(2.0, abs=0.01)
    assert not any(b["active"] for s in slos.values() for b in s["burn_windows"])


def test_fast_burn_is_a_page(capsys: pytest.CaptureFixture[str], prometheus_url: str) -> None:
    errors = _by_slo(capsys, prometheus_url, "fast-burn")["error-rate"]
    active = [(b["level"], b["long"]) for b in errors["burn_windows"] if b["active"]]
    assert active == [("page", "1h")]
    assert errors["firing"] == ["GenesisErrorRateBudgetBurn"]


def test_spike_burns_the_means_but_not_the_medians(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    """A 3-minute spike after an outage: the 6h/30m means pass the factor, but the alert reads
    the median of the 30m's 5m rates and the 6h window's median, which the spike and the outage
    move too little: not burning, as the alert rule does not fire."""
    errors = _by_slo(capsys, prometheus_url, "spike")["error-rate"]
    pair = next(b for b in errors["burn_windows"] if (b["long"], b["short"]) == ("6h", "30m"))
    assert pair["long_burn"] > 6 and pair["short_burn"] > 6
    assert pair["sustained"] is True
    assert pair["short_median_burn"] == pytest.approx(0.2, abs=0.01)
    assert pair["long_median_burn"] == pytest.approx(0.2, abs=0.01)
    assert pair["active"] is False
    assert not any(b["active"] for b in errors["burn_windows"])
    assert errors["burn_rates"]["30m"] == pytest.approx(20.2, abs=0.5)


def test_sustained_burn_pages_on_the_medians(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    errors = _by_slo(capsys, prometheus_url, "sustained")["error-rate"]
    active = [(b["level"], b["long"], b["short"]) for b in errors["burn_windows"] if b["active"]]
    assert active == [("page", "6h", "30m")]
    pair = next(b for b in errors["burn_windows"] if b["active"])
    assert pair["short_median_burn"] == pytest.approx(10.0, abs=0.01)
    assert pair["long_median_burn"] == pytest.approx(10.0, abs=0.01)
    assert errors["burn_rates"]["6h"] == pytest.approx(6.73, abs=0.05)
    assert errors["firing"] == ["GenesisErrorRateBudgetBurn"]


def test_table_lists_every_slo_and_other_alerts(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    code, out = _status(capsys, prometheus_url, ERAS["degrading"][0], "text")
    assert code == 0
    assert "SLO status at 2025-07-14T12:00:00Z" in out
    rows = [line for line in out.splitlines() if line.startswith("│ genesis")]
    assert [r.split("│")[2].strip() for r in rows] == [
        "test-pass-rate",
        "error-rate",
        "latency-p95",
        "uptime",
    ]
    assert "│ 99.9% / 30d │ 99.979%  │ 79.4%       │ 34.3         │ 1h/5m 1.80/5.00 (>14.4)" in out
    assert "genesis: other alerts firing: HighErrorRate" in out


def test_markdown_table(capsys: pytest.CaptureFixture[str], prometheus_url: str) -> None:
    code, out = _status(capsys, prometheus_url, ERAS["exhausted"][0], "markdown")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "### SLO status at 2025-05-30T12:00:00Z"
    assert lines[2].startswith("| Service | SLO | Objective | SLI |")
    assert (
        "| genesis | error-rate | 99.9% / 30d | 99.876% | -23.8% | -10.3 | "
        "1h/5m 0.20/0.20 (>14.4)<br>6h/30m 0.20/0.20 (>6)<br>  median 0.20/0.20 (>1/>6)<br>"
        "5m/1m 0.20/0.20 (>100) | 1d/2h 0.20/0.20 (>3)<br>  median 2h 0.20<br>"
        "3d/6h 0.20/0.20 (>1)<br>  median 6h 0.20 | "
    ) in out
    assert "sustained pairs decide, as their alerts do, on the median of the 5m rates" in out


def test_no_data_is_shown_not_guessed(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    code, out = _status(capsys, prometheus_url, T_EMPTY, "json")
    assert code == 0
    slos = json.loads(out)["data"]["slos"]
    assert [(s["sli"], s["budget_remaining"]) for s in slos] == [(None, None)] * 4


def test_unreachable_prometheus_exits_4(
    capsys: pytest.CaptureFixture[str], closed_url: str
) -> None:
    result = slogen(capsys, "status", "--prometheus", closed_url)
    assert result.code == 4
    assert result.err.startswith(f"slogen: cannot reach Prometheus at {closed_url}: ")
