"""Building blocks of the generated promtool tests: merged case names, counted alert checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generator.targets.prometheus.testseries import Case, check, merged_name


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
