"""YAML text for the plain data the targets write, the very bytes the YAML dumper
(dump.py: libyaml's emitter, block style, indent 2, width 4096, unicode) writes for it, at a
fraction of the cost.

The dumper builds a node per value and hands them to libyaml; for millions of values that was
a third of `generate`. This writer covers what the targets produce: dicts with string keys,
lists, FlowMap and FlowList, strings, ints, floats, booleans and None. A string is written the
way libyaml's emitter chooses (its scalar analysis and style selection are ported below) when
that is plain, quoted on one line without escapes other than `\\"` and `\\\\`, or a literal
block without hints; anything else (other types, escapes, quotes across lines, keys libyaml
would write as complex keys, lines near the width) makes `dump` return None, and the caller
uses the dumper. tests/targets/test_fastyaml.py holds the two to the same bytes.
"""

from __future__ import annotations

import math
import re
from typing import Any

from ruamel.yaml.emitter import Emitter
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.resolver import VersionedResolver
from ruamel.yaml.scalarstring import SingleQuotedScalarString


class FlowMap(dict[str, Any]):
    """A mapping YAML writes on one line, `{a: 1, b: 2}`: for short leaf data such as labels."""


class FlowList(list[Any]):
    """A list YAML writes on one line, `[a, {b: 1}]`; its items stay on that line too."""


class _Unsupported(Exception):
    """Something only the dumper writes right."""


# Lines longer than this may be folded by libyaml (width 4096): left to the dumper.
_MAX_LINE = 4000
# libyaml writes a key longer than this as a complex key (`? key`).
_MAX_SIMPLE_KEY = 128
_INDENT = 2
_STR_TAG = "tag:yaml.org,2002:str"
_FLOAT_TAG = "tag:yaml.org,2002:float"

_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")
_FLOW_INDICATORS = frozenset(",?[]{}")
_BREAKS = frozenset("\r\n\x85\u2028\u2029")
_BLANKZ = frozenset(" \t\r\n\x85\u2028\u2029")

_resolver = VersionedResolver()
# The first characters of the strings an implicit type (bool, int, null...) may match.
_TYPED_FIRST = frozenset(k for k in _resolver.versioned_resolver if k)
assert None not in _resolver.versioned_resolver  # no type matches any first character
# Every character the implicit types' patterns (YAML 1.2: bool, float, int, timestamp, merge,
# null, value, yaml) can match: a string with any other (`(`, `{`, `"`...) is a string, and
# is written without asking the resolver (PromQL starting with a digit, `1 - (...)`).
_MAYBE_TYPED = re.compile(r"[-+0-9._a-zA-Z:~<=!&* \t]+")

# Printable ASCII strings libyaml writes plain (yaml_emitter_analyze_scalar, below), exactly:
# no leading
# indicator, no `: ` or ` #`, no `-`, `?` or `:` alone or before a space, no leading or
# trailing space, no document marker; in flow collections no `,?[]{}` nor `:` either.
_BLOCK_PLAIN = re.compile(
    r"(?!---|\.\.\.)(?:[^\x00-\x20\x7f-\U0010ffff#,\[\]{}&*!|>'\"%@`?:\-]|[?:\-](?=[\x21-\x7e]))"
    r"(?:[^\x00-\x1f\x7f-\U0010ffff:#]|:(?=[\x21-\x7e])|(?<=[^ ])#)*(?<! )")
_FLOW_PLAIN = re.compile(
    r"(?!---|\.\.\.)(?:[^\x00-\x20\x7f-\U0010ffff#,\[\]{}&*!|>'\"%@`?:\-]|-(?=[\x21-\x7e]))"
    r"(?:[^\x00-\x1f\x7f-\U0010ffff:#,?\[\]{}]|(?<=[^ ])#)*(?<! )")
# On one non-empty line of printable ASCII (`text.isascii() and text.isprintable()`), libyaml
# writes a string plain exactly when the pattern above matches (_block_plain_line tests the
# block one faster), else single-quoted (no analysis needed).
# A literal block libyaml writes as asked, without hints: printable ASCII lines, the first
# not indented, ending in one line break (and no line ending in a space, tested apart).
_LITERAL = re.compile(r"[\x21-\x7e][\x20-\x7e\n]*\n")
# Strings written before, by context: libyaml's choice depends only on the string and whether
# it is a key (simple-key context) or inside a flow collection. Bounded: cleared when full.
_MEMO_SIZE = 50_000
_MEMO_LONGEST = 64
_block: dict[str, str | None] = {}
_key: dict[str, str | None] = {}
_flow: dict[str, str | None] = {}
_key_flow: dict[str, str | None] = {}
_head: dict[str, str] = {}  # a block mapping's `key:`


def dump(data: Any) -> str | None:
    """`data` as YAML text, or None when only the YAML dumper writes it right."""
    out: list[str] = []
    kind = type(data)
    try:
        if kind is dict and data:
            _map(data, 0, out, fresh=True)
        elif kind is list and data:
            _seq(data, 0, out, fresh=True)
        else:
            return None  # a scalar or an empty collection alone: the dumper's
    except _Unsupported:
        return None
    return "".join(out)


def _map(data: dict[str, Any], indent: int, out: list[str], fresh: bool) -> None:
    """A block mapping at `indent`; `fresh`: its first key starts on a line of its own (else
    it follows `- ` on the current line)."""
    pad = " " * indent
    inner = indent + _INDENT
    prefix = pad if fresh else ""
    heads, block = _head, _block
    for key, value in data.items():
        if type(key) is not str:
            raise _Unsupported
        # Memoised texts inline (a miss, or a string left to the dumper, goes to _scalar):
        # this loop and _seq's write every value of a generate's YAML files.
        head = heads.get(key)
        if head is None:
            head = _key_head(key)
        line = prefix + head
        prefix = pad
        kind = type(value)
        if kind is str:
            text = block.get(value)
            if text is None:
                if "\n" in value:
                    out.append(f"{line} {_literal(value, inner)}")
                    continue
                text = _scalar(value, block, flow=False, simple=False)
        elif kind is dict and value:
            out.append(line + "\n")
            _map(value, inner, out, fresh=True)
            continue
        elif kind is list and value:
            # libyaml writes a mapping's sequences at the mapping's own indent.
            out.append(line + "\n")
            _seq(value, indent, out, fresh=True)
            continue
        else:
            text = _inline(value)
        if len(line) + len(text) >= _MAX_LINE:
            raise _Unsupported
        out.append(f"{line} {text}\n")


def _key_head(key: str) -> str:
    """`key:` as a block mapping writes it, remembered."""
    head = _scalar(key, _key, flow=False, simple=True) + ":"
    if len(_head) >= _MEMO_SIZE:
        _head.clear()
    _head[key] = head
    return head


def _seq(data: list[Any], indent: int, out: list[str], fresh: bool) -> None:
    """A block sequence at `indent`; `fresh` as for `_map`."""
    pad = " " * indent
    inner = indent + _INDENT
    line = (pad if fresh else "") + "-"
    item_line = pad + "-"
    block = _block
    for item in data:
        kind = type(item)
        if kind is str:
            text = block.get(item)
            if text is None:
                if "\n" in item:
                    out.append(f"{line} {_literal(item, inner)}")
                    line = item_line
                    continue
                text = _scalar(item, block, flow=False, simple=False)
        elif kind is dict and item:
            out.append(line + " ")
            line = item_line
            _map(item, inner, out, fresh=False)
            continue
        elif kind is list and item:
            out.append(line + " ")
            line = item_line
            _seq(item, inner, out, fresh=False)
            continue
        else:
            text = _inline(item)
        if len(line) + len(text) >= _MAX_LINE:
            raise _Unsupported
        out.append(f"{line} {text}\n")
        line = item_line


def _inline(value: Any, in_flow: bool = False) -> str:
    """A scalar, or a flow collection (or an empty block one, which libyaml writes as flow);
    `in_flow`: an item of a flow collection, where strings follow the flow rules."""
    kind = type(value)
    if kind is str:
        return (_scalar(value, _flow, flow=True, simple=False) if in_flow
                else _scalar(value, _block, flow=False, simple=False))
    if kind is FlowMap or kind is dict:
        return _flow_map(value)
    if kind is FlowList or kind is list:
        return _flow_seq(value)
    return _other(value)


def _flow_map(data: dict[str, Any]) -> str:
    parts = []
    for key, value in data.items():
        if type(key) is not str:
            raise _Unsupported
        parts.append(_scalar(key, _key_flow, flow=True, simple=True) + ": "
                     + _inline(value, in_flow=True))
    return "{" + ", ".join(parts) + "}"


def _flow_seq(data: list[Any]) -> str:
    return "[" + ", ".join(_inline(v, in_flow=True) for v in data) + "]"


def _other(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    kind = type(value)
    if kind is int:
        return str(value)
    if kind is float:
        return _float(value)
    if kind is SingleQuotedScalarString:
        return _single(str(value))
    raise _Unsupported  # any other type


def _float(value: float) -> str:
    """SafeRepresenter.represent_float (YAML 1.2), written plain when it reads back a float."""
    if value != value:  # noqa: PLR0124 - NaN
        text = ".nan"
    elif value in (math.inf, -math.inf):
        text = ".inf" if value > 0 else "-.inf"
    else:
        text = repr(value).lower()
    if _resolver.resolve(ScalarNode, text, (True, False)) != _FLOAT_TAG:
        raise _Unsupported
    return text


def _single(text: str) -> str:
    """A string the representer asks to be single-quoted (libyaml falls back to double quotes
    when single quotes cannot hold it: left to the dumper)."""
    a = _analyze(text)
    if a is None or a[0] or not a[3]:
        raise _Unsupported
    return "'" + text.replace("'", "''") + "'"


def _scalar(text: str, memo: dict[str, str | None], flow: bool, simple: bool) -> str:
    if len(text) > _MEMO_LONGEST:  # mostly unique (expressions): not kept, to hold no memory
        try:
            found = _style(text, flow, simple)
        except _Unsupported:
            found = None
    else:
        found = memo.get(text, "")
        if found == "":
            if len(memo) >= _MEMO_SIZE:
                memo.clear()
            try:
                found = _style(text, flow, simple)
            except _Unsupported:
                found = None
            memo[text] = found
    if found is None:
        raise _Unsupported
    return found


def _style(text: str, flow: bool, simple: bool) -> str | None:
    """How libyaml writes the string `text` requested plain (yaml_emitter_select_scalar_style),
    or None when that is not plain or single-quoted. The representer asks for double quotes
    when the text has a `'` and may not be plain: left to the dumper."""
    if simple and len(text) > _MAX_SIMPLE_KEY:
        return None
    # Most strings are printable ASCII that libyaml writes plain: settled by substring tests
    # or one regex match (and no resolver lookup when no implicit type can match them).
    if "'" not in text and text and text.isascii() and text.isprintable():
        if (_FLOW_PLAIN.fullmatch(text) if flow else _block_plain_line(text)) and (
                text[0] not in _TYPED_FIRST or not _MAYBE_TYPED.fullmatch(text)
                or _resolver.resolve(ScalarNode, text, (True, False)) == _STR_TAG):
            return text
        # Not plain (an indicator, `: `...), or read back as another type (`1`, `true`...):
        # on one printable ASCII line, libyaml single-quotes it.
        return "'" + text + "'"
    a = _analyze(text)
    if a is None:
        return None
    multiline, flow_plain, block_plain, single_ok = a
    if multiline:
        return None  # double quotes across lines
    if "'" in text and not _python_block_plain(text):
        # The representer asks for double quotes (dump._represent_str).
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    plain = flow_plain if flow else block_plain
    if not text and (flow or simple):
        plain = False
    if plain and _resolver.resolve(ScalarNode, text, (True, False)) != _STR_TAG:
        plain = False
    if plain:
        return text
    if not single_ok:
        return None  # libyaml's double quotes
    return "'" + text.replace("'", "''") + "'"


def _block_plain_line(text: str) -> bool:
    """`_BLOCK_PLAIN.fullmatch(text)` for a non-empty line of printable ASCII, by substring
    tests: PromQL expressions of hundreds of characters are written many times over."""
    first = text[0]
    if first in _FIRST_INDICATORS or first == " " or (
            first in "?:-" and (len(text) == 1 or text[1] == " ")):
        return False
    return not (text.endswith((" ", ":")) or ": " in text or " #" in text
                or text.startswith(("---", "...")))


def block_plain_allowed(text: str) -> bool:
    """Whether ruamel's scalar analysis lets `text` be written plain in block context (the
    representer's test for strings holding a `'`)."""
    return bool(_ANALYSIS.analyze_scalar(text).allow_block_plain)


class _AnalysisEmitter(Emitter):
    """An emitter used only for its scalar analysis. Without a dumper, ruamel's analysis asks
    the emitter itself for the YAML version (for `?`, an indicator in YAML 1.1) and an emitter
    made with no stream has none: 1.1, the rules libyaml's emitter writes by."""

    use_version = (1, 1)


_ANALYSIS = _AnalysisEmitter(None)


def _python_block_plain(text: str) -> bool:
    """What dump._plain_allowed says (the representer's test, by ruamel's own analysis)."""
    return block_plain_allowed(text)


def _printable(char: str) -> bool:
    """libyaml's IS_PRINTABLE (with unicode allowed)."""
    code = ord(char)
    return (code == 0x0A or 0x20 <= code <= 0x7E or 0xA0 <= code <= 0xD7FF
            or (0xE000 <= code <= 0xFFFD and code != 0xFEFF))


def _analyze(text: str) -> tuple[bool, bool, bool, bool] | None:
    """libyaml's yaml_emitter_analyze_scalar: (multiline, flow plain allowed, block plain
    allowed, single quotes allowed); None when it finds special characters (double quotes)."""
    if not text:
        return False, False, True, True
    flow_ind = block_ind = False
    if text.startswith(("---", "...")):
        flow_ind = block_ind = True
    line_breaks = leading_space = leading_break = trailing_space = trailing_break = False
    break_space = space_break = previous_space = previous_break = False
    preceded_by_ws = True
    last = len(text) - 1
    for i, char in enumerate(text):
        followed_by_ws = i == last or text[i + 1] in _BLANKZ
        if i == 0:
            if char in _FIRST_INDICATORS:
                flow_ind = block_ind = True
            elif char in "?:":
                flow_ind = True
                if followed_by_ws:
                    block_ind = True
            elif char == "-" and followed_by_ws:
                flow_ind = block_ind = True
        else:
            if char in _FLOW_INDICATORS:
                flow_ind = True
            elif char == ":":
                flow_ind = True
                if followed_by_ws:
                    block_ind = True
            elif char == "#" and preceded_by_ws:
                flow_ind = block_ind = True
        if not _printable(char):
            return None
        if char in _BREAKS:
            line_breaks = True
        if char == " ":
            leading_space = leading_space or i == 0
            trailing_space = trailing_space or i == last
            break_space = break_space or previous_break
            previous_space, previous_break = True, False
        elif char in _BREAKS:
            leading_break = leading_break or i == 0
            trailing_break = trailing_break or i == last
            space_break = space_break or previous_space
            previous_space, previous_break = False, True
        else:
            previous_space = previous_break = False
        preceded_by_ws = char in _BLANKZ
    flow_plain = block_plain = single_ok = True
    if leading_space or leading_break or trailing_space or trailing_break:
        flow_plain = block_plain = False
    if break_space:
        flow_plain = block_plain = single_ok = False
    if space_break:
        return None
    if line_breaks:
        flow_plain = block_plain = False
    if flow_ind:
        flow_plain = False
    if block_ind:
        block_plain = False
    return line_breaks, flow_plain, block_plain, single_ok


def _literal(value: str, indent: int) -> str:
    """A multi-line string as the representer asks for it (a literal block, `|`, with a final
    line break added) and libyaml writes it: content lines at `indent`, empty lines empty."""
    text = value if value.endswith("\n") else value + "\n"
    if _LITERAL.fullmatch(text) and " \n" not in text and not text.endswith("\n\n"):
        return "|\n" + "".join(" " * indent + line + "\n" if line else "\n"
                               for line in text[:-1].split("\n"))
    a = _analyze(text)
    # Not a block libyaml would write as asked (trailing spaces, other line breaks...), or
    # one with indentation or chomping hints: left to the dumper.
    if a is None or any(c in text for c in "\r\x85\u2028\u2029") or text[0] in " \n" \
            or text.endswith("\n\n"):
        raise _Unsupported
    if any(line.endswith(" ") for line in text.split("\n")):
        raise _Unsupported
    pad = " " * indent
    lines = text[:-1].split("\n")
    return "|\n" + "".join(pad + line + "\n" if line else "\n" for line in lines)
