"""Grafana-managed alert rules in the backtest: a PromQL query is replayed as query, reducer and
threshold in one expression; an SQL query is listed as not scored, with the reason."""

from __future__ import annotations

from datetime import timedelta

from generator import pipeline
from generator.backtest import evaluate as ev
from generator.backtest.grafana import APPROACH, grafana_alerts
from generator.commands.backtest import shipped_groups
from tests.conftest import ROOT

CASE = ROOT / "tests" / "testdata" / "grafana" / "in"


def _alerts() -> dict[str, ev.ShippedAlert]:
    model = pipeline.compile_specs(CASE, None, CASE.parent)
    return {a.name: a for a in grafana_alerts(model, ev.records_of(shipped_groups(model)))}


def test_a_promql_rule_is_scored_as_reduce_then_threshold() -> None:
    budget = _alerts()["ErrorBudgetLow"]
    assert budget.scored and budget.approach == APPROACH
    assert budget.expr == ('(min_over_time((slo:error_budget_remaining:ratio{slo_id='
                           '"checkout-availability"})[30m:1m])) < 0.1')
    assert (budget.interval, budget.for_) == (timedelta(minutes=1), timedelta(0))
    # It reads the budget left, recorded from the 30d ratio, itself from the raw SLI series.
    assert budget.reach > timedelta(days=30)


def test_an_sql_rule_is_listed_as_not_scored() -> None:
    pending = _alerts()["PendingOrdersOdd"]
    assert not pending.scored
    assert pending.note.startswith("not scored: the query is ")
