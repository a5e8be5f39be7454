"""Every copied example file of OpenSLO, oslo, Sloth and Pyrra (tests/testdata/importers, see
its README) imports with the documented exit code; what converts validates, passes promtool,
and generates rules whose objective, window and SLI match the source file."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import pipeline
from generator.commands.import_specs import import_paths
from generator.importers.writer import spec_text
from tests.conftest import TESTDATA

CORPUS = TESTDATA / "importers"
HTTP = 'http_request_duration_seconds_count{job="myservice"}'
APISERVER_LATENCY = 'apiserver_request_duration_seconds_count{verb!="WATCH"}'
WIFI = "unifipoller_client_satisfaction_ratio"

# (format, file, exit code, {slo id: (objective, window, a series the total query reads)})
CASES: list[tuple[str, str, int, dict[str, tuple[float, str, str]]]] = [
    ("openslo", "examples/low-traffic-timeslices-slo.yaml", 1, {}),
    ("openslo", "examples/occurences-slo.yaml", 1, {}),
    ("openslo", "examples/ratio-timeslices.yaml", 1, {}),
    ("openslo", "examples/timeslices-slo.yaml", 1, {}),
    ("openslo", "oslo/fmt-service.yaml", 1, {}),
    ("openslo", "oslo/format-invalid-service.yaml", 1, {}),
    ("openslo", "oslo/format-list-of-services.yaml", 1, {}),
    ("openslo", "oslo/format-two-documents.yaml", 1, {}),
    ("openslo", "oslo/format-valid-service.yaml", 1, {}),
    ("openslo", "oslo/invalid-apiversion.yaml", 2, {}),
    ("openslo", "oslo/mix-1.yaml", 1, {}),
    ("openslo", "oslo/unknown-field.yaml", 1, {}),
    ("openslo", "oslo/v1.yaml", 0, {"web-web-availability": (
        99.5, "1w", 'http_requests{k8s_cluster="prod",component="web"}')}),
    ("openslo", "oslo/v1alpha.yaml", 2, {}),
    ("openslo", "oslo/v2alpha.yaml", 1, {}),
    ("openslo", "sloth-openslo-getting-started.yml", 0,
     {"my-service-sloth-slo-my-service": (99.9, "30d", HTTP)}),
    ("openslo", "sloth-openslo-kubernetes-apiserver.yml", 0, {
        "k8s-apiserver-requests-availability-openslo": (99.9, "30d", "apiserver_request_total"),
        "k8s-apiserver-requests-latency-openslo-1": (99.0, "30d", APISERVER_LATENCY),
        "k8s-apiserver-requests-latency-openslo-2": (99.9, "30d", APISERVER_LATENCY)}),
    ("openslo", "sloth-testdata-in-openslo.yaml", 0, {"svc01-slo1": (99.9, "30d", HTTP)}),
    ("openslo", "sloth-validate-bad-openslo.yaml", 0, {"svc01-slo1": (99.9, "28d", HTTP)}),
    ("sloth", "contrib-denominator-corrected.yaml", 1, {"svc01-slo1": (99.9, "30d", HTTP)}),
    ("sloth", "contrib-slo-plugins.yml", 1, {
        "myservice-requests-availability-contrib-plugin-info-labels-v1": (99.9, "30d", HTTP),
        "myservice-requests-availability-contrib-plugin-rule-intervals-v1": (99.9, "30d",
                                                                             HTTP)}),
    ("sloth", "getting-started.yml", 0, {"myservice-requests-availability": (99.9, "30d", HTTP)}),
    ("sloth", "home-wifi.yml", 0, {
        "home-wifi-good-wifi-client-satisfaction": (95.0, "30d", WIFI),
        "home-wifi-risk-wifi-client-satisfaction": (99.9, "30d", WIFI)}),
    ("sloth", "k8s-getting-started.yml", 0,
     {"myservice-requests-availability": (99.9, "30d", HTTP)}),
    ("sloth", "k8s-home-wifi.yml", 0, {
        "home-wifi-good-wifi-client-satisfaction": (95.0, "30d", WIFI),
        "home-wifi-risk-wifi-client-satisfaction": (99.9, "30d", WIFI)}),
    ("sloth", "k8s-multifile.yml", 0, {"myservice-requests-availability": (99.9, "30d", HTTP),
                                       "myservice2-requests-availability": (99.99, "30d", HTTP)}),
    ("sloth", "kubernetes-apiserver.yml", 0, {
        "k8s-apiserver-requests-availability": (99.9, "30d", "apiserver_request_total"),
        "k8s-apiserver-requests-latency": (99.0, "30d", APISERVER_LATENCY)}),
    ("sloth", "multifile.yml", 0, {"myservice-requests-availability": (99.9, "30d", HTTP),
                                   "myservice2-requests-availability": (99.99, "30d", HTTP)}),
    ("sloth", "no-alerts.yml", 0, {"myapp-http-availability": (
        99.99, "30d", 'http_request_duration_seconds_count{job="myapp"}')}),
    ("sloth", "plugin-getting-started.yml", 1, {}),
    ("sloth", "plugin-k8s-getting-started.yml", 1, {}),
    ("sloth", "raw-home-wifi.yml", 0,
     {"home-wifi-wifi-client-satisfaction": (95.0, "30d", WIFI)}),
    ("sloth", "slo-plugin-getting-started.yml", 1,
     {"myservice-requests-availability": (99.9, "30d", HTTP)}),
    ("sloth", "slo-plugin-k8s-getting-started.yml", 1,
     {"myservice-requests-availability": (99.9, "30d", HTTP)}),
    ("sloth", "testdata-in-base.yaml", 0, {"svc01-slo1": (99.9, "30d", HTTP),
                                           "svc01-slo02": (95.0, "30d", HTTP)}),
    ("sloth", "testdata-in-invalid-version.yaml", 2, {}),
    ("sloth", "validate-bad-aa.yaml", 2, {}),
    ("sloth", "validate-bad-ab.yaml", 2, {}),
    ("sloth", "validate-bad-ba.yaml", 2, {}),
    ("sloth", "validate-bad-k8s.yaml", 2, {}),
    ("sloth", "validate-bad-multi-k8s.yaml", 2, {}),
    ("sloth", "validate-bad-multi.yaml", 2, {}),
    ("sloth", "victoria-metrics.yml", 1, {}),
    ("sloth", "windows-7d.yaml", 1, {}),
    ("pyrra", "caddy-response-latency.yaml", 0, {
        "caddy-response-latency-caddy-response-latency": (
            90.0, "4w", 'caddy_http_response_duration_seconds_count{job="caddy"')}),
    ("pyrra", "k8s-slo-apiserver-read-cluster-latency.yaml", 0, {
        "monitoring-apiserver-read-cluster-latency": (
            99.0, "2w", "apiserver_request_sli_duration_seconds_count")}),
    ("pyrra", "k8s-slo-apiserver-read-namespace-latency.yaml", 0, {
        "monitoring-apiserver-read-namespace-latency": (
            99.0, "2w", "apiserver_request_sli_duration_seconds_count")}),
    ("pyrra", "k8s-slo-apiserver-read-resource-latency.yaml", 0, {
        "monitoring-apiserver-read-resource-latency": (
            99.0, "2w", 'apiserver_request_sli_duration_seconds_count{verb=~"LIST|GET"}')}),
    ("pyrra", "k8s-slo-apiserver-read-response-errors.yaml", 0, {
        "monitoring-apiserver-read-response-errors": (
            99.0, "2w", 'apiserver_request_total{component="apiserver",verb=~"LIST|GET"}')}),
    ("pyrra", "k8s-slo-apiserver-write-response-errors.yaml", 0, {
        "monitoring-apiserver-write-response-errors": (
            99.0, "2w", 'apiserver_request_total{component="apiserver",verb=~"POST|PUT|PATCH')}),
    ("pyrra", "k8s-slo-coredns-response-errors.yaml", 0, {
        "monitoring-coredns-response-errors": (
            99.99, "2w", 'coredns_dns_responses_total{job="kube-dns"}')}),
    ("pyrra", "k8s-slo-kubelet-request-errors.yaml", 0, {
        "monitoring-kubelet-request-errors": (99.0, "2w", 'rest_client_requests_total')}),
    ("pyrra", "k8s-slo-kubelet-runtime-errors.yaml", 0, {
        "monitoring-kubelet-runtime-errors": (99.0, "2w", 'kubelet_runtime_operations_total')}),
    ("pyrra", "k8s-slo-prometheus-notification-errors.yaml", 0, {
        "monitoring-prometheus-notification-errors": (
            99.0, "2w", "prometheus_notifications_sent_total")}),
    ("pyrra", "k8s-slo-prometheus-operator-http-errors.yaml", 0, {
        "monitoring-prometheus-operator-http-errors": (
            99.5, "2w", "prometheus_operator_kubernetes_client_http_requests_total")}),
    ("pyrra", "k8s-slo-prometheus-operator-reconcile-errors.yaml", 0, {
        "monitoring-prometheus-operator-reconcile-errors": (
            95.0, "2w", "prometheus_operator_reconcile_operations_total")}),
    ("pyrra", "k8s-slo-prometheus-query-errors.yaml", 0, {
        "monitoring-prometheus-query-errors": (99.0, "2w", "prometheus_http_requests_total")}),
    ("pyrra", "k8s-slo-prometheus-rule-evaluation-failures.yaml", 0, {
        "monitoring-prometheus-rule-evaluation-failures": (
            99.99, "2w", "prometheus_rule_evaluations_total")}),
    ("pyrra", "k8s-slo-prometheus-sd-kubernetes-errors.yaml", 0, {
        "monitoring-prometheus-sd-kubernetes-errors": (
            99.0, "2w", "prometheus_sd_kubernetes_http_request_total")}),
    ("pyrra", "mimir-example-slo.yaml", 0, {"default-apiserver-read-cluster-latency": (
        99.0, "2w", "apiserver_request_sli_duration_seconds_count")}),
    ("pyrra", "nginx.yaml", 0, {
        "monitoring-nginx-api-errors": (99.9, "4w", "nginx_ingress_controller_requests{"),
        "monitoring-nginx-api-latency": (
            90.0, "4w", "nginx_ingress_controller_request_duration_seconds_count")}),
    ("pyrra", "parca-grpc-queryrange-errors.yaml", 0, {"parca-parca-grpc-queryrange-errors": (
        99.0, "2w", 'grpc_server_handled_total{grpc_service="parca.query.v1alpha1.QuerySer')}),
    ("pyrra", "prometheus-http.yaml", 0, {"prometheus-api-query-prometheus-api-query": (
        99.0, "7d", 'prometheus_http_requests_total{handler=~"/api.*"}')}),
    ("pyrra", "prometheus-operator.yaml", 0, {"monitoring-prometheus-operator-http": (
        95.0, "7d", "prometheus_operator_kubernetes_client_http_requests_total")}),
    ("pyrra", "prometheus-probe-success.yaml", 0, {
        "prometheus-blackbox-probe-success-prometheus-blackbox-probe-success": (
            99.0, "7d", "count_over_time(probe_success")}),
    ("pyrra", "pyrra-connect-errors.yaml", 0, {"monitoring-pyrra-connect-errors": (
        99.0, "2w", 'connect_server_requests_total{job="pyrra"}')}),
    ("pyrra", "pyrra-connect-latency.yaml", 0, {"monitoring-pyrra-connect-latency": (
        99.0, "2w", 'histogram_count(rate(connect_server_requests_duration_seconds{')}),
    ("pyrra", "pyrra-filesystem-errors.yaml", 0, {"monitoring-pyrra-filesystem-errors": (
        99.0, "1w", "pyrra_filesystem_reconciles_total")}),
    ("pyrra", "pyrra-kubernetes-errors.yaml", 0, {"monitoring-pyrra-kubernetes-errors": (
        99.0, "1w", 'controller_runtime_reconcile_total{controller="servicelevelobjective"}')}),
    ("pyrra", "thanos-grpc.yaml", 0, {"monitoring-thanos-store": (
        99.5, "7d", 'grpc_server_handled_total{grpc_service="thanos.Store"')}),
    ("pyrra", "thanos-http.yaml", 0, {"monitoring-thanos-query": (
        99.0, "4w", 'http_requests_total{job="thanos-query"')}),
]

WINDOW_DAYS = {"30d": 30, "28d": 28, "4w": 28, "2w": 14, "7d": 7, "1w": 7}


def test_every_copied_example_is_listed() -> None:
    listed = {(fmt, name) for fmt, name, _, _ in CASES}
    on_disk = {(fmt, str(p.relative_to(CORPUS / fmt))) for fmt in ("openslo", "sloth", "pyrra")
               for p in (CORPUS / fmt).rglob("*.y*ml")}
    assert listed == on_disk


@pytest.mark.promtool
@pytest.mark.parametrize(("fmt", "name", "code", "expected"),
                         [pytest.param(*case, id=f"{case[0]}/{case[1]}") for case in CASES])
def test_example_imports_as_documented(tmp_path: Path, promtool: str, fmt: str, name: str,
                                       code: int, expected: dict[str, tuple[float, str, str]]
                                       ) -> None:
    converted, report = import_paths(fmt, [CORPUS / fmt / name])
    assert report.exit_code() == code, [str(f) for f in report.findings]
    # Every SLO the file holds is either converted or named in a located finding.
    assert report.slos_converted == len(expected) if code < 2 else True
    if code == 2 or not expected:
        return
    specs = tmp_path / "slos"
    specs.mkdir()
    (specs / "_global.yaml").write_text("version: slogen/v1\n")
    for item in converted:
        (specs / f"{item.service}.yaml").write_text(spec_text(item, name))
    model = pipeline.compile_specs(specs, promtool)
    slos = {slo.id: slo for service in model.services for slo in service.slos}
    assert set(slos) == set(expected)
    rules = pipeline.render(model, frozenset({"prometheus"}))
    for slo_id, (objective, window, series) in expected.items():
        slo = slos[slo_id]
        assert slo.objective == objective
        assert slo.window.days == WINDOW_DAYS[window]
        assert series in slo.sli.total("5m")
        text = rules[Path("prometheus") / f"{slo.service}.rules.yaml"]
        assert series.split("{")[0].split("(")[-1] in text
