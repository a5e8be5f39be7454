"""The rules bench's pure parts: durations, the measuring schedule, which recorded series need
history, and the figures computed from Prometheus' exposition."""

from __future__ import annotations

import pytest

from bench import rules_plan as plan
from bench import rules_workload as wl

RULES = """
groups:
  - name: fast
    rules:
      - record: slo:sli_error:rate5m
        expr: sum(rate(x_total{code="500"}[5m]))
        labels: {slo_id: a}
      - record: slo:sli_total:rate5m
        expr: sum(rate(x_total[5m]))
        labels: {slo_id: a}
      - alert: Burn
        expr: slo:sli_error:rate5m{slo_id="a"} / slo:sli_total:rate5m offset 5m > 0.1
  - name: slow
    interval: 2m
    rules:
      - record: slo:sli_error:ratio_rate30d
        expr: avg_over_time(slo:sli_error:rate5m{slo_id="a"}[29d23h55m]) / 2
        labels: {slo_id: a, window: 30d}
      - record: slo:remaining
        expr: 1 - slo:sli_error:ratio_rate30d
"""


def test_durations() -> None:
    assert plan.seconds("2m") == 120
    assert plan.seconds("1h30m") == 5400
    assert plan.seconds("500ms") == 0.5
    with pytest.raises(ValueError):
        plan.seconds("2 minutes")


def test_groups_take_the_global_interval_unless_they_set_one() -> None:
    groups = plan.parse_groups(RULES, 60)
    assert [(g.name, g.interval, len(g.rules)) for g in groups] == [("fast", 60, 3),
                                                                    ("slow", 120, 2)]
    assert plan.slowest_interval(groups) == 120
    assert plan.slowest_interval([]) == 0


def test_a_window_of_whole_intervals_holds_that_many_evaluations() -> None:
    assert plan.measuring_window(120, 5) == 600
    with pytest.raises(ValueError):
        plan.measuring_window(0, 5)
    with pytest.raises(ValueError):
        plan.measuring_window(120, 0)


def test_warmup_waits_for_the_slowest_group_and_a_live_rate_window() -> None:
    assert plan.warmup(120, 60, 300) == 300
    assert plan.warmup(600, 60, 300) == 660


def test_only_recorded_series_read_over_a_range_or_offset_need_history() -> None:
    # error rate5m is read over 30d, total rate5m at an offset; the 30d ratio only
    # instantly; x_total over a range but it is not recorded (the raw counters are always
    # backfilled).
    assert plan.history_read_metrics([RULES]) == {"slo:sli_error:rate5m", "slo:sli_total:rate5m"}


def test_a_recorded_series_is_written_at_its_rules_group_interval() -> None:
    records = plan.record_intervals(plan.parse_groups(RULES, 60))
    assert plan.series_interval("slo:sli_error:ratio_rate30d",
                                {"slo_id": "a", "window": "30d", "team": "t"}, records, 60) == 120
    assert plan.series_interval("slo:sli_error:rate5m", {"slo_id": "a"}, records, 60) == 60
    # Labels that do not match any rule of that name: the default.
    assert plan.series_interval("slo:sli_error:ratio_rate30d", {"slo_id": "b"}, records, 30) == 30


def test_exposition_totals_and_groups() -> None:
    text = """# HELP process_cpu_seconds_total x
process_cpu_seconds_total 12.5
prometheus_rule_group_iterations_total{rule_group="/r/a.yaml;fast"} 7
prometheus_rule_group_iterations_total{rule_group="/r/b.yaml;slow"} 2
prometheus_rule_group_duration_seconds_sum 1.5e-01
"""
    m = plan.parse_exposition(text)
    assert plan.total(m, "process_cpu_seconds_total") == 12.5
    assert plan.total(m, "prometheus_rule_group_duration_seconds_sum") == 0.15
    assert plan.total(m, "absent") == 0
    assert plan.per_group(m, "prometheus_rule_group_iterations_total") == {"fast": 7, "slow": 2}


def test_spread_and_ratio() -> None:
    assert plan.spread([0.3, 0.1, 0.2]) == {"min": 0.1, "median": 0.2, "max": 0.3}
    assert plan.ratio(1, 4) == 0.25
    assert plan.ratio(1, 0) is None


def test_rule_kinds_add_up_the_copies_of_one_rule() -> None:
    one = plan.rule_kind("slogen-bench-slos", {"alert": "BenchS0001BudgetBurn",
                                               "labels": {"severity": "critical"}})
    other = plan.rule_kind("slogen-bench-slos", {"alert": "BenchS0742BudgetBurn",
                                                 "labels": {"severity": "critical"}})
    assert one == other == "Bench*BudgetBurn (critical) @slogen-bench-slos"
    assert plan.rule_kind("sloth-slo-sli-recordings-bench-s0003",
                          {"record": "slo:sli_error:ratio_rate30d"}) == \
        "slo:sli_error:ratio_rate30d @sloth-slo-sli-recordings-bench-*"


def test_history_joins_the_live_counters_and_spaces_each_series_at_its_step(tmp_path) -> None:
    rec = [wl.Recorded('slo:a{slo_id="x"}', 60, wl.jittered(1.0)),
           wl.Recorded('slo:b{slo_id="x"}', 120, ("2",))]
    path = tmp_path / "h.om"
    samples = wl.write_history(path, 1_700_000_040, 1_700_000_280, 60, rec)
    lines = path.read_text().splitlines()
    assert lines[0].startswith("# TYPE bench_requests counter") and lines[-1] == "# EOF"
    raw = [x for x in lines if x.startswith(wl.METRIC)]
    assert len(raw) == 4 * len(wl.raw_series())
    name, rate = wl.raw_series()[0]
    assert raw[0] == (f'{name[:-1]},job="{wl.JOB}"}} {int(rate * (1_700_000_040 - wl.EPOCH))} '
                      "1700000040")
    # 1,700,000,040 is a multiple of 120: slo:b at 040 and 160 of 040, 100, 160, 220.
    assert [x.split()[-1] for x in lines if x.startswith("slo:b")] == ["1700000040",
                                                                      "1700000160"]
    assert len([x for x in lines if x.startswith("slo:a")]) == 4
    assert samples == len(raw) + 4 + 2
    assert all(abs(float(v) - 1) <= 0.05 + 1e-9 for v in wl.jittered(1.0))


def test_skipped_evaluations_scale_the_cpu_up_by_the_work_left_undone() -> None:
    scheduled = {"fast": 10.0, "slow": 5.0}
    assert plan.completed_runs(scheduled, {"slow": 3.0}) == {"fast": 10.0, "slow": 2.0}
    weights = {"fast": 1.0, "slow": 4.0}  # a slow-group run takes four times a fast one
    # Nothing skipped: the CPU as measured.
    assert plan.work_normalized(0.5, scheduled, scheduled, weights) == 0.5
    # 3 of 5 slow runs skipped: 30 units of work due, 18 done.
    done = plan.completed_runs(scheduled, {"slow": 3.0})
    assert plan.work_normalized(0.3, scheduled, done, weights) == pytest.approx(0.5)
    assert plan.work_normalized(0.3, scheduled, {"fast": 0, "slow": 0}, weights) is None
