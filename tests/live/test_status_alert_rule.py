"""The status's page burn agrees with the shipped page alert rule evaluated on the same data.

The rule reads the SLO's recorded 5m rates; the test Prometheus holds only the raw counters,
so each recorded series in the rule's expression is replaced by a subquery of its recording
rule's expression (at the SLO's step), and Prometheus evaluates the rest of the expression
as rendered: the means, the medians of the sustained pairs and the long windows' gate.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from generator import pipeline
from generator.core import naming
from generator.core.durations import format_duration
from generator.core.model import Slo
from generator.core.windows import BASE
from generator.live.client import PrometheusClient, Settings
from generator.live.status import measure_slo
from generator.targets.prometheus.slo_rules import burn_expr, level_windows
from tests.conftest import ROOT, SPECS_DIR
from tests.live.history import ERAS

pytestmark = [pytest.mark.e2e, pytest.mark.promtool]


def _error_rate_slo() -> Slo:
    genesis = pipeline.compile_specs(SPECS_DIR, None, ROOT).service("genesis")
    return next(s for s in genesis.slos if s.name == "error-rate")


def _on_raw_counters(expr: str, slo: Slo) -> str:
    """`expr` with the recorded 5m rates of `slo` read from the raw SLI queries."""
    step = format_duration(slo.step or timedelta(seconds=30))
    for record, raw in ((naming.errors_record(BASE), slo.sli.errors(format_duration(BASE))),
                        (naming.total_record(BASE), slo.sli.total(format_duration(BASE)))):
        name = re.escape(f'{record}{{{naming.LABEL_SLO_ID}="{slo.id}"}}')
        expr = re.sub(name + r"\[([0-9a-z]+)\]", lambda m, r=raw: f"({r})[{m[1]}:{step}]", expr)
        expr = re.sub(name, lambda _, r=raw: f"({r})", expr)
    assert "slo:" not in expr
    return expr


def _page_fires(client: PrometheusClient, slo: Slo, at: float, sustained: bool = True) -> bool:
    windows = [replace(w, sustained=w.sustained and sustained)
               for w in level_windows(slo, "page")]
    return bool(client.query(_on_raw_counters(burn_expr([slo], windows, True), slo), at))


@pytest.mark.parametrize("era", ["healthy", "slow-burn", "fast-burn", "spike", "sustained"])
def test_page_burn_agrees_with_the_page_alert_rule(prometheus_url: str, era: str) -> None:
    slo, at = _error_rate_slo(), ERAS[era][0]
    with PrometheusClient(Settings(prometheus_url)) as client:
        status = measure_slo(client, slo, at, [])
        assert status.level_active("page") is _page_fires(client, slo, at)


def test_the_spike_pages_on_means_only(prometheus_url: str) -> None:
    """The spike era is a case where the two semantics part: the same rule with plain means
    would page, the sustained one does not, and neither does the status."""
    slo, at = _error_rate_slo(), ERAS["spike"][0]
    with PrometheusClient(Settings(prometheus_url)) as client:
        assert _page_fires(client, slo, at, sustained=False)
        assert not _page_fires(client, slo, at)
        assert measure_slo(client, slo, at, []).level_active("page") is False
