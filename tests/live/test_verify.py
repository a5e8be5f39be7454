"""`slogen verify`: referenced metrics and matchers checked against the test Prometheus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.live.cli import slogen, where
from tests.live.history import ERAS, T_EMPTY

pytestmark = [pytest.mark.e2e, pytest.mark.promtool]

HEALTHY = f"{ERAS['healthy'][0]:.0f}"

TYPO_SPEC = """\
version: slogen/v1
service: shop
team: web
slos:
  - name: errors
    objective: 99.9
    sli:
      events:
        bad: sum(rate(genesis_requests_total{code="503"}[{{window}}]))
        total: sum(rate(genesis_request_total[{{window}}]))
alerts:
  - name: RegionErrors
    expr: sum(rate(genesis_requests_total{region="eu", zone!="a"}[5m]))
    above: 1
  - name: PerformancePassed
    expr: sum(rate(genesis_tests_total{result="passed", suite="performance"}[5m]))
    below: 1
  - name: StringsAreNotMetrics
    expr: >-
      sum(rate(genesis_requests_total{code=~"2.."}[5m]))
      or label_replace(vector(1), "x", "no_such_metric", "", "")
    above: 1
"""


def test_reference_genesis_resolves_in_a_healthy_prometheus(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    result = slogen(
        capsys, "verify", "--service", "genesis", "--prometheus", prometheus_url, "--time", HEALTHY
    )
    assert result.code == 0, result.err
    assert result.out == "57 selectors checked at 2025-03-01T12:00:00Z: 0 missing, 0 warnings\n"


def test_misses_are_reported_where_they_are_written(
    capsys: pytest.CaptureFixture[str], prometheus_url: str, write_spec: Callable[..., Path]
) -> None:
    path = write_spec(TYPO_SPEC)
    result = slogen(
        capsys, "verify", "--prometheus", prometheus_url, "--time", HEALTHY, specs=str(path.parent)
    )
    assert result.code == 1
    assert result.err.splitlines() == [
        f"{path}:9:14: slos[0].sli.events.bad: error: no series of genesis_requests_total has "
        f'code="503" (values seen: 200, 500)',
        f"{path}:10:16: slos[0].sli.events.total: error: metric genesis_request_total "
        "has no series",
        f"{path}:13:11: alerts[0].expr: error: no series of genesis_requests_total has "
        f'region="eu" (values seen: the label is not on any series)',
    ]
    assert result.out.splitlines() == [
        f'{path}:13:11: alerts[0].expr: warning: zone!="a": label zone is not on any series of '
        f"genesis_requests_total; the matcher does nothing",
        f'{path}:16:11: alerts[1].expr: warning: genesis_tests_total{{result="passed", '
        f'suite="performance"}} matches no series (each matcher alone does)',
        "5 selectors checked at 2025-03-01T12:00:00Z: 3 missing, 2 warnings",
    ]


def test_high_cardinality_is_a_warning(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    result = slogen(
        capsys,
        "verify",
        "--service",
        "genesis",
        "--prometheus",
        prometheus_url,
        "--time",
        HEALTHY,
        "--max-series",
        "5",
    )
    assert result.code == 0
    assert (
        where("alerts[2].expr") + ": warning: genesis_operation_duration_seconds_"
        'bucket{job="genesis"} matches 6 series, more than 5: high cardinality'
    ) in result.out
    assert result.out.endswith(": 0 missing, 7 warnings\n")


def test_everything_is_missing_before_the_history(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    result = slogen(
        capsys,
        "verify",
        "--service",
        "genesis",
        "--prometheus",
        prometheus_url,
        "--time",
        f"{T_EMPTY:.0f}",
    )
    assert result.code == 1
    assert result.err.splitlines()[0] == (
        where("slos[0].sli.events.good") + ": error: metric genesis_tests_total "
        "has no series"
    )
    assert (
        where("slos[2].sli") + ": error: metric genesis_operation_duration_"
        "seconds_bucket has no series" in result.err
    )


def test_unreachable_prometheus_exits_4(
    capsys: pytest.CaptureFixture[str], closed_url: str
) -> None:
    result = slogen(capsys, "verify", "--service", "genesis", "--prometheus", closed_url)
    assert result.code == 4
    assert result.err.startswith(f"slogen: cannot reach Prometheus at {closed_url}: ")
