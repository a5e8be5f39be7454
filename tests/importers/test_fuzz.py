"""No input makes an importer crash: random documents built from each format's own keys, and
random text, always end in findings and exit 0, 1 or 2."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ruamel.yaml import YAML

from generator.commands.import_specs import FORMAT_NAMES, import_paths

KEYS = ["apiVersion", "kind", "metadata", "name", "namespace", "labels", "spec", "service",
        "indicator", "indicatorRef", "ratioMetric", "ratioMetrics", "thresholdMetric", "good",
        "bad", "total", "raw", "counter", "incremental", "metricSource", "metricSourceRef",
        "type", "query", "source", "objectives", "target", "targetPercent", "timeWindow",
        "timeWindows", "duration", "isRolling", "count", "unit", "calendar",
        "budgetingMethod", "alertPolicies", "alertPolicyRef", "conditions", "conditionRef",
        "condition", "threshold", "lookbackWindow", "alertAfter", "severity", "version",
        "slos", "objective", "sli", "events", "error_query", "total_query", "errorQuery",
        "alerting", "page_alert", "pageAlert", "disable", "plugins", "chain", "id",
        "slo_plugins", "window", "latency", "success", "errors", "metric", "grouping",
        "bool_gauge", "latencyNative"]
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 200), st.floats(allow_nan=True),
    st.sampled_from(["openslo/v1", "openslo/v1alpha", "prometheus/v1", "sloth.slok.dev/v1",
                     "pyrra.dev/v1alpha1", "SLO", "SLI", "Service", "AlertPolicy",
                     "AlertCondition", "DataSource", "PrometheusServiceLevel",
                     "ServiceLevelObjective", "Prometheus", "Occurrences", "Timeslices",
                     "burnrate", "page", "28d", "1M", "1h", "0s", "Day", "Month", "99.9", "0.99",
                     'sum(rate(x{a="b"}[5m]))', "x{a=", "rate(", "{{.window}}", "a b", ""]),
    st.text(max_size=12))


def _documents() -> st.SearchStrategy[Any]:
    return st.recursive(SCALARS, lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)), max_leaves=40)


def _yaml(value: Any) -> str:
    buf = io.StringIO()
    YAML().dump(value, buf)
    return buf.getvalue()


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(docs=st.lists(_documents(), min_size=1, max_size=3),
       fmt=st.sampled_from(FORMAT_NAMES))
def test_random_documents_end_in_findings(tmp_path: Path, docs: list[Any], fmt: str) -> None:
    path = tmp_path / "in.yaml"
    path.write_text("---\n".join(_yaml(d) for d in docs))
    converted, report = import_paths(fmt, [path])
    assert report.exit_code() in (0, 1, 2)
    if report.exit_code() == 0:
        assert converted and report.slos_converted == report.slos_found


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200), fmt=st.sampled_from(FORMAT_NAMES))
def test_random_text_ends_in_findings(tmp_path: Path, text: str, fmt: str) -> None:
    path = tmp_path / "in.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    _, report = import_paths(fmt, [path])
    assert report.exit_code() in (1, 2)


CORPUS = Path(__file__).resolve().parents[1] / "testdata" / "importers"
SEEDS = [(fmt, path) for fmt in ("openslo", "sloth", "pyrra")
         for path in sorted((CORPUS / fmt).rglob("*.y*ml"))]
SEEDS += [("openslo", p) for p in sorted((CORPUS / "cases").rglob("*.yaml"))]


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            out += _paths(child, (*prefix, i))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return None if new is _DELETE else new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if new is _DELETE and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _replace(value[head], rest, new)
        return copy
    copy_list = list(value)
    copy_list[head] = _replace(value[head], rest, None if new is _DELETE else new)
    return copy_list


_DELETE = object()


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_mutated_examples_end_in_findings(tmp_path: Path, seed: tuple[str, Path],
                                          data: st.DataObject) -> None:
    fmt, source = seed
    docs = [d for d in YAML(typ="safe").load_all(source.read_text()) if d is not None]
    for _ in range(data.draw(st.integers(1, 3))):
        which = data.draw(st.integers(0, len(docs) - 1))
        path = data.draw(st.sampled_from(_paths(docs[which])))
        new = data.draw(st.one_of(st.just(_DELETE), _documents()))
        docs[which] = _replace(docs[which], path, new)
    path_in = tmp_path / "in.yaml"
    path_in.write_text("---\n".join(_yaml(d) for d in docs))
    converted, report = import_paths(fmt, [path_in])
    assert report.exit_code() in (0, 1, 2)
