"""PromQL parsed in-process: errors without promtool, and the labels a result carries."""

from __future__ import annotations

import pytest

from generator.core.promql_syntax import parse_error, shape


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
