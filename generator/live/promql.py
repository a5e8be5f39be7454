"""Find the vector selectors (metric name and label matchers) written in a PromQL expression.

A small tokenizer, not a full parser: it knows enough of the grammar (strings, comments,
durations, function calls, grouping clauses, keywords) to tell a metric name from a function,
a label list or a word inside a string.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Words that are never metric names where they stand: binary and set operators, modifiers.
_KEYWORDS = frozenset({"and", "or", "unless", "bool", "offset", "atan2"})
# Words followed by a parenthesised list of label names, not of expressions.
_GROUPING = frozenset({"by", "without", "on", "ignoring", "group_left", "group_right"})
_NUMBER_WORDS = frozenset({"inf", "nan"})
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"0[xX][0-9a-fA-F]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[a-zA-Z]*")
_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_LABEL_OP = re.compile(r"=~|!~|!=|=")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "`": "`"}


class PromQLSyntaxError(ValueError):
    """The expression could not be tokenized (unterminated string or selector)."""


class MatchOp(StrEnum):
    """Label matcher operators."""

    EQ = "="
    NE = "!="
    RE = "=~"
    NRE = "!~"


@dataclass(frozen=True, order=True)
class Matcher:
    """One label matcher, like `code=~"5.."`."""

    name: str
    op: MatchOp
    value: str

    def __str__(self) -> str:
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'{self.name}{self.op.value}"{escaped}"'

    @property
    def positive(self) -> bool:
        """True for = and =~, which need some series to carry a matching value."""
        return self.op in (MatchOp.EQ, MatchOp.RE)


@dataclass(frozen=True, order=True)
class Selector:
    """A vector selector: an optional metric name and its label matchers."""

    metric: str | None
    matchers: tuple[Matcher, ...] = ()

    def __str__(self) -> str:
        inner = ", ".join(str(m) for m in self.matchers)
        if self.metric is None:
            return "{" + inner + "}"
        return self.metric + ("{" + inner + "}" if inner else "")

    def name(self) -> str | None:
        """The metric name, also when written as a `__name__="..."` matcher."""
        if self.metric is not None:
            return self.metric
        eq = [m.value for m in self.matchers if m.name == "__name__" and m.op is MatchOp.EQ]
        return eq[0] if eq else None

    def label_matchers(self) -> tuple[Matcher, ...]:
        """Matchers other than the metric name's."""
        return tuple(m for m in self.matchers if not (m.name == "__name__" and m.op is MatchOp.EQ))


def selectors(expr: str) -> list[Selector]:
    """Every vector selector in `expr`, in order of appearance, duplicates removed."""
    found: list[Selector] = []
    tokens = _tokens(expr)
    i = 0
    while i < len(tokens):
        kind, text = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else ("", "")
        if kind == "ident":
            lower = text.lower()
            if lower in _GROUPING and nxt[0] == "(":
                i = _skip_parens(tokens, i + 1)
                continue
            aggregation = nxt[0] == "ident" and nxt[1].lower() in ("by", "without")
            if lower in _KEYWORDS or lower in _NUMBER_WORDS or nxt[0] == "(" or aggregation:
                i += 1
                continue
            matchers: tuple[Matcher, ...] = ()
            if nxt[0] == "{":
                matchers, i = _matchers(tokens, i + 1)
            else:
                i += 1
            _add(found, Selector(text, matchers))
            continue
        if kind == "{":
            matchers, i = _matchers(tokens, i)
            _add(found, Selector(None, matchers))
            continue
        i += 1
    return found


def _add(found: list[Selector], selector: Selector) -> None:
    if selector not in found:
        found.append(selector)


def _skip_parens(tokens: list[tuple[str, str]], start: int) -> int:
    """Index just past the `)` closing the `(` at `start`."""
    depth = 0
    for i in range(start, len(tokens)):
        if tokens[i][0] == "(":
            depth += 1
        elif tokens[i][0] == ")":
            depth -= 1
            if depth == 0:
                return i + 1
    raise PromQLSyntaxError("unbalanced parentheses")


def _matchers(tokens: list[tuple[str, str]], start: int) -> tuple[tuple[Matcher, ...], int]:
    """Parse `{name op "value", ...}` starting at the `{`; return matchers and the next index."""
    out: list[Matcher] = []
    i = start + 1
    while i < len(tokens) and tokens[i][0] != "}":
        if tokens[i][0] == ",":
            i += 1
            continue
        if (
            i + 2 >= len(tokens)
            or tokens[i][0] not in ("ident", "string")
            or tokens[i + 1][0] != "labelop"
            or tokens[i + 2][0] != "string"
        ):
            raise PromQLSyntaxError(f"bad label matcher near {tokens[i][1]!r}")
        out.append(Matcher(tokens[i][1], MatchOp(tokens[i + 1][1]), tokens[i + 2][1]))
        i += 3
    if i >= len(tokens):
        raise PromQLSyntaxError("unterminated label matchers: missing }")
    return tuple(out), i + 1


def _tokens(expr: str) -> list[tuple[str, str]]:
    """Split `expr` into (kind, text) tokens; strings are unescaped, ranges and comments dropped."""
    out: list[tuple[str, str]] = []
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        if c.isspace():
            i += 1
        elif c == "#":
            end = expr.find("\n", i)
            i = n if end < 0 else end + 1
        elif c in "\"'`":
            text, i = _string(expr, i)
            out.append(("string", text))
        elif c == "[":
            # Range or subquery brackets hold only durations: nothing to find inside.
            end = expr.find("]", i)
            if end < 0:
                raise PromQLSyntaxError("unterminated range: missing ]")
            i = end + 1
        elif c in "{}(),":
            out.append((c, c))
            i += 1
        elif _in_braces(out):
            i = _brace_token(expr, i, out)
        elif (m := _NUMBER.match(expr, i)) and not (c.isalpha() or c == "_"):
            out.append(("number", m.group()))
            i = m.end()
        elif m := _IDENT.match(expr, i):
            out.append(("ident", m.group()))
            i = m.end()
        else:
            out.append(("op", c))
            i += 1
    return out


def _in_braces(out: list[tuple[str, str]]) -> bool:
    """True when the last unclosed brace token is `{`, i.e. we are inside label matchers."""
    for kind, _ in reversed(out):
        if kind == "}":
            return False
        if kind == "{":
            return True
    return False


def _brace_token(expr: str, i: int, out: list[tuple[str, str]]) -> int:
    """Tokenize one label name or matcher operator inside `{...}`."""
    if m := _LABEL_OP.match(expr, i):
        out.append(("labelop", m.group()))
        return m.end()
    if m := _LABEL_NAME.match(expr, i):
        out.append(("ident", m.group()))
        return m.end()
    raise PromQLSyntaxError(f"unexpected {expr[i]!r} in label matchers")


def _string(expr: str, start: int) -> tuple[str, int]:
    """Read the quoted string at `start`; return its value and the index after it."""
    quote = expr[start]
    chars: list[str] = []
    i = start + 1
    while i < len(expr):
        c = expr[i]
        if c == quote:
            return "".join(chars), i + 1
        if c == "\\" and quote != "`" and i + 1 < len(expr):
            chars.append(_ESCAPES.get(expr[i + 1], "\\" + expr[i + 1]))
            i += 2
            continue
        chars.append(c)
        i += 1
    raise PromQLSyntaxError("unterminated string")
