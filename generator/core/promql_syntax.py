"""PromQL parsed in-process: syntax errors without promtool, and which labels an expression's
result carries.

The parser is `promql-parser`, Python bindings of the Rust PromQL parser that other Prometheus
tools use. promtool stays the authority where it is installed (it is Prometheus's own parser);
this module makes a broken expression a located error on machines without it, and lets the
rule targets see an expression's shape: which labels an aggregation keeps (so rule labels never
overwrite them) and which label values are fixed (so two rules can be shown to write different
series).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import promql_parser as pp

# Functions whose result keeps the labels of their (first) vector argument.
_NO_LABELS = frozenset({"vector", "time", "scalar", "pi", "minute", "hour", "day_of_month",
                        "day_of_week", "day_of_year", "days_in_month", "month", "year"})


@dataclass(frozen=True)
class Shape:
    """What is known about the labels of an expression's result.

    `kept`: labels the result carries with values taken from the data (an aggregation's `by`
    list, a label_replace target); `fixed`: labels whose value the expression pins (equality
    matchers that survive to the result); `closed`: the result has no labels beyond `kept`
    and `fixed` (an aggregation with `by`, or `vector()`), so a label outside them is absent.
    `among`: labels whose value is one of a known set (a regex matcher of literal alternatives,
    `slo_id=~"a|b"`), surviving to the result as `fixed` ones do.
    """

    kept: frozenset[str] = frozenset()
    fixed: Mapping[str, str] = field(default_factory=dict)
    closed: bool = False
    among: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def values(self) -> dict[str, frozenset[str]]:
        """Every label with a known set of possible values: the pinned ones as one value."""
        return {**self.among, **{k: frozenset({v}) for k, v in self.fixed.items()}}

    def labels(self) -> frozenset[str]:
        """Every label known to be in the result."""
        return self.kept | frozenset(self.fixed)


# Results are small and many rules share an expression (`vector(0.999)`, a service's alert
# inputs...): the last few thousand are kept, the parsed trees are not (see `_parse`).
@lru_cache(maxsize=8192)
def parse_error(expr: str, rule: bool = False) -> str | None:
    """Why `expr` is not valid PromQL, or None. With `rule`, it must also return an instant
    vector or a scalar, as recording and alerting rules must."""
    if simple_selector_shape(expr) is not None:
        return None
    found = template(expr)
    if found is not None and _template_error(found[0], rule) is None:
        return None
    return _error(expr, rule)


# The messages name values and positions of the expression itself: they come from its own parse.
def _error(expr: str, rule: bool) -> str | None:
    try:
        node = _parse(expr)
    except TooComplex as exc:
        chain = _or_chain(expr)
        return str(exc) if chain is None else chain[1]
    except ValueError as exc:
        return str(exc)
    if rule:
        inner = _unparen(node)
        if isinstance(inner, (pp.MatrixSelector, pp.SubqueryExpr)):
            return "a rule expression must return an instant vector or a scalar, not a range vector"
        if isinstance(inner, pp.StringLiteral):
            return "a rule expression must return an instant vector or a scalar, not a string"
    return None


@lru_cache(maxsize=8192)
def shape(expr: str) -> Shape:
    """The label shape of `expr`'s result; an empty Shape when it does not parse."""
    found = simple_selector_shape(expr)
    if found is not None:
        return found
    known = template(expr)
    if known is not None:
        text, values = known
        found = _substituted(_template_shape(text), values)
        if found is not None:
            return found
    return _parsed(expr)


def _parsed(expr: str) -> Shape:
    try:
        return _shape(_parse(expr))
    except TooComplex:
        chain = _or_chain(expr)
        return Shape() if chain is None else chain[0]
    except ValueError:
        return Shape()


# The plainest selectors, as generated rules read recorded series: a recording-rule name (it
# has a colon, so it is no keyword or function) with equality or literal-regex matchers on
# ordinary label names, alone or in absent(). Valid PromQL by construction, and their shape
# is read off the text exactly as the parsed tree gives it (tests/test_promql_syntax.py):
# about a third of a generate's rules, each spared a parse.
_LABEL = r"(?!__)[a-zA-Z_][a-zA-Z0-9_]*"
_MATCHER = rf'{_LABEL}!?="[^"\\\x00-\x1f]*"|{_LABEL}[=!]~"[a-zA-Z0-9_:.|-]*"'
_SELECTOR = re.compile(rf"(absent\()?[a-zA-Z_:][a-zA-Z0-9_]*:[a-zA-Z0-9_:]*"
                       rf"\{{((?:{_MATCHER})(?:,(?:{_MATCHER}))*)\}}(\))?")
_MATCHERS = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)(=~|!~|!=|=)"([^"]*)"')
_KEYWORDS = frozenset({"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
                       "group_right", "offset", "bool", "atan2", "start", "end", "inf", "nan"})


def simple_selector_shape(expr: str) -> Shape | None:
    """The shape of one of the plainest selectors (see _SELECTOR), or None for anything else."""
    match = _SELECTOR.fullmatch(expr)
    if match is None or (match.group(1) is None) != (match.group(3) is None):
        return None
    fixed: dict[str, str] = {}
    among: dict[str, frozenset[str]] = {}
    for name, op, value in _MATCHERS.findall(match.group(2)):
        if name in _KEYWORDS:
            return None
        if op == "=" and value:
            fixed[name] = value
        elif op == "=~" and (alternatives := _literal_alternatives(value)):
            among[name] = alternatives
    return Shape(fixed=fixed, among=among)


# Most generated rules differ from one another only in the label values their selectors
# match (`slo_id="..."`, a service's `slo_id=~"a|b|c"`): an expression is read as a template
# (those values replaced by placeholders) whose parse and shape are found once, the values put
# back into the shape. Sound because the parser and `_walk` read such a value only for:
#   - whether it matches the empty string (a selector of only such matchers is an error) and
#     whether a regex compiles: a value is replaced only when its placeholder agrees on both;
#   - an `=` value: whether it is empty (never replaced) and which other `=` values it equals
#     (`or` keeps a label both sides pin to one value): equal values share one placeholder,
#     and an `=` value that is not replaced sends the expression to the full parse;
#   - an `=~` value: the literal alternatives it matches: replaced only when it is plain
#     alternatives (`a|b`), whose placeholder stands for exactly those.
# Strings anywhere else (label_replace, count_values: label names) stay as they are; the parse
# error messages quote values and positions, so errors come from the expression's own parse.
# tests/test_promql_syntax.py holds this equal to the full parse on many expressions.
PLACEHOLDER = "slogen_ph_"
# A double-quoted PromQL string's text: what `(?:[^"\\]|\\.)*` matches, its loop unrolled (a
# third of the time on the long expressions every rule and unit-test case is read from).
DOUBLE_QUOTED_BODY = r'[^"\\]*(?:\\.[^"\\]*)*'
_DOUBLE_QUOTED = re.compile(f'("{DOUBLE_QUOTED_BODY}")', re.DOTALL)
_PLAIN_VALUE = re.compile(r'[ !#-\[\]-~]+')  # printable ASCII, no quote or backslash
_PLAIN_ALTERNATIVES = re.compile(r"[a-zA-Z0-9_:-]+(?:\|[a-zA-Z0-9_:-]+)*")
_OTHER_QUOTES = ("'", "`", "#")  # other strings and comments: their own lexing, not read here


# Small: `shape` and `parse_error` of one rule ask in turn.
@lru_cache(maxsize=256)
def template(expr: str) -> tuple[str, dict[str, str | frozenset[str]]] | None:
    """`expr` with the matcher values it may leave out replaced by placeholders, and what each
    placeholder stands for (an `=` value, or the alternatives of an `=~` one); None when the
    expression is not read this way."""
    if PLACEHOLDER in expr or '"' not in expr:
        return None if PLACEHOLDER in expr else (expr, {})
    # Text outside strings, then a double-quoted string, in turn.
    parts = _DOUBLE_QUOTED.split(expr)
    # Only double-quoted strings here: the other quotes and comments only inside them.
    if any(q in expr for q in _OTHER_QUOTES) and \
            any(q in parts[i] for i in range(0, len(parts), 2) for q in _OTHER_QUOTES):
        return None
    values: dict[str, str | frozenset[str]] = {}
    names: dict[tuple[str, str], str] = {}  # (kind, value) -> placeholder
    seen: dict[tuple[str, str], str] = {}  # (op, value) -> placeholder, "" to keep the value
    for i in range(1, len(parts), 2):
        value = parts[i][1:-1]
        if not value:
            continue
        before = parts[i - 1]
        op = before[-2:]
        if op[-1:].isspace():
            op = before.rstrip()[-2:]
        name = seen.get((op, value))
        if name is None:
            kind = _kind(op, value)
            if kind is None:
                return None  # an `=` value that `or` may compare: read by the full parse
            name = names.get((kind, value), "") if kind else ""
            if kind and not name:
                name = names[kind, value] = f"{PLACEHOLDER}{kind}{len(values)}"
                values[name] = value if kind == "e" else frozenset(value.split("|"))
            seen[op, value] = name
        if name:
            parts[i] = f'"{name}"'
    return "".join(parts), values


def _kind(op: str, value: str) -> str | None:
    """How a non-empty string after `op` is read: "r" (plain alternatives of a regex matcher),
    "e" (a plain value of an equality matcher), "" (kept as it is), None (no template)."""
    if op in ("=~", "!~"):
        return "r" if _PLAIN_ALTERNATIVES.fullmatch(value) else ""
    if op == "!=" or (op[-1:] == "=" and op not in ("==", "<=", ">=")):
        if _PLAIN_VALUE.fullmatch(value):
            return "e"
        return "" if op == "!=" else None
    return ""


@lru_cache(maxsize=1024)
def _template_shape(text: str) -> Shape:
    return _parsed(text)


@lru_cache(maxsize=1024)
def _template_error(text: str, rule: bool) -> str | None:
    return _error(text, rule)


def _substituted(found: Shape, values: Mapping[str, str | frozenset[str]]) -> Shape | None:
    """`found` (a template's shape) with its placeholders replaced by what they stand for, or
    None if one is where no value can be (a label name)."""
    if not values:
        return found
    if any(PLACEHOLDER in k for k in found.kept) or \
            any(PLACEHOLDER in k for k in (*found.fixed, *found.among)):
        return None
    fixed: dict[str, str] = {}
    for k, v in found.fixed.items():
        value = values.get(v, v)
        if not isinstance(value, str):
            return None
        fixed[k] = value
    among: dict[str, frozenset[str]] = {}
    for k, vs in found.among.items():
        expanded: set[str] = set()
        for v in vs:
            value = values.get(v, v)
            if isinstance(value, str):
                expanded.add(value)
            else:
                expanded |= value
        among[k] = frozenset(expanded)
    return Shape(found.kept, fixed, found.closed, among)


# What `or_operands` reads: strings (skipped whole), brackets, comments, a quote that opens no
# string, and the keyword `or` as a word of its own.
_OR_TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|`[^`]*`|[()\[\]{}#"\'`]'
                       r"|(?<![a-zA-Z0-9_:.])[oO][rR](?![a-zA-Z0-9_:])")
_OR_MODIFIER = re.compile(r"\s*(?:on|ignoring)\s*\(", re.IGNORECASE)


def or_operands(expr: str) -> list[str] | None:
    """The operands of `expr` when it is a chain of `or` at the top level (`a or b or c`: a, b
    and c, stripped), else None: no such `or`, an `or` with `on`/`ignoring`, a comment, or
    brackets or quotes that do not pair (the whole expression is parsed then).

    `or` binds loosest of PromQL's operators and left to right, so the chain is
    `(a or b) or c`: its operands parse alone, and its shape is theirs joined one by one.
    Generated burn conditions are such chains, `or`ing the conditions of every shape of SLOs
    of a rule group: past `too_complex`'s limit, they are read so (parsed whole they would be
    refused, and cost the parser time quadratic in their length)."""
    depth = 0
    cuts: list[re.Match[str]] = []
    for match in _OR_TOKEN.finditer(expr):
        token = match.group()
        if token in ("(", "[", "{"):
            depth += 1
        elif token in (")", "]", "}"):
            depth -= 1
            if depth < 0:
                return None
        elif token in ("#", '"', "'", "`"):
            return None
        elif depth == 0 and token[0] in "oO":
            if _OR_MODIFIER.match(expr, match.end()):
                return None
            cuts.append(match)
    if depth or not cuts:
        return None
    bounds = [0, *(i for m in cuts for i in m.span()), len(expr)]
    operands = [expr[bounds[i]:bounds[i + 1]].strip() for i in range(0, len(bounds), 2)]
    return operands if all(operands) else None


# Small: `_parsed` and `_error` of one long rule ask in turn.
@lru_cache(maxsize=64)
def _or_chain(expr: str) -> tuple[Shape, str | None] | None:
    """(shape, parse error) of an `or` chain read operand by operand (see `or_operands`), or
    None when `expr` is no such chain. Each operand must parse, and be an instant vector, as
    the parser asks of `or`'s sides."""
    operands = or_operands(expr)
    if operands is None:
        return None
    found: Shape | None = None
    for operand in operands:
        part = simple_selector_shape(operand)
        if part is None:
            error = _error(operand, False)
            if error is not None:
                return Shape(), error
            node = _unparen(_parse(operand))
            if isinstance(node, (pp.MatrixSelector, pp.SubqueryExpr, pp.StringLiteral)):
                return Shape(), ("binary expression must contain only scalar and instant "
                                 "vector types")
            part, scalar = _walk(node)
            if scalar:
                return Shape(), 'set operator "or" not allowed in binary scalar expression'
        found = part if found is None else _union(found, part)
    assert found is not None
    return found, None


# The Rust parser recurses once per nesting level (a few thousand nested parentheses overflow
# its stack and kill the process) and slows down quadratically with long operator chains
# (2,000 `+` take seconds): hostile expressions are refused before it sees them.
MAX_NESTING = 64
MAX_OPERATORS = 300
_OPERATOR = re.compile(r"[-+*/%^]|[=!<>]=?|=~|!~|\b(?:and|or|unless|atan2)\b")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')


class TooComplex(ValueError):
    """An expression `too_complex` refuses to hand to the parser."""


# Small: it lets `shape` and `parse_error` of one rule share a parse. A parsed tree of a burn
# rate rule is tens of kilobytes; thousands of them held 250 MB at 1,000 SLOs.
@lru_cache(maxsize=64)
def _parse(expr: str) -> pp.Expr:
    problem = too_complex(expr)
    if problem is not None:
        raise TooComplex(problem)
    return pp.parse(expr)


def too_complex(expr: str) -> str | None:
    """Why `expr` is too deep or too long to hand to a parser (this one or promtool), or None."""
    code = _STRING.sub('""', expr) if '"' in expr or "'" in expr or "`" in expr else expr
    depth = deepest = 0
    # No deeper than the brackets it opens, no more operators than characters: most
    # expressions are settled without reading them character by character.
    if sum(code.count(c) for c in "([{") > MAX_NESTING:
        for char in code:
            if char in "([{":
                depth += 1
                deepest = max(deepest, depth)
            elif char in ")]}":
                depth -= 1
    if deepest > MAX_NESTING:
        return f"the expression nests {deepest} levels of brackets; at most {MAX_NESTING} are read"
    operators = len(_OPERATOR.findall(code)) if len(code) > MAX_OPERATORS else 0
    if operators > MAX_OPERATORS:
        return (f"the expression has {operators} operators; at most {MAX_OPERATORS} are read "
                "(split it into recording rules)")
    return None


def _unparen(node: pp.Expr) -> pp.Expr:
    while isinstance(node, pp.ParenExpr):
        node = node.expr
    return node


def _shape(node: pp.Expr) -> Shape:
    return _walk(node)[0]


def _walk(node: pp.Expr) -> tuple[Shape, bool]:  # noqa: PLR0911 - one branch per node type
    """(shape, whether the node is a scalar), both found in one walk: asking each binary
    operand whether it is a scalar walked every subtree again, quadratic in the depth."""
    node = _unparen(node)
    if isinstance(node, pp.VectorSelector):
        matchers = [m for m in node.matchers.matchers if m.name != "__name__"]
        among = {m.name: alternatives for m in matchers if m.op == pp.MatchOp.Re
                 and (alternatives := _literal_alternatives(m.value))}
        return Shape(fixed={m.name: m.value for m in matchers
                            if m.op == pp.MatchOp.Equal and m.value}, among=among), False
    if isinstance(node, pp.MatrixSelector):
        return _shape(node.vector_selector), False
    if isinstance(node, pp.SubqueryExpr):
        return _shape(node.expr), False
    if isinstance(node, pp.UnaryExpr):
        return _walk(node.expr)
    if isinstance(node, pp.AggregateExpr):
        return _aggregate(node), False
    if isinstance(node, pp.Call):
        return _call(node), node.func.name in _SCALAR_CALLS
    if isinstance(node, pp.BinaryExpr):
        return _binary(node)
    # number and string literals have no labels
    return Shape(closed=True), isinstance(node, pp.NumberLiteral)


_SCALAR_CALLS = frozenset({"scalar", "time", "pi"})
# The characters RE2 reads as regex syntax; anything else in a label regex is itself.
REGEX_METACHARS = "\\.+*?()|[]{}^$"
_META_CLASS = re.escape(REGEX_METACHARS)
_LITERAL = re.compile(rf"(?:[^{_META_CLASS}]|\\[{_META_CLASS}-])+")


@lru_cache(maxsize=4096)
def _literal_alternatives(regex: str) -> frozenset[str]:
    """The values a regex of literal alternatives (`a|b\\.c`) matches, or empty when it is
    anything else (Prometheus anchors label regexes, so `a|b` matches exactly a or b)."""
    parts = regex.split("|")
    if not all(_LITERAL.fullmatch(p) for p in parts):
        return frozenset()
    return frozenset(_UNESCAPE.sub(r"\1", p) if "\\" in p else p for p in parts)


_UNESCAPE = re.compile(r"\\(.)")


def _aggregate(node: pp.AggregateExpr) -> Shape:
    inner = _shape(node.expr)
    mod = node.modifier
    added: frozenset[str] = frozenset()
    if str(node.op) == "count_values" and isinstance(node.param, pp.StringLiteral):
        added = frozenset({node.param.val})
    if mod is None:  # sum(x): no labels at all
        return Shape(kept=added, closed=True)
    labels = frozenset(mod.labels)
    if mod.type == pp.AggModifierType.By:
        fixed = {k: v for k, v in inner.fixed.items() if k in labels}
        among = {k: v for k, v in inner.among.items() if k in labels}
        return Shape(kept=(labels - frozenset(fixed)) | added, fixed=fixed, closed=True,
                     among=among)
    return Shape(kept=(inner.kept - labels) | added,
                 among={k: v for k, v in inner.among.items() if k not in labels},
                 fixed={k: v for k, v in inner.fixed.items() if k not in labels})


def _call(node: pp.Call) -> Shape:
    name = node.func.name
    if name in _NO_LABELS:
        return Shape(closed=True)
    args = list(node.args)
    if name in {"label_replace", "label_join"} and len(args) >= 2:
        inner = _shape(args[0])
        dst = args[1].val if isinstance(args[1], pp.StringLiteral) else ""
        fixed = {k: v for k, v in inner.fixed.items() if k != dst}
        among = {k: v for k, v in inner.among.items() if k != dst}
        return Shape(kept=inner.kept | {dst} - {""}, fixed=fixed, closed=inner.closed,
                     among=among)
    vectors = [a for a in args if not isinstance(a, (pp.NumberLiteral, pp.StringLiteral))]
    return _shape(vectors[-1] if name == "histogram_quantile" and vectors else
                  vectors[0]) if vectors else Shape(closed=True)


def _binary(node: pp.BinaryExpr) -> tuple[Shape, bool]:
    (lhs, lhs_scalar), (rhs, rhs_scalar) = _walk(node.lhs), _walk(node.rhs)
    if lhs_scalar and rhs_scalar:
        return Shape(closed=True), True
    if lhs_scalar:
        return rhs, False
    if rhs_scalar:
        return lhs, False
    op = str(node.op).strip().lower()
    mod = node.modifier
    if op == "or":
        return _union(lhs, rhs), False
    card = str(mod.card) if mod is not None else ""
    if card.endswith("OneToMany"):
        extra = frozenset(mod.group_labels or ()) if mod is not None else frozenset()
        return Shape(kept=rhs.kept | extra, fixed=rhs.fixed, closed=rhs.closed,
                     among=rhs.among), False
    extra = frozenset(mod.group_labels or ()) if mod is not None and card.endswith("ManyToOne") \
        else frozenset()
    return Shape(kept=lhs.kept | extra, fixed=lhs.fixed, closed=lhs.closed and not extra,
                 among=lhs.among), False


def _union(lhs: Shape, rhs: Shape) -> Shape:
    """The shape of `lhs or rhs`: either side's series, so only what both pin is known."""
    fixed = {k: v for k, v in lhs.fixed.items() if rhs.fixed.get(k) == v}
    left, right = lhs.values(), rhs.values()
    among = {k: v | right[k] for k, v in left.items() if k in right and k not in fixed}
    return Shape(kept=lhs.kept | rhs.kept, fixed=fixed, closed=lhs.closed and rhs.closed,
                 among=among)
