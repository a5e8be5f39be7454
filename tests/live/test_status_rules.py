"""Pure parts of the status: budget arithmetic and burn conditions with missing windows."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generator import pipeline
from generator.core.model import BurnWindow, Severity
from generator.live.status import BurnStatus, Ratio, compute
from tests.conftest import SPECS_DIR

PAGE = BurnWindow("page", timedelta(hours=1), timedelta(minutes=5), 14.4, Severity.CRITICAL)


@pytest.mark.parametrize(
    "long, short, active",
    [
        pytest.param(20.0, 20.0, True, id="both windows above the factor"),
        pytest.param(20.0, 1.0, False, id="short window has recovered"),
        pytest.param(1.0, None, False, id="long window below decides without the short one"),
        pytest.param(None, 1.0, False, id="short window below decides without the long one"),
        pytest.param(20.0, None, None, id="above in one, unknown in the other is unknown"),
        pytest.param(None, None, None, id="nothing known"),
    ],
)
def test_burn_condition(long: float | None, short: float | None, active: bool | None) -> None:
    assert BurnStatus(PAGE, long, short).active is active


@pytest.mark.parametrize(
    "errors, total, ratio",
    [
        pytest.param(1.0, 1000.0, 0.001, id="bad over all"),
        pytest.param(None, 1000.0, 0.0, id="no error series at all means no errors"),
        pytest.param(1.0, None, None, id="no traffic series is no data"),
        pytest.param(0.0, 0.0, None, id="zero traffic is no data"),
    ],
)
def test_error_ratio(errors: float | None, total: float | None, ratio: float | None) -> None:
    assert Ratio(errors, total).error_ratio == ratio


def test_budget_left_in_share_and_minutes() -> None:
    slo = pipeline.compile_specs(SPECS_DIR, None).service("genesis").slos[1]  # 99.9 % over 30d
    status = compute(slo, {slo.window: Ratio(0.0005, 1.0)}, ["GenesisErrorRateBudgetBurn"])
    assert status.sli == pytest.approx(0.9995)
    assert status.budget_remaining == pytest.approx(0.5)
    assert status.budget_remaining_minutes == pytest.approx(21.6)
    assert status.level_active("page") is None
    assert status.firing == ("GenesisErrorRateBudgetBurn",)
