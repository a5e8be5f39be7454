"""The scoring rules of docs/backtest.md, one test each: episodes with `for`, scope and warm-up,
eligibility, one-to-one matching, lead allowance, duplicates, figures in both units, groups."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generator.backtest.scoring import (
    Incident,
    Scope,
    Score,
    Verdict,
    combine,
    episodes,
    judge,
)

STEP = 60.0
SCOPE = Scope(start=0.0, end=100_000.0, grace=900.0)
OUTAGE = Incident("outage", "shop", "outage", 1000.0, 2000.0, slo="availability")


def _times(*ranges: tuple[int, int]) -> list[float]:
    """Evaluation times (minutes -> seconds) at which a condition held, inclusive ranges."""
    return [float(m * 60) for lo, hi in ranges for m in range(lo, hi + 1)]


@pytest.mark.parametrize("times, for_, expected", [
    pytest.param(_times((10, 14)), timedelta(0), [(600.0, 900.0)],
                 id="without for an alert fires at the first true evaluation"),
    pytest.param(_times((10, 14)), timedelta(minutes=3), [(780.0, 900.0)],
                 id="for delays firing until the condition held that long"),
    pytest.param(_times((10, 12)), timedelta(minutes=3), [],
                 id="a condition shorter than for never fires"),
    pytest.param(_times((10, 11), (14, 20)), timedelta(minutes=2), [(960.0, 1260.0)],
                 id="a missed evaluation resets pending"),
])
def test_episodes(times: list[float], for_: timedelta, expected: list[tuple[float, float]]) -> None:
    assert episodes([times], STEP, for_) == expected


def test_keep_firing_for_holds_an_alert_through_short_gaps_as_prometheus_does() -> None:
    keep = timedelta(minutes=3)
    # Resolved at the first evaluation `keep` after the first false one.
    assert episodes([_times((10, 14), (17, 20))], STEP, timedelta(0), keep) == [(600.0, 1440.0)]
    assert episodes([_times((10, 14), (20, 22))], STEP, timedelta(0), keep) == [
        (600.0, 1080.0), (1200.0, 1560.0)]


def test_episodes_of_several_series_of_one_rule_merge() -> None:
    assert episodes([_times((1, 3)), _times((3, 6))], STEP, timedelta(0)) == [(60.0, 420.0)]


def _verdicts(fired: list[tuple[float, float]], incidents: list[Incident],
              scope: Scope = SCOPE) -> list[tuple[Verdict, str, float | None]]:
    judged, _ = judge(fired, incidents, scope)
    return [(e.verdict, e.incident, e.delay) for e in judged]


def test_delay_is_first_firing_minus_incident_start() -> None:
    assert _verdicts([(1300.0, 2100.0)], [OUTAGE]) == [(Verdict.DETECTED, "outage", 300.0)]


def test_an_episode_in_the_grace_after_an_incident_detects_it() -> None:
    assert _verdicts([(2800.0, 2900.0)], [OUTAGE])[0][0] is Verdict.DETECTED
    assert _verdicts([(3000.0, 3100.0)], [OUTAGE])[0][0] is Verdict.FALSE


def test_an_episode_that_began_before_the_incident_cannot_detect_it() -> None:
    # Still firing from something earlier: no credit, and no -512 min delay.
    judged, score = judge([(400.0, 1100.0)], [OUTAGE], SCOPE)
    assert [(e.verdict, e.delay) for e in judged] == [(Verdict.DUPLICATE, None)]
    assert (score.detected, score.missed) == (0, 1)


def test_lead_allowance_lets_a_predictive_alert_warn_early() -> None:
    early = [(400.0, 700.0)]  # cleared before the incident began
    assert _verdicts(early, [OUTAGE])[0][0] is Verdict.FALSE
    lead = Scope(SCOPE.start, SCOPE.end, SCOPE.grace, lead=3600.0)
    assert _verdicts(early, [OUTAGE], lead) == [(Verdict.DETECTED, "outage", -600.0)]


def test_matching_is_one_to_one() -> None:
    second = Incident("outage-2", "shop", "outage", 1500.0, 2500.0)
    # One episode cannot detect two incidents; the second one is missed.
    judged, score = judge([(1600.0, 3000.0)], [OUTAGE, second], SCOPE)
    assert (score.matched, score.detected, score.incidents) == (1, 1, 2)
    # Two episodes during one incident: one detects, the re-fire is a duplicate.
    judged, score = judge([(1100.0, 1200.0), (1500.0, 1600.0)], [OUTAGE], SCOPE)
    assert [e.verdict for e in judged] == [Verdict.DETECTED, Verdict.DUPLICATE]
    assert (score.matched, score.duplicates, score.false) == (1, 1, 0)


def test_matching_is_maximal() -> None:
    # Greedy by start would give the only episode to `long` and miss `short`.
    long = Incident("long", "shop", "outage", 1000.0, 9000.0)
    short = Incident("short", "shop", "outage", 1100.0, 1200.0)
    _, score = judge([(1150.0, 1300.0), (5000.0, 5100.0)], [long, short], Scope(0, 1e5, 0.0))
    assert score.detected == 2


def test_warm_up_episodes_and_incidents_are_not_scored() -> None:
    scope = Scope(start=5000.0, end=100_000.0, grace=900.0)
    old = Incident("old", "shop", "outage", 4000.0, 6000.0)
    judged, score = judge([(4100.0, 6100.0), (5500.0, 5600.0), (8000.0, 8100.0)], [old], scope)
    assert [e.verdict for e in judged] == [Verdict.WARMUP, Verdict.EXCLUDED, Verdict.FALSE]
    assert (score.episodes, score.false, score.incidents) == (1, 1, 0)


def test_precision_and_recall_in_episodes_and_in_incidents() -> None:
    s = Score(matched=2, duplicates=2, false=1, incidents=4, detected=2, delays=(60.0, 120.0))
    assert s.precision_episodes == pytest.approx(2 / 5)  # flapping counts against it
    assert s.precision_incidents == pytest.approx(2 / 3)  # re-fires are not false incidents
    assert s.recall_incidents == 0.5
    assert s.recall_episodes == 0.5
    assert s.f1 == pytest.approx(2 * 0.4 * 0.5 / 0.9)
    assert (s.delay_median, s.delay_max) == (90.0, 120.0)


def test_no_episodes_and_no_incidents_leave_figures_undefined() -> None:
    s = Score()
    assert (s.precision_episodes, s.recall_incidents, s.f1, s.delay_median) == (None,) * 4


def test_a_group_detects_at_its_earliest_alert() -> None:
    page, _ = judge([(1500.0, 1600.0)], [OUTAGE], SCOPE)
    warn, _ = judge([(1100.0, 1200.0), (9000.0, 9100.0)], [OUTAGE], SCOPE)
    s = combine([(page, [OUTAGE]), (warn, [OUTAGE])], SCOPE)
    assert (s.matched, s.false, s.incidents, s.detected, s.delays) == (2, 1, 1, 1, (100.0,))
    assert s.precision_incidents == 0.5
