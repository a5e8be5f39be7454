"""Pure parts of the gate: how findings combine and how a trigger's history is judged."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generator.core.model import Condition, Op, RollbackTrigger, Source
from generator.live.gate import Finding, Verdict, combine, trigger_finding

AT = 10_000.0
TRIGGER = RollbackTrigger(
    "error-rate",
    "",
    "x",
    Condition(Op.ABOVE, 0.1),
    timedelta(minutes=2),
    Source("slos/s.yaml", "policies[0].rollback.triggers[0]", 3, 7),
)


@pytest.mark.parametrize(
    "verdicts, expected",
    [
        pytest.param([Verdict.GO, Verdict.GO], Verdict.GO, id="all go is go"),
        pytest.param([Verdict.GO, Verdict.HOLD], Verdict.HOLD, id="one hold holds"),
        pytest.param(
            [Verdict.HOLD, Verdict.NO_DATA], Verdict.NO_DATA, id="missing data beats hold"
        ),
        pytest.param(
            [Verdict.NO_DATA, Verdict.ROLLBACK],
            Verdict.ROLLBACK,
            id="a held trigger rolls back even with other data missing",
        ),
        pytest.param([], Verdict.NO_DATA, id="nothing evaluated is never go"),
    ],
)
def test_combine(verdicts: list[Verdict], expected: Verdict) -> None:
    assert combine([Finding(v, "") for v in verdicts]) is expected


def _points(values: list[float], step: float = 12.0) -> list[tuple[float, float]]:
    return [(AT - step * (len(values) - 1 - i), v) for i, v in enumerate(values)]


@pytest.mark.parametrize(
    "values, since, verdict",
    [
        pytest.param([0.5] * 11, 0.0, Verdict.ROLLBACK, id="held for the whole duration"),
        pytest.param([0.0] * 5 + [0.5] * 6, 0.0, Verdict.HOLD, id="true but not long enough"),
        pytest.param(
            [0.5] * 11, AT - 60, Verdict.HOLD, id="held, but the deploy is younger than for"
        ),
        pytest.param([0.5] * 10 + [0.05], 0.0, Verdict.GO, id="false now"),
        pytest.param([0.5] * 10 + [float("nan")], 0.0, Verdict.NO_DATA, id="NaN now is no data"),
        pytest.param([], 0.0, Verdict.NO_DATA, id="no points"),
    ],
)
def test_trigger_history(values: list[float], since: float, verdict: Verdict) -> None:
    finding = trigger_finding(TRIGGER, _points(values), AT, 12.0, since)
    assert finding.verdict is verdict
    assert finding.source == "slos/s.yaml:3:7: policies[0].rollback.triggers[0]"


def test_a_gap_breaks_the_hold() -> None:
    points = [p for i, p in enumerate(_points([0.5] * 11)) if i != 3]
    assert trigger_finding(TRIGGER, points, AT, 12.0, 0.0).verdict is Verdict.HOLD


def test_stale_last_point_is_no_data() -> None:
    points = _points([0.5] * 11)[:-2]
    assert trigger_finding(TRIGGER, points, AT, 12.0, 0.0).verdict is Verdict.NO_DATA
