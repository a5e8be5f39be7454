"""Prometheus target: golden rule files and unit tests, and the rule each alert kind becomes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from generator.core.errors import SpecErrors
from generator.core.promql_syntax import or_operands
from generator.targets.prometheus import rule_files
from generator.targets.prometheus.rule_files import layout, rule_groups
from tests.conftest import ROOT, SPECS_DIR, TESTDATA
from tests.golden import assert_golden

TARGETS = frozenset({"prometheus", "prometheus-tests"})
CASE = TESTDATA / "prometheus"


def test_every_kind_matches_golden(update_golden: bool) -> None:
    model = pipeline.compile_specs(CASE / "in", None, CASE / "in")
    assert_golden(CASE / "out", pipeline.render(model, TARGETS), update_golden)


def test_reference_specs_match_golden(update_golden: bool) -> None:
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    assert_golden(CASE / "reference", pipeline.render(model, TARGETS), update_golden)


def test_rules_shared_in_a_generate_are_the_rules_built_afresh() -> None:
    model = pipeline.compile_specs(SPECS_DIR, None, ROOT)
    fresh = pipeline.render(model, TARGETS)
    with rule_files.shared_rules():
        assert pipeline.render(model, TARGETS) == fresh
        assert pipeline.render(model, TARGETS) == fresh  # from the memos
        for service in model.services:
            rule_files.forget(service)
        assert pipeline.render(model, TARGETS) == fresh


def _rules(write_spec: Callable[..., Path], body: str, global_text: str = "version: slogen/v1\n"
           ) -> list[dict[str, object]]:
    spec = write_spec("version: slogen/v1\nservice: svc\nteam: ops\n" + body)
    write_spec(global_text, "_global.yaml")
    model = pipeline.compile_specs(spec.parent, None)
    return [r for g in rule_groups(model.services[0], layout(model.prometheus))
            for r in g["rules"]]


@pytest.mark.parametrize("alert, exprs", [
    pytest.param("{name: A, expr: up, below: 1}", ["up < 1"], id="threshold on a selector"),
    pytest.param("{name: A, expr: 'sum(rate(x[5m]))', above: 2}",
                 ["sum(rate(x[5m]))", "alert:svc_a:value > 2"],
                 id="an expression is recorded first, then alerted on"),
    pytest.param("{name: A, expr: 'up{job=\"j\"} < 1'}", ['up{job="j"} < 1', "alert:svc_a:value"],
                 id="without above or below: fires when the expression returns anything"),
    pytest.param("{name: A, expr: 'sum by (service) (x)', above: 1}",
                 ['label_replace(sum by (service) (x), "exported_service", "$1", "service", '
                  '"(.*)")',
                  "alert:svc_a:value > 1"],
                 id="a kept label the rule sets is copied to exported_<label> first"),
    pytest.param("{name: A, expr: x, tiers: {warning: {above: 5}, critical: {above: 9}}}",
                 ["x > 9", "x > 5 unless x > 9"], id="tiers never fire together"),
    pytest.param("{name: A, absent: 'x{job=\"j\"}', for: 5m}", ['absent(x{job="j"})'],
                 id="absent"),
    pytest.param("{name: A, stale: {timestamp: ts, after: 1h}}",
                 ["time() - ts > 3600\nor absent(ts)"], id="stale, or never reported"),
    pytest.param("{name: A, predict: {expr: x, above: 10, within: 1h, lookback: 30m}}",
                 ["round(time() + (10 - predict_linear(x[30m], 0)) / deriv(x[30m]))\nand\n"
                  "predict_linear(x[30m], 3600) > 10"], id="predict carries the breach time"),
    pytest.param("{name: AbcDef, anomaly: {expr: 'sum(x)', zscore: 2, baseline: 2h, "
                 "direction: below}}",
                 ["sum(x)", "avg_over_time(alert:svc_abc_def:value[2h])",
                  "stddev_over_time(alert:svc_abc_def:value[2h])",
                  "(alert:svc_abc_def:value - alert:svc_abc_def:avg_over_time2h) / "
                  "alert:svc_abc_def:stddev_over_time2h < -2"],
                 id="anomaly from recorded mean and sd"),
])
def test_alert_kind_becomes(write_spec: Callable[..., Path], alert: str, exprs: list[str]) -> None:
    rules = _rules(write_spec, f"alerts:\n  - {alert}\n")
    assert [r["expr"] for r in rules] == exprs


def test_templates_read_the_exported_label_the_expression_kept(
        write_spec: Callable[..., Path]) -> None:
    rules = _rules(write_spec, "alerts:\n  - {name: Burst, expr: 'sum by (service, team) (x)', "
                               "above: 1,\n     summary: '{{ $labels.service }} of "
                               "{{ $labels.team }}'}\n")
    assert rules[0]["expr"].count("label_replace(") == 2
    assert rules[1]["labels"]["service"] == "svc"
    assert rules[1]["annotations"]["summary"] == (
        "{{ $labels.exported_service }} of {{ $labels.exported_team }}")


def test_every_alert_carries_routing_labels_and_links(write_spec: Callable[..., Path]) -> None:
    rules = _rules(write_spec, "runbook: https://rb.example.com/svc\nalerts:\n"
                               "  - {name: Down, expr: up, below: 1, severity: critical}\n")
    assert rules[0]["labels"] == {"service": "svc", "severity": "critical", "team": "ops"}
    assert rules[0]["annotations"] == {
        "dashboard": "/d/slogen-svc",
        "description": "Down on svc. Value {{ $value }} is < 1.",
        "runbook_url": "https://rb.example.com/svc#down",
        "summary": "Down on svc",
    }


def test_grafana_url_makes_dashboard_links_absolute(write_spec: Callable[..., Path]) -> None:
    rules = _rules(write_spec, "alerts:\n  - {name: Down, expr: up, below: 1}\n",
                   "version: slogen/v1\ngrafana: {url: 'https://grafana.example.com/'}\n")
    assert rules[0]["annotations"]["dashboard"] == "https://grafana.example.com/d/slogen-svc"


SLO = """slos:
  - name: api
    objective: 99.9
    sli: {events: {bad: 'sum(rate(e[{{window}}]))', total: 'sum(rate(t[{{window}}]))'}}
"""


RECORDED = "version: slogen/v1\nprometheus: {windows: recorded}\n"


def test_only_the_5m_rules_read_raw_series(write_spec: Callable[..., Path]) -> None:
    rules = _rules(write_spec, SLO, RECORDED)
    raw = [r["record"] for r in rules if "sum(rate(" in str(r["expr"])]
    assert raw == ["slo:sli_error:rate5m", "slo:sli_total:rate5m"]
    records = [r["record"] for r in rules if "record" in r]
    assert records == [
        "slo:sli_error:rate5m", "slo:sli_total:rate5m",
        *(f"slo:sli_error:ratio_rate{w}" for w in ("5m", "30m", "1h", "2h", "6h")),
        "slo:burn_rate:ratio_rate1h", "slo:burn_page:ratio", "slo:burn_ticket:ratio",
        "slo:sli_error:avg4m_rate5m", "slo:sli_total:avg4m_rate5m",
        *(f"slo:sli_error:ratio_rate{w}" for w in ("1d", "3d", "30d")),
        "slo:error_budget_remaining:ratio", "slo:objective:ratio",
    ]
    ratio_1d = next(r for r in rules if r.get("record") == "slo:sli_error:ratio_rate1d")
    # The newest 5m as recorded, the older 23h55m as the average of the 5m rates over it.
    sel = '{slo_id="svc-api"}'
    assert ratio_1d["expr"] == (
        f"((slo:sli_error:rate5m{sel} + 287 * avg_over_time(slo:sli_error:rate5m{sel}"
        f"[23h54m59s999ms] offset 2m30s)) or slo:sli_error:rate5m{sel}) / "
        f"((slo:sli_total:rate5m{sel} + 287 * avg_over_time(slo:sli_total:rate5m{sel}"
        f"[23h54m59s999ms] offset 2m30s)) or slo:sli_total:rate5m{sel})")


def test_windows_of_a_day_or_more_are_evaluated_less_often(
        write_spec: Callable[..., Path]) -> None:
    spec = write_spec("version: slogen/v1\nservice: svc\nteam: ops\n" + SLO)
    write_spec("version: slogen/v1\nprometheus: {evaluation_interval: 30s, windows: recorded}\n",
               "_global.yaml")
    model = pipeline.compile_specs(spec.parent, None)
    groups = rule_groups(model.services[0], layout(model.prometheus))
    # Every 4m, the largest multiple of 30s that keeps the series inside the 5m lookback.
    assert [(g["name"], g.get("interval"), len(g["rules"])) for g in groups] == [
        ("slogen-svc-slos", None, 13), ("slogen-svc-slo-windows", "4m", 7)]


@pytest.mark.parametrize("interval, slow", [("45s", "3m45s"), ("2m", "4m"), ("3m", None)])
def test_the_slow_group_runs_every_multiple_of_the_interval_up_to_4m(
        write_spec: Callable[..., Path], interval: str, slow: str | None) -> None:
    spec = write_spec("version: slogen/v1\nservice: svc\nteam: ops\n" + SLO)
    write_spec(f"version: slogen/v1\nprometheus: {{evaluation_interval: {interval}}}\n",
               "_global.yaml")
    model = pipeline.compile_specs(spec.parent, None)
    groups = {g["name"]: g.get("interval")
              for g in rule_groups(model.services[0], layout(model.prometheus))}
    assert groups.get("slogen-svc-slo-windows") == slow


def test_page_and_ticket_follow_the_workbook_with_a_fast_page_tier(
        write_spec: Callable[..., Path]) -> None:
    rules = _rules(write_spec, SLO, RECORDED)
    alerts = [r for r in rules if "alert" in r and not r["alert"].endswith("SLIAbsent")]
    assert [a["labels"]["severity"] for a in alerts] == ["critical", "warning"]
    assert alerts[0]["expr"] == 'slo:burn_page:ratio{slo_id="svc-api"}'
    condition = next(r for r in rules if r.get("record") == "slo:burn_page:ratio")
    # The 6h/30m pair's short window is sustained (the median of its 5m rates), and its long
    # window must have burned the budget over half its span; the 5m/1m tier is fixed at 100x.
    sel = '{slo_id="svc-api"}'

    def median(w: str) -> str:
        return (f"(quantile_over_time(0.5, slo:sli_error:rate5m{sel}[{w}]) / "
                f"quantile_over_time(0.5, slo:sli_total:rate5m{sel}[{w}]))")

    assert condition["expr"] == (
        f'(slo:sli_error:ratio_rate1h{sel} > (14.4 * 0.001) and '
        f'slo:sli_error:ratio_rate5m{sel} > (14.4 * 0.001))\n'
        f' or (slo:sli_error:ratio_rate6h{sel} > (6 * 0.001) and '
        f'{median("5h59m59s999ms")} > 0.001 and {median("29m59s999ms")} > (6 * 0.001))\n'
        f' or (slo:sli_error:ratio_rate5m{sel} > (100 * 0.001) and '
        f'(slo:sli_error:rate5m{sel} / slo:sli_total:rate5m{sel}) > (100 * 0.001))')
    ticket = next(r for r in rules if r.get("record") == "slo:burn_ticket:ratio")
    assert ticket["expr"] == (
        f'(slo:sli_error:ratio_rate1d{sel} > (3 * 0.001) and '
        f'{median("1h59m59s999ms")} > (3 * 0.001))\n'
        f' or (slo:sli_error:ratio_rate3d{sel} > (1 * 0.001) and '
        f'{median("5h59m59s999ms")} > (1 * 0.001))')


def test_sustained_false_reads_the_workbook_means(write_spec: Callable[..., Path]) -> None:
    plain = SLO + "    alerting:\n      page: {sustained: false}\n"
    rules = _rules(write_spec, plain, RECORDED)
    page = next(r for r in rules if r.get("record") == "slo:burn_page:ratio")
    assert "quantile_over_time" not in page["expr"]
    assert ('slo:sli_error:ratio_rate6h{slo_id="svc-api"} > (6 * 0.001) and '
            'slo:sli_error:ratio_rate30m{slo_id="svc-api"} > (6 * 0.001)') in page["expr"]
    ticket = next(r for r in rules if r.get("record") == "slo:burn_ticket:ratio")
    assert "quantile_over_time(0.5, slo:sli_error:rate5m" in ticket["expr"]


def test_inline_windows_by_default_record_six_series_per_slo(
        write_spec: Callable[..., Path]) -> None:
    rules = _rules(write_spec, SLO)
    # The burn conditions are recorded too, but hold a series only while the condition holds.
    # The SLO window's error ratio is no series of its own: budget remaining reads its
    # expression.
    assert [r["record"] for r in rules if "record" in r] == [
        "slo:sli_error:rate5m", "slo:sli_total:rate5m", "slo:burn_page:ratio",
        "slo:burn_ticket:ratio", "slo:sli_error:avg4m_rate5m", "slo:sli_total:avg4m_rate5m",
        "slo:error_budget_remaining:ratio", "slo:objective:ratio"]
    remaining = next(r for r in rules if r.get("record") == "slo:error_budget_remaining:ratio")
    assert remaining["expr"].startswith(
        '1 - (((slo:sli_error:rate5m{slo_id="svc-api"} + 8639 * avg_over_time('
        'slo:sli_error:avg4m_rate5m{slo_id="svc-api"}[29d23h54m59s999ms]))')
    assert remaining["expr"].endswith(") / 0.001")
    page = next(r for r in rules if r.get("record") == "slo:burn_page:ratio")
    # Every window: the 5m rate at t plus the older part's average, weighted by its length.
    sel = '{slo_id="svc-api"}'
    assert (f"slo:sli_error:rate5m{sel} + 11 * avg_over_time(slo:sli_error:rate5m"
            f"{sel}[54m59s999ms] offset 2m30s)") in page["expr"]
    assert (f"71 * avg_over_time(slo:sli_error:rate5m{sel}[5h54m59s999ms] "
            "offset 2m30s)") in page["expr"]
    assert " offset 55m" not in page["expr"]
    # Each SLO's alert reads its own series of the condition.
    alert = next(r for r in rules if r.get("alert") and r["labels"]["severity"] == "critical")
    assert alert["expr"] == 'slo:burn_page:ratio{slo_id="svc-api"}'


def test_the_slo_window_averages_tiles_the_slow_group_records_first(
        write_spec: Callable[..., Path]) -> None:
    spec = write_spec("version: slogen/v1\nservice: svc\nteam: ops\n" + SLO)
    write_spec("version: slogen/v1\n", "_global.yaml")
    model = pipeline.compile_specs(spec.parent, None)
    slow = rule_groups(model.services[0], layout(model.prometheus))[1]
    sel = '{slo_id="svc-api"}'
    # Each tile: the 8 samples of the 5m rate in the 4m that ends at the seam (t - 2m30s).
    assert [(r["record"], r["expr"]) for r in slow["rules"][:2]] == [
        (f"slo:sli_{kind}:avg4m_rate5m",
         f"avg_over_time(slo:sli_{kind}:rate5m{sel}[3m59s999ms] offset 2m30s)")
        for kind in ("error", "total")]
    # The older part: the tiles over the same range as the 5m rates' average, no offset; budget
    # remaining reads the window's ratio as an expression (inline: no series of its own).
    assert slow["rules"][2]["expr"] == (
        f"1 - (((slo:sli_error:rate5m{sel} + 8639 * avg_over_time(slo:sli_error:avg4m_rate5m{sel}"
        f"[29d23h54m59s999ms])) or slo:sli_error:rate5m{sel}) / "
        f"((slo:sli_total:rate5m{sel} + 8639 * avg_over_time(slo:sli_total:avg4m_rate5m{sel}"
        f"[29d23h54m59s999ms])) or slo:sli_total:rate5m{sel})) / 0.001")


@pytest.mark.parametrize("interval, tiled", [("30s", True), ("20s", True), ("15s", False),
                                             ("1m", True), ("3m", False)])
def test_tiles_only_where_promtool_steps_see_one_5m_rate_in_each(
        write_spec: Callable[..., Path], interval: str, tiled: bool) -> None:
    spec = write_spec("version: slogen/v1\nservice: svc\nteam: ops\n" + SLO)
    write_spec(f"version: slogen/v1\nprometheus: {{evaluation_interval: {interval}}}\n",
               "_global.yaml")
    model = pipeline.compile_specs(spec.parent, None)
    records = [r.get("record", "") for g in rule_groups(model.services[0],
                                                        layout(model.prometheus))
               for r in g["rules"]]
    assert any("_rate5m" in r and ":avg" in r for r in records) == tiled


def test_many_slos_split_into_groups_of_a_hundred(write_spec: Callable[..., Path]) -> None:
    body = "slos:\n" + "".join(
        SLO.removeprefix("slos:\n").replace("name: api", f"name: s{i:03d}") for i in range(250))
    spec = write_spec("version: slogen/v1\nservice: svc\nteam: ops\n" + body)
    write_spec("version: slogen/v1\n", "_global.yaml")
    model = pipeline.compile_specs(spec.parent, None)
    groups = rule_groups(model.services[0], layout(model.prometheus))
    assert [(g["name"], g.get("interval")) for g in groups] == [
        ("slogen-svc-slos-1", None), ("slogen-svc-slo-windows-1", "4m"),
        ("slogen-svc-slos-2", None), ("slogen-svc-slo-windows-2", "4m"),
        ("slogen-svc-slos-3", None), ("slogen-svc-slo-windows-3", "4m")]

    def ids(group: dict[str, Any]) -> set[str]:
        return {r["labels"]["slo_id"] for r in group["rules"] if "slo_id" in r.get("labels", {})}

    # Runs of 100 SLOs in spec order; each group's records, then the burn conditions over its
    # own SLOs (they read the records of the same evaluation), then its alerts.
    assert [len(ids(g)) for g in groups] == [100, 100, 100, 100, 50, 50]
    assert ids(groups[0]) == ids(groups[1]) == {f"svc-s{i:03d}" for i in range(100)}
    fast = [r.get("record") or "alert" for r in groups[2]["rules"]]
    first_alert = fast.index("alert")
    assert fast[first_alert - 2:first_alert] == ["slo:burn_page:ratio", "slo:burn_ticket:ratio"]
    assert set(fast[first_alert:]) == {"alert"}
    condition = groups[2]["rules"][first_alert - 2]["expr"]
    assert "svc-s100|" in condition and "svc-s199" in condition and "svc-s099" not in condition
    # Every group has its own conditions under the same names: an empty label per part (which
    # Prometheus drops from the series) tells promtool's lint the rules apart.
    assert [r.get("labels") for g in groups for r in g["rules"]
            if r.get("record") == "slo:burn_page:ratio"] == [
        {"slogen_part_1": ""}, {"slogen_part_2": ""}, {"slogen_part_3": ""}]
    # Deterministic, and a service at the limit keeps the one pair of names.
    assert groups == rule_groups(model.services[0], layout(model.prometheus))
    body = "slos:\n" + "".join(
        SLO.removeprefix("slos:\n").replace("name: api", f"name: s{i:03d}") for i in range(100))
    spec.write_text("version: slogen/v1\nservice: svc\nteam: ops\n" + body)
    model = pipeline.compile_specs(spec.parent, None)
    assert [g["name"] for g in rule_groups(model.services[0], layout(model.prometheus))] == [
        "slogen-svc-slos", "slogen-svc-slo-windows"]


def test_slos_sharing_windows_and_budget_share_one_condition_rule(
        write_spec: Callable[..., Path]) -> None:
    more = SLO.removeprefix("slos:\n")
    three = (SLO + more.replace("name: api", "name: web")
             + more.replace("name: api", "name: batch").replace("objective: 99.9", "objective: 99"))
    rules = _rules(write_spec, three)
    [page] = [r for r in rules if r.get("record") == "slo:burn_page:ratio"]
    # api and web burn the same budget over the same windows: one selector for both; batch's
    # budget differs, so its thresholds do. One rule `or`s the two shapes' conditions (a rule
    # each would fail promtool's lint: same record name, same static labels).
    assert "labels" not in page
    conditions = or_operands(str(page["expr"]))
    assert conditions is not None
    # A condition per window pair, the shapes one after the other (99% has no 100x pair).
    shared = [c for c in conditions if "svc-api" in c]
    own = conditions[len(shared):]
    assert (len(shared), len(own)) == (3, 2)
    assert all('slo_id=~"svc-api|svc-web"' in c and "* 0.001)" in c for c in shared)
    assert all('slo_id="svc-batch"' in c and "* 0.01)" in c for c in own)
    assert "(14.4 * 0.001)" in shared[0] and "(14.4 * 0.01)" in own[0]


def test_rules_without_group_go_to_the_service_group(write_spec: Callable[..., Path]) -> None:
    spec = write_spec("version: slogen/v1\nservice: svc\nteam: ops\n"
                      "rule_groups: {fast: {interval: 10s}}\n"
                      "recording:\n  - {record: 'a:b:c', expr: up, group: fast}\n"
                      "alerts:\n  - {name: A, expr: up, below: 1}\n")
    write_spec("version: slogen/v1\n", "_global.yaml")
    groups = rule_groups(pipeline.compile_specs(spec.parent, None).services[0])
    assert [(g["name"], g.get("interval"), len(g["rules"])) for g in groups] == [
        ("fast", "10s", 1), ("svc", None, 1)]


@pytest.mark.parametrize("fmt, path, wrapper", [
    pytest.param("prometheus-operator", "prometheus/operator/shop.yaml",
                 lambda doc: (doc["kind"], doc["metadata"]["name"], doc["spec"]["groups"]),
                 id="a PrometheusRule manifest per service"),
    pytest.param("mimir", "prometheus/mimir/slogen-shop.yaml",
                 lambda doc: ("namespace", doc["namespace"], doc["groups"]),
                 id="a ruler namespace file per service"),
])
def test_formats_wrap_the_same_groups(tmp_path: Path, fmt: str, path: str,
                                      wrapper: Callable[[dict[str, Any]], tuple[str, str, Any]]
                                      ) -> None:
    from generator.cli import main

    out = tmp_path / "out"
    assert main(["generate", "--specs", str(CASE / "in"), "--out", str(out), "--skip-checks",
                 "--format", fmt]) == 0
    plain = YAML(typ="safe").load((out / "prometheus" / "shop.rules.yaml").read_text())
    kind, name, groups = wrapper(YAML(typ="safe").load((out / path).read_text()))
    assert (kind, name) == (("PrometheusRule", "slogen-shop") if fmt != "mimir"
                            else ("namespace", "slogen-shop"))
    assert groups == plain["groups"]


def _slo_alerts(write_spec: Callable[..., Path], alerting: str) -> dict[str, dict[str, Any]]:
    body = SLO + f"    alerting: {alerting}\n"
    rules = _rules(write_spec, body, RECORDED)
    # A burn-rate alert reads its level's condition rule: show the condition in its place.
    conditions = {r["record"]: r["expr"] for r in rules if "record" in r}
    return {r["labels"]["severity"]: {**r, "expr": conditions.get(r["expr"].split("{")[0],
                                                                   r["expr"])}
            for r in rules if "alert" in r and not r["alert"].endswith("SLIAbsent")}


def test_every_slo_alerts_when_its_sli_series_are_missing(
        write_spec: Callable[..., Path]) -> None:
    [absent] = [r for r in _rules(write_spec, SLO) if r.get("alert") == "SvcApiSLIAbsent"]
    assert absent["expr"] == 'absent(slo:sli_total:rate5m{slo_id="svc-api"})'
    assert (absent["for"], absent["labels"]["severity"]) == ("10m", "warning")
    off = _rules(write_spec, SLO + "    alerting: {absent: {enabled: false}}\n")
    assert not any(r.get("alert") == "SvcApiSLIAbsent" for r in off)


# One case per documented field of `slos[].alerting`: the field shows in the rules.
@pytest.mark.parametrize("alerting, check", [
    pytest.param("{name: ApiBurn}", lambda a: a["critical"]["alert"] == "ApiBurn", id="name"),
    pytest.param("{labels: {tier: one}}",
                 lambda a: {x["labels"]["tier"] for x in a.values()} == {"one"},
                 id="labels"),
    pytest.param("{annotations: {note: hi}}",
                 lambda a: a["critical"]["annotations"]["note"] == "hi", id="annotations"),
    pytest.param("{page: {labels: {routing_key: pk}}, ticket: {labels: {routing_key: tk}}}",
                 lambda a: (a["critical"]["labels"]["routing_key"],
                            a["warning"]["labels"]["routing_key"]) == ("pk", "tk"),
                 id="page.labels and ticket.labels"),
    pytest.param("{labels: {routing_key: all}, page: {labels: {routing_key: pk}}}",
                 lambda a: (a["critical"]["labels"]["routing_key"],
                            a["warning"]["labels"]["routing_key"]) == ("pk", "all"),
                 id="a level's labels win over the SLO's"),
    pytest.param("{page: {annotations: {pager_note: wake}}}",
                 lambda a: a["critical"]["annotations"]["pager_note"] == "wake"
                 and "pager_note" not in a["warning"]["annotations"],
                 id="page.annotations"),
    pytest.param("{page: {severity: warning}, ticket: {severity: info}}",
                 lambda a: set(a) == {"warning", "info"}, id="page.severity, ticket.severity"),
    pytest.param("{page: {for: 2m}}", lambda a: a["critical"]["for"] == "2m", id="page.for"),
    pytest.param("{ticket: {enabled: false}}", lambda a: set(a) == {"critical"},
                 id="ticket.enabled"),
    pytest.param("{page: {windows: [{long: 2h, short: 10m, burn_rate: 10}]}}",
                 lambda a: "ratio_rate2h" in a["critical"]["expr"]
                 and "(10 * 0.001)" in a["critical"]["expr"], id="page.windows"),
])
def test_every_slo_alerting_field_reaches_the_rules(
        write_spec: Callable[..., Path], alerting: str,
        check: Callable[[dict[str, dict[str, Any]]], bool]) -> None:
    assert check(_slo_alerts(write_spec, alerting))


# One case per documented field of `alerts[]` that is not its kind (kinds are covered above).
@pytest.mark.parametrize("fields, check", [
    pytest.param("for: 3m", lambda r: r["for"] == "3m", id="for"),
    pytest.param("severity: critical", lambda r: r["labels"]["severity"] == "critical",
                 id="severity"),
    pytest.param("summary: Up is down", lambda r: r["annotations"]["summary"] == "Up is down",
                 id="summary"),
    pytest.param("description: Long words",
                 lambda r: r["annotations"]["description"].startswith("Long words"),
                 id="description"),
    pytest.param("runbook: https://rb.example.com/x",
                 lambda r: r["annotations"]["runbook_url"] == "https://rb.example.com/x",
                 id="runbook"),
    pytest.param("labels: {role: service-down}", lambda r: r["labels"]["role"] == "service-down",
                 id="labels"),
    pytest.param("annotations: {extra: x}", lambda r: r["annotations"]["extra"] == "x",
                 id="annotations"),
    pytest.param("equals: 3", lambda r: r["expr"] == "up == 3", id="equals"),
])
def test_every_alert_field_reaches_the_rule(
        write_spec: Callable[..., Path], fields: str,
        check: Callable[[dict[str, Any]], bool]) -> None:
    condition = "" if "equals" in fields else "below: 1\n    "
    rules = _rules(write_spec, f"alerts:\n  - name: Down\n    expr: up\n    {condition}{fields}\n")
    assert check(rules[-1])


def test_group_by_aggregates_latency_slis_and_must_be_kept_by_events_slis(
        write_spec: Callable[..., Path]) -> None:
    latency = ("slos:\n  - name: fast\n    objective: 99\n    sli:\n      latency: "
               "{histogram: h, below: 1s}\n      group_by: [route]\n")
    rules = _rules(write_spec, latency)
    assert rules[0]["expr"].startswith("sum by (route) (rate(h_count[5m]))")
    events = SLO.replace("    sli: {events", "    sli: {group_by: [route], events")
    with pytest.raises(SpecErrors) as caught:
        _rules(write_spec, events)
    assert "do not keep label 'route'" in str(caught.value)
