"""Queries from other formats become window templates by the documented rule."""

from __future__ import annotations

import pytest

from generator.importers.promql import QueryError, window_template


@pytest.mark.parametrize(("query", "counter", "expected"), [
    pytest.param('sum(rate(x{a="b"}[{{.window}}]))', True, 'sum(rate(x{a="b"}[{{window}}]))',
                 id="a Sloth window placeholder is respelled"),
    pytest.param("sum(rate(x[5m])) / 2", True, "sum(rate(x[{{window}}])) / 2",
                 id="an already rated query gets the window as its range"),
    pytest.param("sum(increase(x[1h:1m]))", None, "sum(increase(x[{{window}}:1m]))",
                 id="a subquery keeps its step"),
    pytest.param('sum(http_requests{code=~"2xx|4xx"})', True,
                 'sum(rate(http_requests{code=~"2xx|4xx"}[{{window}}]))',
                 id="a counter inside an aggregation is rated in place"),
    pytest.param('requests{code="total"}', None, 'sum(rate(requests{code="total"}[{{window}}]))',
                 id="a bare counter selector is rated and summed"),
    pytest.param("sum by (job) (x) / on(job) group_left sum(y)", True,
                 "sum by (job) (rate(x[{{window}}])) / on(job) group_left sum(rate(y[{{window}}]))",
                 id="label lists and keywords are not selectors"),
    pytest.param("avg(up offset 5m)", True, "avg(rate(up[{{window}}] offset 5m))",
                 id="an offset stays with its selector"),
    pytest.param("job:ok:rate5m", False, "sum(avg_over_time(job:ok:rate5m[{{window}}]))",
                 id="a gauge or recorded rate is averaged over the window"),
    pytest.param('sum(x{a="}[5m]"})', True, 'sum(rate(x{a="}[5m]"}[{{window}}]))',
                 id="brackets inside label values are text"),
])
def test_window_template(query: str, counter: bool | None, expected: str) -> None:
    assert window_template(query, counter) == expected


@pytest.mark.parametrize("query", ["vector(1)", "", 'x{a="unclosed}'])
def test_queries_without_series_are_refused(query: str) -> None:
    with pytest.raises(QueryError):
        window_template(query, True)
