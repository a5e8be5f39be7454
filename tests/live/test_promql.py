"""The selector tokenizer: metric names and matchers, never functions, labels or strings."""

from __future__ import annotations

import pytest

from generator.live.promql import Matcher, MatchOp, PromQLSyntaxError, Selector, selectors


@pytest.mark.parametrize(
    "expr, expected",
    [
        pytest.param(
            'sum(rate(http_requests_total{code=~"5.."}[5m]))',
            ['http_requests_total{code=~"5.."}'],
            id="function calls are not metrics",
        ),
        pytest.param(
            "sum by (le, job) (rate(x_bucket[5m]))",
            ["x_bucket"],
            id="grouping labels before the body are not metrics",
        ),
        pytest.param(
            "sum(rate(x_bucket[5m])) without (instance)",
            ["x_bucket"],
            id="grouping labels after the body are not metrics",
        ),
        pytest.param(
            "a / ignoring(mode) group_left(cpu) b",
            ["a", "b"],
            id="vector matching label lists are not metrics",
        ),
        pytest.param(
            "a > bool 2 and on(job) b unless c or d offset 1h",
            ["a", "b", "c", "d"],
            id="keywords are not metrics",
        ),
        pytest.param(
            'label_replace(up, "dst", "$1", "src", "(.*)")',
            ["up"],
            id="words inside strings are not metrics",
        ),
        pytest.param(
            "x # y_total is only in a comment\n + z", ["x", "z"], id="comments are skipped"
        ),
        pytest.param(
            "rate(slo:sli_error:ratio_rate5m[30m:1m]) * Inf + NaN",
            ["slo:sli_error:ratio_rate5m"],
            id="colons, subqueries and number words",
        ),
        pytest.param(
            '{__name__="up", job!="a,b}"}',
            ['{__name__="up", job!="a,b}"}'],
            id="selector without a metric name, braces inside the value",
        ),
        pytest.param(
            "x{on=\"1\", by='2'} @ start()",
            ['x{on="1", by="2"}'],
            id="keywords as label names and single quotes",
        ),
        pytest.param('x + x + x{a="1"}', ["x", 'x{a="1"}'], id="duplicates are listed once"),
        pytest.param("1 + 2e3 - 0x1f", [], id="only numbers"),
    ],
)
def test_selectors(expr: str, expected: list[str]) -> None:
    assert [str(s) for s in selectors(expr)] == expected


def test_escapes_in_values_are_decoded() -> None:
    (sel,) = selectors(r'x{path="a\"b\\c"}')
    assert sel == Selector("x", (Matcher("path", MatchOp.EQ, 'a"b\\c'),))
    assert str(sel) == r'x{path="a\"b\\c"}'


def test_name_matcher_counts_as_the_metric_name() -> None:
    (sel,) = selectors('{__name__="up", job="a"}')
    assert sel.name() == "up"
    assert sel.label_matchers() == (Matcher("job", MatchOp.EQ, "a"),)


@pytest.mark.parametrize(
    "expr, message",
    [
        pytest.param('x{a="1"', "missing }", id="unclosed braces"),
        pytest.param('x{a="1}', "unterminated string", id="unclosed string"),
        pytest.param("x[5m", "missing ]", id="unclosed range"),
        pytest.param("x{a}", "bad label matcher", id="matcher without operator"),
    ],
)
def test_unreadable_expressions(expr: str, message: str) -> None:
    with pytest.raises(PromQLSyntaxError, match=message):
        selectors(expr)
