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


# Expressions whose matcher values differ in every way the template reading must notice:
# empty, equal across `or` sides, plain alternatives or real regexes, regexes that match the
# empty string or do not compile, escapes, other quotes and comments, label names in strings
# (label_replace, count_values, quoted names), the placeholder text itself.
_SKELETONS = [
    'x{a=$1}', 'x{a=$1, b=$2}', 'x{a!=$1}', 'x{a=~$1}', 'x{a!~$1}', '{a=$1}', '{a=~$1}',
    '{a!=$1}', '{a!~$1}', '{__name__=$1, a=$2}', 'x{__name__=$1}', '{__name__=~$1}',
    'x{a=$1} or y{a=$2}', 'x{a=$1} or y{a=~$2}', 'x{a=~$1} or y{a=~$2}',
    'x{a=$1, b=$2} or y{b=$1, a=$2}', '(x{a=$1} or y{a=$2}) or z{a=$1}',
    'x{a=$1} and y{a=$2}', 'x{a=$1} unless on (a) y{a=$2}',
    'x{a=$1} / on (a) group_left (b) y{b=$2}',
    'x{a=$1} / on (a) group_right (b) y{a=$2}', 'sum by (a) (x{a=$1, b=$2})',
    'sum without (a) (x{a=$1, b=~$2})', 'sum(x{a=$1})', 'count_values($1, x{a=$2})',
    'label_replace(x{a=$1}, $2, "$$1", "b", "(.*)")',
    'label_replace(x{a=$1}, "a", $2, "b", "(.*)")',
    'label_join(x{a=$1, b=$2}, "a", ",", "b")', 'label_join(x{a=$1}, $2, ",", "a")',
    'sort_by_label(x{a=$1}, $2)', 'avg_over_time(x{a=$1}[5m] offset 1m)',
    'quantile_over_time(0.5, x{a=~$1}[5m]) / on (a) y{a=$2}', 'histogram_quantile(0.9, x{a=$1})',
    '1 - (x{a=$1} + 2 * avg_over_time(y{a=$1}[1h]) or x{a=$2}) / 0.5', 'absent(x{a=$1, b=~$2})',
    'vector(1) or x{a=$1}', 'x{a=$1}[5m]', 'x{a=$1}[5m:1m]', '$1', 'x{a=$1} > $2', 'x != $1',
    'x{a = $1 , b =~ $2}', 'x{a=$1}\n# a comment "with quotes" $2\n or y{a=$2}',
    'x{a=$1 or b=$2}', 'x{"a.b"=$1, c=$2}', '{$1, a=$2}', 'x{a=$1} == $2', 'x{a==$1}',
    'x{a=$1, b!=$1, c=~$1, d!~$1} or y{c=$2, d=~$2}', 'x{a=$1} or e$1', 'x{a=~$1} or r$2',
]
_VALUES = [
    '""', '"v"', '"w"', '"a|b"', '"a|b|c"', '"b|a"', '"5.."', '".*"', '"a|"', '"|a"', '"a||b"',
    '"("', '"[a-z]+"', '"a\\\\.b|c"', '"a\\"b"', '"a\\\\b"', '"\\q"', '"\\n"', "'v'", "'a|b'",
    '`a|b`', '"#"', '"x # y"', '"it\'s"', '"slogen_ph_e0"', '"slogen_ph_r1|x"', '"ü"', '"a b"',
    '"a\nb"', '"\t"', '"{}"', '"a-b:c_d"', '"1"', '"-"', '"a"', '"b"',
]


def _exprs() -> list[str]:
    return [s.replace("$1", a).replace("$2", b).replace("$$1", "$1") for s in _SKELETONS
            for a in _VALUES for b in (_VALUES if "$2" in s else _VALUES[:1])]


def test_a_template_is_read_as_the_expression_is_parsed() -> None:
    from generator.core import promql_syntax

    promql_syntax.shape.cache_clear()
    promql_syntax.parse_error.cache_clear()
    exprs = _exprs()
    assert len(exprs) > 10_000
    read = 0
    for expr in exprs:
        full = promql_syntax._parsed(expr)
        found = promql_syntax.shape(expr)
        assert (found, list(found.fixed.items()), list(found.among.items())) == \
            (full, list(full.fixed.items()), list(full.among.items())), expr
        for rule in (False, True):
            assert promql_syntax.parse_error(expr, rule) == promql_syntax._error(expr, rule), expr
        read += promql_syntax.template(expr) not in (None, (expr, {}))
    assert read > len(exprs) // 3  # many are read from a template shared with others


def test_templates_leave_label_names_and_odd_strings_alone() -> None:
    from generator.core.promql_syntax import template

    text, values = template('x{a="v", b=~"a|b", c="v"} or y{a!~"5..", d=""} > 1') or ("", {})
    assert text == ('x{a="slogen_ph_e0", b=~"slogen_ph_r1", c="slogen_ph_e0"} or '
                    'y{a!~"5..", d=""} > 1')
    assert values == {"slogen_ph_e0": "v", "slogen_ph_r1": frozenset({"a", "b"})}
    assert template('label_replace(x{a="v"}, "dst", "$1", "b", "(.*)")') == (
        'label_replace(x{a="slogen_ph_e0"}, "dst", "$1", "b", "(.*)")', {"slogen_ph_e0": "v"})
    assert template('x{a="\\\\"}') is None  # an `=` value other `=` values may equal
    assert template("x{a='v'} or y{a=\"v\"}") is None
    assert template('x{a="slogen_ph_e0"}') is None


def test_every_generated_rule_read_from_a_template_is_what_the_parser_reads() -> None:
    from generator.core import promql_syntax

    model = pipeline.compile_specs(ROOT / "slos", None, rules=False)
    exprs = [str(r["expr"]) for s in model.services
             for g in rule_groups(s, layout(model.prometheus)) for r in g["rules"]]
    read = [e for e in exprs if promql_syntax.template(e) not in (None, (e, {}))]
    assert len(read) > len(exprs) // 2
    for expr in read:
        text, values = promql_syntax.template(expr) or ("", {})
        assert promql_syntax._substituted(promql_syntax._parsed(text), values) \
            == promql_syntax._parsed(expr), expr


@pytest.mark.parametrize("expr, operands", [
    ("a or b", ["a", "b"]),
    ('(x > 1 and y < 2)\n or (z) OR sum by (or) (w{l="a or b"})',
     ["(x > 1 and y < 2)", "(z)", 'sum by (or) (w{l="a or b"})']),
    ("error_total or horror:rate5m", ["error_total", "horror:rate5m"]),
    ("a or on (job) b", None),  # a modifier: parsed whole
    ("a or ignoring(job) b", None),
    ("(a or b)", None),  # no `or` at the top
    ("a or b # or c", None),  # a comment
    ('a{x="b} or c', None),  # a quote that opens no string
    ("a) or (b", None),
    ("a or", None),
    ("a", None),
])
def test_or_operands(expr: str, operands: list[str] | None) -> None:
    from generator.core.promql_syntax import or_operands

    assert or_operands(expr) == operands


@pytest.mark.parametrize("expr", [
    'x{slo_id=~"a|b"} > 1 and y{slo_id=~"a|b"} > 1 or x{slo_id="c"} or z{slo_id=~"d|e"}',
    'sum by (route) (x{job="a"}) or sum by (code) (y{job="a"}) or vector(1)',
    'a:b{slo_id="a",job="j"} or a:b{slo_id="b",job="j"}',
    "x < 1\nor absent(x)",
])
def test_an_or_chain_read_operand_by_operand_has_the_shape_of_the_whole(expr: str) -> None:
    from generator.core import promql_syntax

    assert promql_syntax._or_chain(expr) == (_parsed_shape(expr), None)


@pytest.mark.parametrize("expr, words", [
    ("a or b +", "invalid promql query"),
    ("a or 1", 'set operator "or" not allowed in binary scalar expression'),
    ("a or b[5m]", "only scalar and instant vector types"),
    ('a or "s"', "only scalar and instant vector types"),
])
def test_an_or_chain_is_an_error_when_an_operand_is(expr: str, words: str) -> None:
    from generator.core import promql_syntax

    assert words in ((promql_syntax._or_chain(expr) or (None, ""))[1] or "")
    with pytest.raises(ValueError):
        promql_syntax._parse(expr)  # the parser refuses the whole too


def test_a_long_or_chain_is_read_operand_by_operand() -> None:
    """Generated burn conditions `or` the conditions of every SLO shape of a group: far more
    operators than one expression may have, each operand a few dozen."""
    from generator.core.promql_syntax import MAX_OPERATORS, too_complex

    promql_syntax_caches_clear()

    operands = [f'(a:b{{slo_id="s{i}"}} > (14.4 * 0.001) and c:d{{slo_id="s{i}"}} > 0.001)'
                for i in range(MAX_OPERATORS)]
    expr = "\n or ".join(operands)
    assert too_complex(expr) is not None
    assert parse_error(expr, rule=True) is None
    assert shape(expr).values() == {"slo_id": frozenset(f"s{i}" for i in range(MAX_OPERATORS))}


def promql_syntax_caches_clear() -> None:
    from generator.core import promql_syntax

    promql_syntax.shape.cache_clear()
    promql_syntax.parse_error.cache_clear()


def test_a_long_or_chain_with_a_broken_operand_is_an_error() -> None:
    from generator.core.promql_syntax import MAX_OPERATORS

    operands = [f'a:b{{slo_id="s{i}"}} > 1' for i in range(MAX_OPERATORS)]
    assert parse_error("\n or ".join([*operands, "rate(x)"]), rule=True) == \
        parse_error("rate(x)")
    assert parse_error(" or ".join([*operands, "1"]), rule=True) == \
        'set operator "or" not allowed in binary scalar expression'
    assert "operators" in (parse_error(" or ".join(["x", "+".join(["y"] * 400)])) or "")
