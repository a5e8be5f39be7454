"""Building blocks of the generated promtool tests: merged case names, counted alert checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generator.targets.prometheus.testseries import (
    Case,
    check,
    compact_name,
    merged_name,
    sequence,
)


@pytest.mark.parametrize("names, merged", [
    pytest.param(["A page fires after 2m", "B page fires after 2m", "C fires after 5m"],
                 "A, B: page fires after 2m; C: fires after 5m", id="each claim once"),
    pytest.param(["svc-a: long-window ratios equal", "svc-b: long-window ratios equal"],
                 "svc-a, svc-b: long-window ratios equal", id="subjects before a colon"),
    pytest.param(["svc-a, svc-b: ratios equal; X stays silent", "Y stays silent"],
                 "svc-a, svc-b: ratios equal; X, Y: stays silent", id="a name merged before"),
])
def test_merged_names_list_each_claim_once_with_its_subjects(names: list[str],
                                                             merged: str) -> None:
    assert merged_name(names) == merged


def test_counted_checks_count_firing_alerts_per_name_and_severity_at_each_time() -> None:
    alerts = [{"exp_labels": {"severity": "critical", "slo": "a"}, "exp_annotations": {}},
              {"exp_labels": {"severity": "warning", "slo": "a"}, "exp_annotations": {}}]
    two = Case("A fires", [], [check(timedelta(minutes=2), "A", alerts)]).counting()
    none = Case("B stays silent", [], [check(timedelta(minutes=2), "B", [])]).counting()
    assert two.alerts == [] and two.alertnames() == {"A"}
    merged = Case("m", counts=two.counts + none.counts)
    assert merged.as_dict()["promql_expr_test"] == [{
        "expr": 'count by (alertname, severity) (ALERTS{alertname=~"A|B", alertstate="firing"})',
        "eval_time": "2m",
        "exp_samples": [{"labels": '{alertname="A", severity="critical"}', "value": 1},
                        {"labels": '{alertname="A", severity="warning"}', "value": 1}]}]


@pytest.mark.parametrize("name, compact", [
    pytest.param("ShopA0BudgetBurn, ShopA1BudgetBurn, ShopB2BudgetBurn: fires; X, Y: stays silent",
                 "Shop{A0,A1,B2}BudgetBurn: fires; X, Y: stays silent",
                 id="shared prefix and suffix"),
    pytest.param("SvcBurn, SvcBurn2: fires", "SvcBurn, SvcBurn2: fires", id="an empty middle"),
    pytest.param("SvcA0Burn fires", "SvcA0Burn fires", id="one subject"),
])
def test_compact_names_write_a_shared_prefix_and_suffix_once(name: str, compact: str) -> None:
    assert compact_name(name) == compact


def test_sequences_write_runs_of_one_value_as_repeats() -> None:
    assert sequence([0.0] * 10 + [0.25] * 5 + [0.0] * 3) == "0+0x9 0.25+0x4 0 0 0"
    assert sequence([1, 3, 1, 3]) == "1 3 1 3"
