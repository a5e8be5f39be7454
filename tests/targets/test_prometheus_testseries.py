"""Building blocks of the generated promtool tests: merged case names, counted alert checks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from generator.targets.prometheus.testseries import Case, check, firing_count, merged_name


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


def test_a_counted_check_counts_firing_alerts_per_severity() -> None:
    alerts = [{"exp_labels": {"severity": "critical", "slo": "a"}, "exp_annotations": {}},
              {"exp_labels": {"severity": "warning", "slo": "a"}, "exp_annotations": {}}]
    entry = check(timedelta(minutes=2), "Burn", alerts)
    assert firing_count(entry) == {
        "expr": 'count by (severity) (ALERTS{alertname="Burn", alertstate="firing"})',
        "eval_time": "2m",
        "exp_samples": [{"labels": '{severity="critical"}', "value": 1},
                        {"labels": '{severity="warning"}', "value": 1}]}
    assert firing_count({**entry, "exp_alerts": []})["exp_samples"] == []
    counted = Case("Burn fires", [], [entry]).counting()
    assert counted.alerts == [] and counted.alertnames() == {"Burn"}
