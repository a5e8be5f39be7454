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


def _parsed_shape(expr: str) -> object:
    from generator.core import promql_syntax

    return promql_syntax._shape(promql_syntax._parse(expr))


@pytest.mark.parametrize("expr", [
    'slo:burn_page:ratio{slo_id="a"}',
    'absent(slo:sli_total:rate5m{slo_id="a",service="b"})',
    'slo:x:y{slo_id=~"a|b.c",code!~"5..",job!="x",team=""}',
    'slo:x:y{a="1",a="2",b=~"x|y",b=~"5..",c=~"",d="",d="z"}',
    'a:b{job="with spaces, commas = and (parens)"}',
    ":x{a=\"b\",}",
])
def test_the_plainest_selectors_are_read_as_the_parser_reads_them(expr: str) -> None:
    from generator.core import promql_syntax

    found = promql_syntax.simple_selector_shape(expr)
    if expr.endswith(",}"):
        assert found is None
        return
    assert found is not None
    assert found == _parsed_shape(expr)
    promql_syntax._parse(expr)  # parses


@pytest.mark.parametrize("expr", [
    'up{job="a"}', 'sum{a="b"}', 'slo:x{__name__="y"}', 'slo:x{on="y"}', '(slo:x{a="b"})',
    'absent(slo:x{a="b"}', 'slo:x{a="b"})', 'slo:x{a=~"[a-z]"}', 'slo:x{a="b\\\\"}',
    'slo:x{a="b"} offset 5m', 'slo:x{}', 'slo:x{a=~"b\\\\.c"}',
])
def test_anything_else_is_parsed(expr: str) -> None:
    from generator.core import promql_syntax

    assert promql_syntax.simple_selector_shape(expr) is None


def test_every_generated_selector_read_off_the_text_is_what_the_parser_reads() -> None:
    from generator.core import promql_syntax

    model = pipeline.compile_specs(ROOT / "slos", None, rules=False)
    exprs = [str(r["expr"]) for s in model.services
             for g in rule_groups(s, layout(model.prometheus)) for r in g["rules"]]
    fast = [e for e in exprs if promql_syntax.simple_selector_shape(e) is not None]
    assert fast
    for expr in fast:
        assert promql_syntax.simple_selector_shape(expr) == _parsed_shape(expr), expr


def test_too_deep_or_too_long_expressions_are_refused_before_parsing() -> None:
    from generator.core.promql_syntax import MAX_NESTING, MAX_OPERATORS, too_complex

    deep = "(" * (MAX_NESTING + 1) + "x" + ")" * (MAX_NESTING + 1)
    assert f"nests {MAX_NESTING + 1} levels" in (too_complex(deep) or "")
    assert too_complex("(" * MAX_NESTING + "x" + ")" * MAX_NESTING) is None
    assert too_complex('x{a="' + "(" * 100 + '"}') is None  # brackets inside a string
    long = "+".join(["x"] * (MAX_OPERATORS + 2))
    assert f"has {MAX_OPERATORS + 1} operators" in (too_complex(long) or "")
    assert too_complex("+".join(["x"] * (MAX_OPERATORS + 1))) is None
