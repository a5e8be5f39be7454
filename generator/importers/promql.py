"""Turn a PromQL query from another SLO format into a slogen window template.

How a query is told apart (documented in docs/importing.md):

1. It already has a window placeholder (Sloth's `{{.window}}`): kept, placeholder respelled.
2. It has range selectors (`rate(x[5m])`, `increase(x[1h])`, `x[5m:1m]`): it is already rated,
   so each range becomes `{{window}}` and nothing else changes.
3. Otherwise, a counter (OpenSLO `counter: true`, the default, or v1alpha `incremental`):
   every series selector `x{...}` becomes `rate(x{...}[{{window}}])`, inside whatever
   aggregation surrounds it, so `sum(http_requests{job="a"})` reads
   `sum(rate(http_requests{job="a"}[{{window}}]))`; a bare selector is summed the same way.
4. Otherwise (a gauge or an already-rated recorded series, `counter: false`): every selector
   becomes `avg_over_time(x{...}[{{window}}])`.

The scanner knows strings, label matchers, keywords, function calls and `by (...)` lists, which
is all it needs to find selectors; promtool checks the result when specs are generated.
"""

from __future__ import annotations

import re

WINDOW = "{{window}}"
_TEMPLATE = re.compile(r"\{\{\s*\.?[wW]indow\s*\}\}")
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"(0x[0-9a-fA-F]+|\d+(\.\d*)?([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?)"
                     r"([smhdwy]|ms)*")
_KEYWORDS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right", "bool",
                       "and", "or", "unless", "offset", "inf", "nan", "atan2", "start", "end"})
_AGGREGATORS = frozenset({"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
                          "count_values", "bottomk", "topk", "quantile", "limitk",
                          "limit_ratio"})
_MODIFIER = re.compile(r"\s*(offset\s+-?[0-9a-z]+|@\s*[0-9.a-z()]+)", re.IGNORECASE)
_LABEL_LISTS = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})


class QueryError(ValueError):
    """A query that cannot become a window template."""


def window_template(query: str, counter: bool | None) -> str:
    """The slogen template for `query`; `counter` None means unknown (taken as a counter)."""
    query = query.strip()
    if not query:
        raise QueryError("the query is empty")
    if _TEMPLATE.search(query):
        return _TEMPLATE.sub(WINDOW, query)
    selectors, ranges = _scan(query)
    if ranges:
        return _replace_ranges(query, ranges)
    if not selectors:
        raise QueryError(f"{query!r} reads no series")
    wrap = "rate" if counter is not False else "avg_over_time"
    out, last = [], 0
    for start, end in selectors:
        modifier = _MODIFIER.match(query, end)
        stop = modifier.end() if modifier else end
        out.append(query[last:start])
        out.append(f"{wrap}({query[start:end]}[{WINDOW}]{query[end:stop]})")
        last = stop
    out.append(query[last:])
    if len(selectors) == 1 and selectors[0] == (0, len(query)):
        # A bare selector gives one series per label set; good and total would then only
        # divide where their labels match, so the SLI sums them as aggregations do.
        return f"sum({''.join(out)})"
    return "".join(out)


def is_rated(query: str) -> bool:
    """Whether `query` already has range selectors or a window placeholder."""
    return bool(_TEMPLATE.search(query)) or bool(_scan(query)[1])


def _replace_ranges(query: str, ranges: list[tuple[int, int]]) -> str:
    out, last = [], 0
    for start, end in ranges:
        inner = query[start + 1:end - 1]
        step = inner.split(":", 1)[1] if ":" in inner else None
        out.append(query[last:start])
        out.append(f"[{WINDOW}:{step}]" if step is not None else f"[{WINDOW}]")
        last = end
    out.append(query[last:])
    return "".join(out)


def _scan(query: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of series selectors and of range brackets in `query`."""
    selectors: list[tuple[int, int]] = []
    ranges: list[tuple[int, int]] = []
    i, n, previous = 0, len(query), ""
    while i < n:
        char = query[i]
        if char.isspace():
            i += 1
            continue
        if char in "\"'`":
            i = _skip_string(query, i)
            previous = "value"
        elif char == "#":
            while i < n and query[i] != "\n":
                i += 1
        elif char == "[":
            end = _matching(query, i, "[", "]")
            ranges.append((i, end))
            i = end
            previous = "value"
        elif char == "{":
            end = _matching(query, i, "{", "}")
            selectors.append((i, end))
            i = end
            previous = "value"
        elif char == "(" and previous in _LABEL_LISTS:
            i = _matching(query, i, "(", ")")
            previous = "labels"
        elif char.isdigit() or (char == "." and i + 1 < n and query[i + 1].isdigit()):
            match = _NUMBER.match(query, i)
            i = match.end() if match and match.end() > i else i + 1
            previous = "value"
        elif _IDENT.match(query, i):
            i, previous = _identifier(query, i, selectors, previous)
        else:
            i += 1
            previous = char
    return selectors, ranges


def _identifier(query: str, i: int, selectors: list[tuple[int, int]],
                previous: str) -> tuple[int, str]:
    match = _IDENT.match(query, i)
    assert match is not None
    word, end = match.group(), match.end()
    after = _next_char(query, end)
    if word.lower() in _KEYWORDS or previous == "offset" or previous == "@":
        return end, word.lower()
    if after == "(" or word in _AGGREGATORS:
        return end, "function"
    stop = end
    rest = len(query[end:]) - len(query[end:].lstrip())
    if query[end + rest:end + rest + 1] == "{":
        stop = _matching(query, end + rest, "{", "}")
    selectors.append((i, stop))
    return stop, "value"


def _next_char(query: str, i: int) -> str:
    rest = query[i:].lstrip()
    return rest[:1]


def _skip_string(query: str, i: int) -> int:
    quote, i = query[i], i + 1
    while i < len(query):
        if query[i] == "\\" and quote != "`":
            i += 2
            continue
        if query[i] == quote:
            return i + 1
        i += 1
    raise QueryError(f"unterminated string in {query!r}")


def _matching(query: str, i: int, open_: str, close: str) -> int:
    """Index just past the bracket closing the one at `i` (strings inside skipped)."""
    depth = 0
    while i < len(query):
        char = query[i]
        if char in "\"'`":
            i = _skip_string(query, i)
            continue
        if char == open_:
            depth += 1
        elif char == close:
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise QueryError(f"unbalanced {open_!r} in {query!r}")
