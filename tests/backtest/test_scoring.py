"""Firing episodes with `for`, incident matching and the derived figures."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generator.backtest.scoring import Incident, combine, episodes, score

STEP = 60.0


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


def test_episodes_of_several_series_merge() -> None:
    assert episodes([_times((1, 3)), _times((3, 6))], STEP, timedelta(0)) == [(60.0, 420.0)]


INCIDENT = Incident(1000.0, 2000.0, "shop", "outage")


@pytest.mark.parametrize("fired, tp, fp, fn, delays", [
    pytest.param([(1300.0, 2100.0)], 1, 0, 0, (300.0,), id="an overlapping episode detects"),
    pytest.param([(400.0, 1100.0)], 1, 0, 0, (-600.0,), id="firing early is a negative delay"),
    pytest.param([(2800.0, 2900.0)], 1, 0, 0, (1800.0,),
                 id="an episode within the grace period still counts"),
    pytest.param([(3000.0, 3100.0)], 0, 1, 1, (), id="an episode after the grace is a false alarm"),
    pytest.param([], 0, 0, 1, (), id="silence misses the incident"),
])
def test_score(fired: list[tuple[float, float]], tp: int, fp: int, fn: int,
               delays: tuple[float, ...]) -> None:
    s = score(fired, [INCIDENT], timedelta(minutes=15))
    assert (s.tp, s.fp, s.fn, s.delays) == (tp, fp, fn, delays)


def test_figures() -> None:
    s = score([(1100.0, 1200.0), (5000.0, 5100.0), (9000.0, 9100.0)],
              [INCIDENT, Incident(20000.0, 21000.0, "shop")], timedelta(0))
    assert (s.precision, s.recall, s.fp_rate) == (pytest.approx(1 / 3), 0.5, pytest.approx(2 / 3))
    assert s.f1 == pytest.approx(0.4)
    assert (s.delay_median, s.delay_max) == (100.0, 100.0)


def test_no_episodes_and_no_incidents_leave_figures_undefined() -> None:
    s = score([], [], timedelta(0))
    assert (s.precision, s.recall, s.f1, s.delay_median) == (None, None, None, None)


def test_combine_takes_the_earliest_detection_per_incident() -> None:
    s = combine([([(1500.0, 1600.0)], [INCIDENT]), ([(1100.0, 1200.0), (9000.0, 9100.0)],
                                                   [INCIDENT])], timedelta(0))
    assert (s.tp, s.fp, s.fn, s.incidents, s.delays) == (2, 1, 0, 1, (100.0,))


def test_incident_expects_only_its_listed_alerts() -> None:
    inc = Incident(0.0, 1.0, "shop", alerts=("DiskLow",))
    assert inc.expects("shop", "DiskLow")
    assert not inc.expects("shop", "HighErrorRate")
    assert not inc.expects("web", "DiskLow")
    assert Incident(0.0, 1.0, "shop").expects("shop", "Anything")
