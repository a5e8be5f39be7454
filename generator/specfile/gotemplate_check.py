"""Parse Go text/template syntax as Prometheus (promtool check rules) does, without running it.

Alert summaries, descriptions, annotations and labels are Go templates: Prometheus parses them
with its own functions and the variables it defines ($labels, $value, ...). A template that
does not parse fails `promtool check rules` at generate time; parsing it here lets `validate`
refuse it first, at the spec's line, with Go's own words for the problem.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

# Functions of Prometheus's alert templates (as of the promtool slogen checks with) and Go's.
PROMETHEUS_FUNCTIONS = frozenset({
    "query", "first", "label", "value", "strvalue", "args", "reReplaceAll", "safeHtml", "match",
    "title", "toUpper", "toLower", "graphLink", "tableLink", "sortByLabel", "humanize",
    "humanize1024", "humanizeDuration", "humanizePercentage", "humanizeTimestamp", "toTime",
    "pathPrefix", "externalURL", "parseDuration", "stripPort", "stripDomain",
    "and", "call", "html", "index", "slice", "js", "len", "not", "or", "print", "printf",
    "println", "urlquery", "eq", "ge", "gt", "le", "lt", "ne",
})
PROMETHEUS_VARIABLES = frozenset({"$", "$labels", "$externalLabels", "$externalURL", "$value"})
GRAFANA_VARIABLES = frozenset({"$", "$labels", "$values", "$value"})

_KEYWORDS = {"block", "break", "continue", "define", "else", "end", "if", "range", "nil",
             "template", "with"}
_NUMBER = re.compile(r"[+-]?(?:0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|"
                     r"(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?)i?")
_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class TemplateError(ValueError):
    """The template does not parse; the message is Go's wording where there is one."""


@dataclass
class _Token:
    kind: str  # field, var, ident, string, number, char, pipe, lparen, rparen, decl, assign,
    #            comma, space, end
    text: str


def check_template(text: str, functions: Collection[str] | None = PROMETHEUS_FUNCTIONS,
                   variables: Collection[str] = PROMETHEUS_VARIABLES) -> None:
    """Raise TemplateError when `text` is not a template Prometheus would accept.

    `functions` None accepts any function name (Grafana's set is large and versioned).
    """
    if "{{" not in text:
        return
    try:
        _Parser(functions, set(variables)).parse(_actions(text))
    except RecursionError:
        raise TemplateError("parentheses nest too deeply") from None


def _actions(text: str) -> list[tuple[str, int]]:
    """The inside of every `{{ }}` with trim markers and comments removed, and its line."""
    out: list[tuple[str, int]] = []
    pos, line, counted = 0, 1, 0
    while True:
        start = text.find("{{", pos)
        if start < 0:
            return out
        line += text.count("\n", counted, start)
        counted = start
        inner_start = start + 2
        if text[inner_start:inner_start + 1] == "-" and text[inner_start + 1:inner_start + 2] in (
                " ", "\t", "\r", "\n"):
            inner_start = _skip_space(text, inner_start + 1)
        if text.startswith("/*", inner_start):
            close = text.find("*/", inner_start + 2)
            if close < 0:
                raise TemplateError(f"line {line}: unclosed comment")
            after = close + 2
            trimmed = _skip_space(text, after)
            if text.startswith("}}", after):
                pos = after + 2
            elif trimmed > after and text.startswith("-}}", trimmed):
                pos = trimmed + 3
            else:
                raise TemplateError(f"line {line}: comment ends before closing delimiter")
            continue
        end = _find_close(text, inner_start, line)
        inner = text[inner_start:end]
        if len(inner) >= 2 and inner[-1] == "-" and inner[-2] in " \t\r\n":
            inner = inner[:-1]
        out.append((inner, line))
        pos = end + 2


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _find_close(text: str, pos: int, line: int) -> int:
    """Index of the `}}` closing the action at `pos`, skipping quoted strings."""
    i = pos
    while i < len(text):
        c = text[i]
        if text.startswith("}}", i):
            return i
        if c == '"' or c == "'":
            j = i + 1
            while j < len(text) and text[j] != c:
                if text[j] == "\\":
                    j += 1
                elif text[j] == "\n":
                    raise TemplateError(f"line {line}: unterminated quoted string")
                j += 1
            if j >= len(text):
                raise TemplateError(f"line {line}: unterminated quoted string")
            i = j + 1
            continue
        if c == "`":
            j = text.find("`", i + 1)
            if j < 0:
                raise TemplateError(f"line {line}: unterminated raw quoted string")
            i = j + 1
            continue
        i += 1
    raise TemplateError(f"line {line}: unclosed action")


def _tokens(inner: str, line: int) -> list[_Token]:
    out: list[_Token] = []
    i = 0
    while i < len(inner):
        c = inner[i]
        if c in " \t\r\n":
            j = i
            while j < len(inner) and inner[j] in " \t\r\n":
                j += 1
            out.append(_Token("space", inner[i:j]))
            i = j
        elif c == "|":
            out.append(_Token("pipe", c))
            i += 1
        elif c == "(":
            out.append(_Token("lparen", c))
            i += 1
        elif c == ")":
            out.append(_Token("rparen", c))
            i += 1
        elif c == ",":
            out.append(_Token("comma", c))
            i += 1
        elif inner.startswith(":=", i):
            out.append(_Token("decl", ":="))
            i += 2
        elif c == "=":
            out.append(_Token("assign", "="))
            i += 1
        elif c in "\"'`":
            end = _string_end(inner, i, line)
            if c == "'" and not re.fullmatch(r"'(?:[^\\']|\\.[^']*)'", inner[i:end]):
                raise TemplateError(f"line {line}: malformed character constant: "
                                    f"{inner[i:end]}")
            out.append(_Token("char" if c == "'" else "string", inner[i:end]))
            i = end
        elif c == "$":
            found = _IDENT.match(inner, i + 1)
            j = found.end() if found else i + 1
            out.append(_Token("var", inner[i:j]))
            i = _field_chain(inner, j, out)
        elif c == ".":
            found = _IDENT.match(inner, i + 1)
            if found:
                out.append(_Token("field", inner[i:found.end()]))
                i = _field_chain(inner, found.end(), out)
            elif i + 1 < len(inner) and inner[i + 1].isdigit():
                number = _NUMBER.match(inner, i)
                assert number is not None
                out.append(_Token("number", number.group()))
                i = number.end()
            else:
                out.append(_Token("dot", "."))
                i += 1
        elif c.isdigit() or (c in "+-" and i + 1 < len(inner) and (inner[i + 1].isdigit()
                                                                   or inner[i + 1] == ".")):
            number = _NUMBER.match(inner, i)
            if number is None or number.end() == i:
                raise TemplateError(f"line {line}: bad number syntax: {inner[i:i + 10]!r}")
            end = number.end()
            if end < len(inner) and (inner[end].isalnum() or inner[end] == "."):
                raise TemplateError(f"line {line}: bad number syntax: "
                                    f"{inner[i:end + 1]!r}")
            out.append(_Token("number", inner[i:end]))
            i = end
        elif c.isalpha() or c == "_":
            found = _IDENT.match(inner, i)
            assert found is not None
            out.append(_Token("ident", found.group()))
            i = _field_chain(inner, found.end(), out)
        else:
            raise TemplateError(f"line {line}: unexpected {c!r} in command")
    out.append(_Token("end", ""))
    return out


def _field_chain(inner: str, i: int, out: list[_Token]) -> int:
    while i < len(inner) and inner[i] == ".":
        found = _IDENT.match(inner, i + 1)
        if not found:
            break
        out.append(_Token("chain", inner[i:found.end()]))
        i = found.end()
    return i


def _string_end(inner: str, i: int, line: int) -> int:
    quote = inner[i]
    if quote == "`":
        j = inner.find("`", i + 1)
        if j < 0:
            raise TemplateError(f"line {line}: unterminated raw quoted string")
        return j + 1
    j = i + 1
    while j < len(inner) and inner[j] != quote:
        j += 2 if inner[j] == "\\" else 1
    if j >= len(inner):
        raise TemplateError(f"line {line}: unterminated quoted string")
    return j + 1


@dataclass
class _Block:
    kind: str
    in_else: bool = False
    outer_scopes: list[set[str]] | None = None  # define/block bodies see only `$`


class _Parser:
    def __init__(self, functions: Collection[str] | None, variables: set[str]) -> None:
        self.functions = functions
        self.scopes: list[set[str]] = [variables]
        self.blocks: list[_Block] = []  # open if/range/with/define/block
        self.ranges = 0

    def parse(self, actions: list[tuple[str, int]]) -> None:
        for inner, line in actions:
            self.line = line
            self.toks = [t for t in _tokens(inner, line)]
            self.i = 0
            self._action()
        if self.blocks:
            raise TemplateError(f"unexpected EOF: {{{{{self.blocks[-1].kind}}}}} has no "
                                "{{end}}")

    # --- token helpers
    def _peek(self, skip_space: bool = True) -> _Token:
        j = self.i
        while skip_space and self.toks[j].kind == "space":
            j += 1
        return self.toks[j]

    def _next(self) -> _Token:
        while self.toks[self.i].kind == "space":
            self.i += 1
        tok = self.toks[self.i]
        if tok.kind != "end":
            self.i += 1
        return tok

    def _fail(self, message: str) -> TemplateError:
        return TemplateError(f"line {self.line}: {message}")

    # --- actions
    def _action(self) -> None:
        tok = self._peek()
        word = tok.text if tok.kind == "ident" else ""
        if tok.kind == "end":
            raise self._fail("missing value for command")
        if word in ("if", "with", "range"):
            self._next()
            self.scopes.append(set())
            self.blocks.append(_Block(word))
            if word == "range":
                self.ranges += 1
            self._pipeline(word, declare_ok=True, multi=word == "range")
        elif word == "else":
            self._next()
            if not self.blocks or self.blocks[-1].kind not in ("if", "with", "range"):
                raise self._fail("unexpected {{else}}")
            block = self.blocks[-1]
            if block.in_else:
                raise self._fail("expected end; found {{else}}")
            follow = self._peek()  # Go keeps the branch's variables until {{end}}
            if follow.kind == "ident" and follow.text in ("if", "with") and (
                    follow.text == block.kind):
                self._next()
                self._pipeline(follow.text, declare_ok=True, multi=False)
            else:
                self._expect_end("else")
                block.in_else = True
                if block.kind == "range":
                    self.ranges -= 1  # the else branch runs when there is nothing to range
        elif word == "end":
            self._next()
            if not self.blocks:
                raise self._fail("unexpected {{end}}")
            closed = self.blocks.pop()
            self.scopes.pop()
            if closed.outer_scopes is not None:
                self.scopes = closed.outer_scopes
            if closed.kind == "range" and not closed.in_else:
                self.ranges -= 1
            self._expect_end("end")
        elif word in ("define", "block", "template"):
            self._next()
            name = self._next()
            if name.kind != "string":
                raise self._fail(f"unexpected {name.text or 'end of action'!r} in {word} clause")
            if word == "define":
                if len(self.blocks) > 0:
                    raise self._fail("unexpected <define> in command")
                self._expect_end("define")
            elif word == "block" and self._peek().kind == "end":
                raise self._fail("missing value for block clause")
            elif self._peek().kind != "end":
                self._pipeline(word, declare_ok=False, multi=False)
            if word in ("define", "block"):
                self.blocks.append(_Block(word, outer_scopes=self.scopes))
                self.scopes = [{"$"}, set()]
        elif word in ("break", "continue"):
            self._next()
            if not self.ranges:
                raise self._fail(f"{{{{{word}}}}} outside {{{{range}}}}")
            self._expect_end(word)
        else:
            self._pipeline("command", declare_ok=True, multi=False)

    def _expect_end(self, context: str) -> None:
        tok = self._next()
        if tok.kind != "end":
            raise self._fail(f"unexpected {tok.text!r} in {context}")

    def _pipeline(self, context: str, *, declare_ok: bool, multi: bool,
                  closing: str = "end") -> None:
        declared = self._declarations(declare_ok, multi)
        commands = 0
        while True:
            if self._peek().kind in (closing, "end") and self._peek().kind == closing:
                break
            self._command(context)
            commands += 1
            tok = self._peek()
            if tok.kind == "pipe":
                self._next()
                if self._peek().kind == closing:
                    break  # Go's parser lets a trailing | pass (execution then fails)
                continue
            if tok.kind == closing:
                break
            if tok.kind == "end":
                raise self._fail("unclosed left paren")
            raise self._fail(f"unexpected {tok.text!r} in operand")
        if not commands:
            raise self._fail(f"missing value for {context}")
        for name in declared:
            self.scopes[-1].add(name)

    def _declarations(self, allowed: bool, multi: bool) -> list[str]:
        start = self.i
        names: list[str] = []
        while True:
            tok = self._next()
            if tok.kind != "var" or self._peek(skip_space=False).kind == "chain":
                break
            names.append(tok.text)
            follow = self._peek()
            if follow.kind in ("decl", "assign"):
                self._next()
                if not allowed:
                    raise self._fail("unexpected declaration")
                return names if follow.kind == "decl" else []
            if follow.kind == "comma" and multi and len(names) == 1:
                self._next()
                continue
            break
        self.i = start
        return []

    def _command(self, context: str) -> None:
        operands = 0
        while True:
            tok = self._peek()
            if tok.kind in ("end", "pipe", "rparen"):
                break
            if tok.kind == "comma":
                raise self._fail("unexpected ',' in operand")
            self._operand()
            operands += 1
            after = self.toks[self.i]
            if after.kind not in ("space", "end", "pipe", "rparen"):
                raise self._fail(f"missing space? unexpected {after.text!r} in operand")
        if not operands:
            raise self._fail(f"missing value for {context}")

    def _operand(self) -> None:
        tok = self._next()
        if tok.kind == "ident":
            if tok.text in ("true", "false"):
                pass
            elif tok.text == "nil":
                pass  # `{{ nil }}` fails when run, not when parsed
            elif tok.text in _KEYWORDS:
                raise self._fail(f"unexpected <{tok.text}> in operand")
            elif self.functions is not None and tok.text not in self.functions:
                raise self._fail(f'function "{tok.text}" not defined')
        elif tok.kind == "var":
            if not self._known(tok.text):
                raise self._fail(f'undefined variable "{tok.text}"')
        elif tok.kind == "lparen":
            self._pipeline("parenthesized pipeline", declare_ok=False, multi=False,
                           closing="rparen")
            close = self._next()
            if close.kind != "rparen":
                raise self._fail("unclosed left paren")
            while self.toks[self.i].kind == "field":  # (pipeline).Field
                self.i += 1
        elif tok.kind in ("field", "dot", "string", "number", "char"):
            pass
        elif tok.kind == "rparen":
            raise self._fail("unexpected right paren")
        else:
            raise self._fail(f"unexpected {tok.text!r} in operand")
        while self.toks[self.i].kind == "chain":
            self.i += 1

    def _known(self, name: str) -> bool:
        return any(name in scope for scope in self.scopes)
