"""All rule files of a multi-service spec set in one real Prometheus, fed with data.

The spec set (tests/testdata/multiservice) has three services that share alert names, alerts
that aggregate by `service`, a grouped SLI and latency SLOs on a histogram whose buckets are
spelled `le="1.0"`. Generated output must load together: every rule evaluates (health ok, no
evaluation failures), every series and every alert has exactly one writer, and every dashboard
panel query runs without error, SLO panels returning data.
"""

from __future__ import annotations

import json
import re
import shutil
import textwrap
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from ruamel.yaml import YAML

from generator import outdir, pipeline
from generator.core.model import Model
from tests.conftest import ROOT
from tests.e2e.shop_exporter import shop_exporter
from tests.processes import prometheus

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SPECS = ROOT / "tests" / "testdata" / "multiservice"
SERVICES = ("checkout", "payments", "search")
SETTLE_SECONDS = 60.0
# Grafana's variables, replaced by what Grafana would send for a one-hour dashboard.
VARIABLES = {"$__rate_interval": "1m", "${__rate_interval}": "1m", "$__interval": "15s",
             "${__interval}": "15s", "$__range": "1h", "${__range}": "1h"}


@dataclass(frozen=True)
class Loaded:
    """A Prometheus evaluating the generated rules, and what was generated."""

    url: str
    out: Path
    model: Model

    def get(self, path: str, **params: Any) -> Any:
        reply = requests.get(f"{self.url}{path}", params=params, timeout=30)
        return reply.json()

    def query(self, expr: str) -> list[dict[str, Any]]:
        body = self.get("/api/v1/query", query=expr)
        assert body["status"] == "success", f"{expr}: {body.get('error')}"
        return list(body["data"]["result"])


def _rule_files(out: Path) -> list[Path]:
    return sorted((out / "prometheus").glob("*.rules.yaml"))


def _rules(out: Path) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, group, rule) for every rule in every generated rule file."""
    yaml = YAML(typ="safe")
    for path in _rule_files(out):
        for group in yaml.load(path.read_text())["groups"]:
            for rule in group["rules"]:
                yield path.name, group["name"], rule


def _settled(loaded: Loaded, started: float) -> bool:
    groups = loaded.get("/api/v1/rules")["data"]["groups"]
    evaluated = all(r["health"] != "unknown" for g in groups for r in g["rules"])
    # Two evaluations of the slowest group after the SLIs have two scrapes each.
    return evaluated and time.monotonic() - started > 20


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Loaded]:
    tmp = tmp_path_factory.mktemp("multiservice")
    specs = tmp / "slos"
    shutil.copytree(SPECS, specs)
    # Evaluate every second so a test sees many evaluations; the slow group runs every 8s.
    glob = specs / "_global.yaml"
    glob.write_text(glob.read_text().replace("evaluation_interval: 30s",
                                             "evaluation_interval: 1s"))
    model = pipeline.compile_specs(specs, shutil.which("promtool"), tmp)
    out = tmp / "out"
    outdir.swap_in(outdir.stage(out, pipeline.render(model)), out)
    with shop_exporter() as port:
        jobs = "\n".join(textwrap.dedent(f"""\
              - job_name: {name}
                params: {{service: [{name}]}}
                static_configs: [{{targets: ["127.0.0.1:{port}"]}}]""") for name in SERVICES)
        config = tmp / "prometheus.yml"
        config.write_text(textwrap.dedent(f"""\
            global: {{scrape_interval: 1s, evaluation_interval: 1s}}
            rule_files: ["{out}/prometheus/*.rules.yaml"]
            scrape_configs:
            """) + textwrap.indent(jobs, "  ") + "\n")
        with prometheus(config, tmp) as prom:
            run = Loaded(prom.url, out, model)
            started = time.monotonic()
            while not _settled(run, started):
                assert time.monotonic() - started < SETTLE_SECONDS, prom.log.read_text()[-3000:]
                time.sleep(0.5)
            yield run


def test_every_rule_evaluates_without_failure(loaded: Loaded) -> None:
    groups = loaded.get("/api/v1/rules")["data"]["groups"]
    bad = [f"{g['file'].rsplit('/', 1)[-1]} {g['name']} {r['name']}: {r.get('lastError')}"
           for g in groups for r in g["rules"] if r["health"] != "ok"]
    count = sum(len(g["rules"]) for g in groups)
    assert not bad, f"{len(bad)} of {count} rules unhealthy:\n" + "\n".join(bad)
    assert count == len(list(_rules(loaded.out)))
    metrics = requests.get(f"{loaded.url}/metrics", timeout=10).text
    failures = sum(float(line.rsplit(" ", 1)[1]) for line in metrics.splitlines()
                   if line.startswith("prometheus_rule_evaluation_failures_total"))
    assert failures == 0, f"{failures:g} rule evaluation failures"


def test_every_series_has_one_writer(loaded: Loaded) -> None:
    writers: dict[frozenset[tuple[str, str]], list[str]] = {}
    for file, group, rule in _rules(loaded.out):
        if "record" not in rule:
            continue
        for sample in loaded.query(rule["expr"]):
            labels = {**sample["metric"], **rule.get("labels", {}), "__name__": rule["record"]}
            writers.setdefault(frozenset(labels.items()), []).append(
                f"{file} {group} {rule['record']}")
    assert writers, "no recording rule returned data"
    shared = {str(dict(k)): v for k, v in writers.items() if len(v) > 1}
    assert not shared, (f"{len(shared)} of {len(writers)} series have several writers:\n"
                        + json.dumps(shared, indent=1))


def test_every_alert_has_one_writer(loaded: Loaded) -> None:
    alerts = loaded.get("/api/v1/alerts")["data"]["alerts"]
    assert alerts, "nothing fires although every service fails 10% of requests"
    seen = Counter(json.dumps(a["labels"], sort_keys=True) for a in alerts)
    assert [k for k, n in seen.items() if n > 1] == []


def test_alerts_that_aggregate_by_service_keep_the_series_service_as_exported(
        loaded: Loaded) -> None:
    bursts = [a["labels"] for a in loaded.get("/api/v1/alerts")["data"]["alerts"]
              if a["labels"]["alertname"] == "ErrorBurst"]
    # Each spec's alert routes as its own service and names the series' service separately.
    found = {(b["service"], b["exported_service"]) for b in bursts}
    assert found == {(owner, seen) for owner in SERVICES for seen in SERVICES}


def test_latency_slos_read_client_library_buckets(loaded: Loaded) -> None:
    for service in SERVICES:
        ratio = loaded.query(f'slo:sli_error:rate5m{{slo_id="{service}-latency"}}'
                             f' / slo:sli_total:rate5m{{slo_id="{service}-latency"}}')
        # payments groups its latency SLO by the histogram's service label (sli.group_by).
        assert len(ratio) == 1, service
        assert float(ratio[0]["value"][1]) == pytest.approx(0.03, abs=0.005)
        if service == "payments":
            assert ratio[0]["metric"]["exported_service"] == "payments"


def _panel_queries(out: Path) -> Iterator[tuple[str, str, str]]:
    """(dashboard file, panel title, query) of every panel target of every dashboard; a query
    naming a custom variable (the SLO ids a repeated row iterates over) once per value, as
    Grafana sends it for each repeat."""
    def panels(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for p in items:
            yield p
            yield from panels(p.get("panels", []))

    for path in sorted(p for p in (out / "grafana").rglob("*.json") if "dashboards" in p.parts):
        board = json.loads(path.read_text())
        board = board.get("dashboard", board)
        lists = {v["name"]: v["query"].split(",") for v in board["templating"]["list"]
                 if v["type"] == "custom"}
        for panel in panels(board.get("panels", [])):
            for target in panel.get("targets", []):
                expr = target.get("expr")
                named = [n for n in lists if expr and re.search(rf"\$\{{?{n}\b", expr)]
                assert len(named) <= 1, expr
                for value in (lists[named[0]] if named else [None]) if expr else []:
                    yield path.name, panel.get("title", ""), (
                        expr if value is None
                        else re.sub(rf"\$\{{?{named[0]}\b\}}?", value, expr))


def _substitute(expr: str, service: str) -> str:
    for name, value in VARIABLES.items():
        expr = expr.replace(name, value)
    return expr.replace("${service}", service).replace("$service", service)


def test_every_dashboard_query_runs_and_slo_panels_return_data(loaded: Loaded) -> None:
    queries = list(_panel_queries(loaded.out))
    # search's latency and home-availability SLOs share one row, repeated over their ids.
    assert [q for _, _, q in queries if 'slo_id="search-home-availability"' in q]
    assert [q for _, _, q in queries if 'slo_id="search-latency"' in q]
    end = time.time()
    errors, empty = [], []
    for board, title, expr in queries:
        query = _substitute(expr, "checkout")
        body = loaded.get("/api/v1/query_range", query=query, start=end - 60, end=end, step=5)
        if body["status"] != "success":
            errors.append(f"{board} {title!r}: {body.get('error')}\n  {query}")
        elif "slo:" in query and not body["data"]["result"]:
            empty.append(f"{board} {title!r}: {query}")
    assert not errors, f"{len(errors)} of {len(queries)} queries fail:\n" + "\n".join(errors)
    assert not empty, f"{len(empty)} of {len(queries)} SLO queries empty:\n" + "\n".join(empty)


def test_grouped_slos_alert_once_per_group_value(loaded: Loaded) -> None:
    alerts = [a["labels"] for a in loaded.get("/api/v1/alerts")["data"]["alerts"]]
    routes = {a["route"] for a in alerts
              if a["alertname"] == "SearchRouteAvailabilityBudgetBurn"}
    assert routes == {"/home", "/search"}
    fleet = {(a["service"], a["exported_service"]) for a in alerts
             if a["alertname"] == "CheckoutFleetAvailabilityBudgetBurn"}
    assert fleet == {("checkout", s) for s in SERVICES}
