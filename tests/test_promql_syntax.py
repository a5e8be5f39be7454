"""PromQL parsed in-process: errors without promtool, and the labels a result carries."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator import pipeline
from generator.core.errors import SpecErrors
from generator.core.promql_syntax import parse_error, shape
from generator.targets.prometheus.rule_files import layout, rule_groups
from tests.conftest import ROOT


@pytest.mark.parametrize("expr, words", [
    ('up{job="checkout"', "unexpected end of input inside braces"),
    ("sum(rate(x[5m])", "unclosed left parenthesis"),
    ("rate(x)", "expected type matrix"),
    ("rate(x[5m]) and bogus(x)", "unknown function"),
])
def test_broken_expressions_are_errors(expr: str, words: str) -> None:
    error = parse_error(expr)
    assert error is not None and words in error


def test_a_rule_expression_must_be_an_instant_vector() -> None:
    assert parse_error("x[5m]") is None
    assert "range vector" in (parse_error("x[5m]", rule=True) or "")


@pytest.mark.parametrize("expr, kept, fixed", [
    ("sum by (service) (increase(x[5m])) > 10", {"service"}, {}),
    ('up{job="a"} < 1', set(), {"job": "a"}),
    ('sum by (job) (x{job="a"})', set(), {"job": "a"}),
    ("sum(rate(a[5m])) / sum(rate(b[5m]))", set(), {}),
    ('label_replace(up, "svc", "$1", "job", "(.*)")', {"svc"}, {}),
    ("x / on (a) group_left (b) y", {"b"}, {}),
    ("sum by (route) (x) or sum by (code) (y)", {"route", "code"}, {}),
])
def test_shape(expr: str, kept: set[str], fixed: dict[str, str]) -> None:
    found = shape(expr)
    assert found.kept == kept
    assert dict(found.fixed) == fixed


def test_without_promtool_a_broken_spec_expression_is_a_located_error(
        write_spec: Callable[..., Path]) -> None:
    write_spec("version: slogen/v1\n", "_global.yaml")
    spec = write_spec('version: slogen/v1\nservice: a\nteam: t\nalerts:\n'
                      '  - name: Down\n    expr: up{job="checkout"\n    below: 1\n')
    with pytest.raises(SpecErrors) as caught:
        pipeline.compile_specs(spec.parent, None)
    [error] = caught.value.errors
    assert (error.line, error.column, error.path) == (6, 11, "alerts[0].expr")
    assert "invalid PromQL: unexpected end of input inside braces" in error.message


def test_every_generated_rule_of_the_reference_specs_parses() -> None:
    model = pipeline.compile_specs(ROOT / "slos", None, ROOT)
    lay = layout(model.prometheus)
    exprs = [r["expr"] for s in model.services for g in rule_groups(s, lay) for r in g["rules"]]
    assert exprs
    assert [e for e in exprs if parse_error(e, rule=True)] == []
