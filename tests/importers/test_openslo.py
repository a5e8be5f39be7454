"""OpenSLO import: references across files, burn-rate policies, located errors and refusals,
every document shape oslo accepts."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from generator.cli import main
from generator.commands.import_specs import import_paths
from generator.importers.report import Severity
from generator.importers.writer import spec_text
from tests.conftest import TESTDATA

CASES = TESTDATA / "importers" / "cases"


def _messages(fmt: str, *paths: Path) -> tuple[int, list[str]]:
    _, report = import_paths(fmt, list(paths))
    return report.exit_code(), [str(f) for f in report.sorted_findings()
                                if f.severity is not Severity.NOTE]


def test_references_resolve_across_a_directory(tmp_path: Path) -> None:
    converted, report = import_paths("openslo", [CASES / "split"])
    assert report.exit_code() == 0, [str(f) for f in report.findings]
    [item] = converted
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "_global.yaml").write_text("version: slogen/v1\n")
    (specs / "checkout.yaml").write_text(spec_text(item, "split"))
    service = pipeline.compile_specs(specs, None).service("checkout")
    [slo] = service.slos
    assert service.team == "payments"
    assert (slo.objective, slo.window.days) == (99.9, 28)
    assert slo.sli.total("5m") == 'sum(rate(http_requests_total{job="checkout"}[5m]))'
    windows = [(w.level, w.long.total_seconds(), w.short.total_seconds(), w.factor, w.for_)
               for w in slo.burn_windows]
    assert [w[:4] for w in windows] == [("page", 3600, 300, 14.4), ("ticket", 259200, 21600, 1)]
    assert windows[0][4].total_seconds() == 120


def test_the_slo_file_alone_names_what_is_missing() -> None:
    code, messages = _messages("openslo", CASES / "split" / "slo.yaml")
    assert code == 1
    assert messages == [
        f"{CASES}/split/slo.yaml:28: spec.indicatorRef: skipped: SLI 'checkout-errors' is not "
        "in the input; import the file that defines it together with this one (several files "
        "or a directory)"]


def test_invalid_slos_are_located_errors(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import", "openslo", str(CASES / "invalid.yaml"), "--out",
                 str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"{CASES}/invalid.yaml:11: spec.indicator.spec.ratioMetric: error: give good or bad "
        "beside total, not both (good + bad + total is ambiguous)",
        f"{CASES}/invalid.yaml:45: spec.objectives[0]: error: the objective has no target; "
        "write target: 0.99 (or targetPercent: 99)",
        "slogen: 0 of 2 SLOs converted; 0 skipped, 0 not SLO documents, 2 errors; nothing was "
        "written"]
    assert not (tmp_path / "out").exists()


def test_composite_slos_are_refused_the_rest_converts() -> None:
    converted, report = import_paths("openslo", [CASES / "refused.yaml"])
    assert report.exit_code() == 1
    skipped = [str(f) for f in report.findings if f.severity is Severity.SKIPPED]
    assert skipped == [
        f"{CASES}/refused.yaml:36: spec.objectives[0]: skipped: composite SLOs (an indicator "
        "per objective, weighted) are not supported: a slogen SLO has one SLI; split it into "
        "one SLO per indicator"]
    month, slo = converted[0].spec["slos"]
    assert (month["window"], month["calendar"]) == ("30d", {"months": True})
    assert slo["sli"]["events"] == {
        "good": 'sum(avg_over_time(job:http_ok:rate5m{job="web"}[{{window}}]))',
        "total": 'sum(avg_over_time(job:http_all:rate5m{job="web"}[{{window}}]))'}


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("[]", [], id="an empty list holds no SLO"),
    pytest.param("- apiVersion: openslo/v1\n  kind: Service\n  metadata: {name: a}\n",
                 ["x.yaml:1: not an SLO document: Service 'a'"], id="a list of documents"),
    pytest.param("apiVersion: openslo/v1\nkind: Service\nmetadata: {name: a}\n---\n"
                 "apiVersion: openslo/v1\nkind: DataSource\nmetadata: {name: b}\n",
                 ["x.yaml:1: not an SLO document: Service 'a'",
                  "x.yaml:5: not an SLO document: DataSource 'b', not referred to by any SLO"],
                 id="a stream of documents"),
    pytest.param("apiVersion: openslo/v1\nkind: SLO\nmetadata: {}\n",
                 ["x.yaml:3: metadata: error: metadata.name is required"], id="no name"),
    pytest.param("apiVersion: openslo/v1\nkind: Slo\nmetadata: {name: a}\n",
                 ["x.yaml:2: kind: error: kind 'Slo' is not an OpenSLO kind; want one of "
                  "AlertCondition, AlertNotificationTarget, AlertPolicy, DataSource, SLI, SLO, "
                  "Service"], id="unknown kind"),
    pytest.param("key: [unclosed\n", ["x.yaml:2: error: not valid YAML: expected ',' or ']', "
                                      "but got '<stream end>'"], id="broken YAML"),
])
def test_document_shapes(tmp_path: Path, text: str, expected: list[str]) -> None:
    (tmp_path / "x.yaml").write_text(text)
    _, report = import_paths("openslo", [tmp_path / "x.yaml"])
    assert [str(f).replace(f"{tmp_path}/", "") for f in report.sorted_findings()] == expected
    assert report.exit_code() == (2 if "error" in "".join(expected) else 1)


def test_sloth_alert_names_are_respelled_and_said_so(tmp_path: Path) -> None:
    (tmp_path / "s.yaml").write_text(
        'version: prometheus/v1\nservice: foo-bar\nlabels: {owner: team-a}\nslos:\n'
        '  - name: grpc-latency\n    objective: 99\n    sli:\n      events:\n'
        '        error_query: sum(rate(errors_total[{{.window}}]))\n'
        '        total_query: sum(rate(requests_total[{{.window}}]))\n'
        '    alerting:\n      name: slo_foo-bar_grpc-latency_fail\n')
    converted, report = import_paths("sloth", [tmp_path / "s.yaml"])
    assert report.exit_code() == 0
    assert converted[0].spec["slos"][0]["alerting"]["name"] == "SloFooBarGrpcLatencyFail"
    notes = [str(f).replace(f"{tmp_path}/", "") for f in report.sorted_findings()]
    assert notes == [
        "s.yaml:3: labels.owner: note: Sloth label owner 'team-a' becomes the slogen team",
        "s.yaml:12: slos[0].alerting.name: note: alert name 'slo_foo-bar_grpc-latency_fail' "
        "renamed 'SloFooBarGrpcLatencyFail' (alert names are letters, digits and _, starting "
        "with a letter)"]


def test_timeslices_become_slice_budgets() -> None:
    converted, report = import_paths("openslo", [CASES / "timeslices.yaml"])
    assert report.exit_code() == 0
    slices, ratio = converted[0].spec["slos"]
    assert (slices["objective"], slices["timeslices"]) == (
        99.9, {"slice": "1m", "slice_objective": 99.0})
    assert (ratio["objective"], ratio["timeslices"]) == (99.0, {"slice": "1m"})


def test_threshold_metrics_become_threshold_slis_one_per_objective() -> None:
    converted, report = import_paths("openslo", [CASES / "threshold.yaml"])
    assert report.exit_code() == 0, [str(f) for f in report.findings]
    query = "histogram_quantile(0.99, sum by (le) (rate(search_duration_seconds_bucket[5m])))"
    assert [(s["name"], s["objective"], s["sli"]) for s in converted[0].spec["slos"]] == [
        ("search-latency-p99-under-300ms", 99.0,
         {"threshold": {"query": query, "op": "lt", "value": 0.3}}),
        ("search-latency-p99-under-1s", 99.9,
         {"threshold": {"query": query, "op": "lte", "value": 1.0}})]


@pytest.mark.parametrize("fmt", ["sloth", "pyrra"])
def test_other_kubernetes_objects_in_a_manifest_are_listed(tmp_path: Path, fmt: str) -> None:
    (tmp_path / "m.yaml").write_text("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\n"
                                     "metadata: {name: x}\nspec: {groups: []}\n")
    _, report = import_paths(fmt, [tmp_path / "m.yaml"])
    assert [str(f).replace(f"{tmp_path}/", "") for f in report.findings] == [
        "m.yaml:1: not an SLO document: Kubernetes PrometheusRule (monitoring.coreos.com/v1)"]
    assert report.exit_code() == 1


def test_a_calendar_week_in_another_zone_starts_at_that_time_in_utc() -> None:
    converted, report = import_paths("openslo", [TESTDATA / "importers" / "openslo" / "oslo" /
                                                 "v1.yaml"])
    [slo] = converted[0].spec["slos"]
    assert (slo["window"], slo["calendar"]) == ("1w", {"start": "2022-01-01T17:00:00Z"})
    assert (slo["timeslices"]) == {"slice": "1m", "slice_objective": 95.0}
    notes = [f.message for f in report.findings if f.severity is Severity.NOTE]
    assert ("periods start 2022-01-01 17:00 UTC (12:00 in America/New_York) and stay exactly "
            "1w long; daylight-saving changes move the local boundary by an hour") in notes


@pytest.mark.parametrize(("window", "reason"), [
    pytest.param("duration: 1Q", "a calendar window of 1Q: slogen resets budgets every calendar "
                 "month or every fixed length up to 7d; use a rolling window such as 90d",
                 id="quarters are refused"),
    pytest.param("duration: 1M\n      calendar: {startTime: 2024-01-15 00:00:00, timeZone: UTC}",
                 "calendar months starting on day 15 at 00:00:00: slogen's months start on the "
                 "1st at 00:00 UTC", id="months start on the first"),
    pytest.param("duration: 1M\n      calendar: {startTime: 2024-01-01 00:00:00, "
                 "timeZone: Europe/Berlin}", "calendar months in Europe/Berlin: PromQL's month() "
                 "counts months in UTC; set timeZone: UTC to reset the budget at midnight UTC",
                 id="months are UTC"),
    pytest.param("duration: 2w", "a calendar window of 2w is longer than the 7d slogen reads per "
                 "evaluation; use a rolling window or a calendar week", id="two weeks"),
])
def test_calendar_windows_slogen_cannot_express(tmp_path: Path, window: str, reason: str) -> None:
    text = (CASES / "refused.yaml").read_text().split("---")[0]
    (tmp_path / "c.yaml").write_text(text.replace("duration: 1M", window, 1).replace(
        "      calendar:\n        startTime: 2024-01-01 00:00:00\n        timeZone: UTC\n", ""
        if "calendar" in window else "      calendar:\n        startTime: 2024-01-01 00:00:00"
        "\n        timeZone: UTC\n"))
    _, report = import_paths("openslo", [tmp_path / "c.yaml"])
    assert [f.message for f in report.findings if f.severity is Severity.SKIPPED] == [reason]
