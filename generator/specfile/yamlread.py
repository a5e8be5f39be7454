"""Parse YAML text into plain data, recording where every key and scalar value is written.

We walk ruamel.yaml's node graph ourselves instead of using its constructor: that way duplicate
keys, tags, aliases and nesting get messages with the key path, and value positions are kept.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.reader import ReaderError
from ruamel.yaml.resolver import VersionedResolver

from generator.core.errors import Loc, SpecError, SpecErrors, format_path
from generator.specfile.yamlcompose import MAX_DEPTH, LimitError, compose_documents

# Aliases can make a tiny file expand exponentially ("billion laughs"); cap the plain result.
MAX_NODES = 2_000_000
_CORE = "tag:yaml.org,2002:"
_SCALAR_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null")}


@dataclass(frozen=True)
class Locator:
    """Maps a key path inside one file to the line and column where it is written."""

    file: str
    positions: Mapping[Loc, tuple[int, int]] = field(default_factory=dict)
    values: Mapping[Loc, tuple[int, int]] = field(default_factory=dict)

    def find(self, loc: Loc, *, key: bool = False) -> tuple[int | None, int | None]:
        """Where `loc` is written: its scalar value, else its key, else its nearest ancestor."""
        path = tuple(loc)
        if not key and path in self.values:
            return self.values[path]
        while path:
            if path in self.positions:
                return self.positions[path]
            path = path[:-1]
        return self.positions.get((), (None, None))

    def error(self, loc: Loc, message: str, *, key: bool = False) -> SpecError:
        """A located error for `loc` in this file (at the key itself when `key`)."""
        line, column = self.find(loc, key=key)
        return SpecError(self.file, line, column, format_path(loc), message)


def parse_yaml(text: str, shown: str) -> tuple[Any, Locator]:
    """Parse one YAML document into plain data and a Locator; raise SpecErrors when invalid."""
    yaml = YAML(typ="safe", pure=True)
    try:
        documents = _compose_fast(text)
        if documents is None:
            documents = compose_documents(yaml.parse(io.StringIO(text)), yaml.resolver)
    except LimitError as exc:
        raise SpecErrors([SpecError(shown, exc.line, exc.column, "(document)",
                                    f"invalid YAML: {exc.message}")]) from None
    except MarkedYAMLError as exc:
        raise SpecErrors([_syntax_error(exc, shown)]) from None
    except ReaderError as exc:
        raise SpecErrors([_character_error(exc, text, shown)]) from None
    except (YAMLError, ValueError, TypeError, RecursionError, AttributeError) as exc:
        raise SpecErrors([SpecError(shown, None, None, "(document)",
                                    f"invalid YAML: {_one_line(exc)}")]) from None
    if not documents:
        raise SpecErrors([SpecError(shown, 1, 1, "(document)",
                                    "the file is empty; start it with `version: slogen/v1`")])
    if len(documents) > 1:
        line, column = _mark(documents[1])
        raise SpecErrors([SpecError(shown, line, column, "(document)",
                                    "expected one YAML document, found a second one here; "
                                    "remove the `---` separators and put each service in its "
                                    "own file")])
    walker = _Walker(yaml)
    try:
        data = walker.plain(documents[0], (), frozenset())
    except _WalkError as exc:
        raise SpecErrors([SpecError(shown, exc.line, exc.column, format_path(exc.loc),
                                    exc.message)]) from None
    return data, Locator(shown, walker.positions, walker.values)


def _compose_fast(text: str) -> list[Node] | None:
    """The documents as composed from libyaml's (C) events, or None when the pure parser must.

    The C parser is several times faster on large spec sets, so it also enforces the limits
    (a LimitError propagates) before the slow parser ever sees a hostile file. A parse
    problem is left to the pure-Python parser, whose messages and marks the error reporting
    below is written for.
    """
    yaml = YAML(typ="safe", pure=False)
    yaml.Resolver = _Yaml12Resolver
    try:
        # Composed here, not by the C composer, which recurses and crashes on deep nesting.
        documents = compose_documents(yaml.parse(io.StringIO(text)), yaml.resolver)
    except LimitError:
        raise
    except Exception:  # noqa: BLE001 - any failure: the pure parser reports it properly
        return None
    # The two parsers differ on tabs (rejected by the pure one with a clear message) and on
    # `%YAML` directives (the C events carry no version for the resolver), so those files go
    # the slow way, now known to be within the limits.
    if "\t" in text or text.startswith("%") or "\n%" in text:
        return None
    # libyaml marks an empty value right after its key, the pure parser on the next token;
    # keep the positions errors have always named.
    return None if any(_empty_scalars(d) for d in documents) else documents


class _Yaml12Resolver(VersionedResolver):
    """Resolves as YAML 1.2 without looking the version up again (costly) for every node.

    Only used for files without directives, which are YAML 1.2.
    """

    @property
    def processing_version(self) -> tuple[int, int]:
        """Always YAML 1.2."""
        return (1, 2)


def _empty_scalars(root: Node) -> bool:
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.value == "" and not node.style:
                return True
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, MappingNode):
            stack.extend(n for pair in node.value for n in pair)
    return False


def _syntax_error(exc: MarkedYAMLError, shown: str) -> SpecError:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    column = mark.column + 1 if mark else None
    problem = str(exc.problem or "")
    if "'\\t'" in problem or "\t" in problem:
        message = "a tab character; YAML indents with spaces only"
    else:
        message = " ".join(str(x) for x in (exc.context, exc.problem) if x) or "cannot parse"
        started = exc.context_mark
        if started is not None and line is not None and started.line + 1 < line:
            # The parser notices a broken quote or indent only later; point back to its start.
            message += (f" (the structure started on line {started.line + 1}; check quotes "
                        "and indentation from there)")
    return SpecError(shown, line, column, "(document)", f"invalid YAML: {message}")


def _character_error(exc: ReaderError, text: str, shown: str) -> SpecError:
    before = text[: exc.position]
    line, column = before.count("\n") + 1, exc.position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
    return SpecError(shown, line, column, "(document)",
                     f"invalid YAML: control character U+{code:04X} is not allowed; remove it")


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split())[:500]


_SURROGATE = re.compile("[\ud800-\udfff]")


def _refuse_surrogates(node: Node, loc: Loc, text: str) -> None:
    """An escape like "\\ud800" reads as half a UTF-16 pair, which no UTF-8 output can hold."""
    found = _SURROGATE.search(text)
    if found:
        raise _WalkError(node, loc, f"the escape \\u{ord(found.group()):04x} is half of a UTF-16 "
                                    "surrogate pair, not a character; write the character "
                                    "itself or one \\U00XXXXXX escape")


class _WalkError(Exception):
    def __init__(self, node: Node, loc: Loc, message: str) -> None:
        self.line, self.column = _mark(node)
        self.loc, self.message = loc, message


class _Walker:
    """Turns composed nodes into dicts, lists and scalars, noting positions on the way."""

    def __init__(self, yaml: YAML) -> None:
        self.constructor = yaml.constructor
        self.positions: dict[Loc, tuple[int, int]] = {(): (1, 1)}
        self.values: dict[Loc, tuple[int, int]] = {}
        self.count = 0

    def plain(self, node: Node, loc: Loc, parents: frozenset[int]) -> Any:
        """Plain Python data for `node`, found at `loc`."""
        self.count += 1
        if self.count > MAX_NODES:
            raise _WalkError(node, loc, f"the document expands to more than {MAX_NODES} values "
                                        "(through aliases); write it out plainly")
        if len(loc) > MAX_DEPTH:
            raise _WalkError(node, loc, f"nesting deeper than {MAX_DEPTH} levels")
        if isinstance(node, ScalarNode):
            self.values[loc] = _mark(node)
            return self._scalar(node, loc)
        if id(node) in parents:
            raise _WalkError(node, loc, "recursive YAML alias; write the value out instead")
        parents = parents | {id(node)}
        tag = str(node.tag)
        if tag not in (f"{_CORE}map", f"{_CORE}seq"):
            kind = tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
            raise _WalkError(node, loc, f"YAML type {kind} is not supported here; remove the tag")
        if isinstance(node, MappingNode):
            return self._mapping(node, loc, parents)
        if isinstance(node, SequenceNode):
            items = []
            for index, child in enumerate(node.value):
                self.positions[(*loc, index)] = _mark(child)
                items.append(self.plain(child, (*loc, index), parents))
            return items
        raise _WalkError(node, loc, "unsupported YAML node")

    def _mapping(self, node: MappingNode, loc: Loc, parents: frozenset[int]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if str(key_node.tag) == f"{_CORE}merge":
                raise _WalkError(key_node, loc, "merge keys (<<) are not supported; "
                                                "write the keys out")
            if not isinstance(key_node, ScalarNode) or str(key_node.tag) != f"{_CORE}str":
                shown = key_node.value if isinstance(key_node, ScalarNode) else "a collection"
                raise _WalkError(key_node, loc, f"keys must be strings, got {shown}; quote the key")
            key = str(key_node.value)
            child = (*loc, key)
            _refuse_surrogates(key_node, child, key)
            if key in first_line:
                raise _WalkError(key_node, child, f"duplicate key {key!r}; it is already set "
                                                  f"on line {first_line[key]}")
            first_line[key] = key_node.start_mark.line + 1
            self.positions[child] = _mark(key_node)
            out[key] = self.plain(value_node, child, parents)
        return out

    def _scalar(self, node: ScalarNode, loc: Loc) -> Any:
        tag = str(node.tag)
        if tag not in _SCALAR_TAGS:
            kind = tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
            raise _WalkError(node, loc, f"YAML type {kind} is not supported here; "
                                        f"write {node.value!r} in quotes to keep it as text")
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (YAMLError, ValueError, TypeError, OverflowError) as exc:
            raise _WalkError(node, loc, f"cannot read {node.value!r}: {_one_line(exc)}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise _WalkError(node, loc, "NaN and infinity are not allowed here")
        if isinstance(value, str):
            _refuse_surrogates(node, loc, value)
        return value
