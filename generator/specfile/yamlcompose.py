"""Compose YAML events into nodes without recursion, enforcing limits while the events arrive.

ruamel's composers recurse once per nesting level: the C one overflows the C stack and kills
the process (a few thousand nested `{`), the Python one raises an unlocated RecursionError.
libyaml's scanner also slows down quadratically with depth. Composing here, from the lazily
produced event stream, stops a hostile file at the first event past a limit, with its line and
column, before the parser has seen the rest of it.

Limits (per document):
- nesting depth: MAX_DEPTH collections inside each other;
- alias expansion: aliases may add at most MAX_ALIAS_NODES nodes to the expanded document
  ("billion laughs" expands a few lines into billions of values);
- size: at most MAX_NODES nodes are composed (a flat 4 MiB list would otherwise need
  gigabytes of node objects).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.events import (
    AliasEvent,
    DocumentEndEvent,
    DocumentStartEvent,
    Event,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
    StreamStartEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_DEPTH = 64
MAX_ALIAS_NODES = 20_000
MAX_NODES = 20_000


class LimitError(Exception):
    """A document passed one of the limits; `line` and `column` are 1-based."""

    def __init__(self, mark: Any, message: str) -> None:
        super().__init__(message)
        self.line = int(getattr(mark, "line", 0)) + 1
        self.column = int(getattr(mark, "column", 0)) + 1
        self.message = message


@dataclass
class _Open:
    """A collection whose end event has not arrived yet."""

    node: SequenceNode | MappingNode
    size: int = 1  # nodes in the expanded subtree so far, itself included
    pending_key: Node | None = None
    anchor: str | None = None


@dataclass
class _State:
    anchors: dict[str, Node] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)  # expanded size of each anchor's node
    open_anchors: set[str] = field(default_factory=set)
    composed: int = 0
    aliased: int = 0


def compose_documents(events: Iterable[Event], resolver: Any) -> list[Node]:
    """The root node of every document in `events`; raise LimitError at the first limit hit.

    Undefined and recursive aliases are LimitErrors too, as the walker could not handle them.
    """
    documents: list[Node] = []
    stream = iter(events)
    for event in stream:
        if isinstance(event, (StreamStartEvent, StreamEndEvent, DocumentEndEvent)):
            continue
        if isinstance(event, DocumentStartEvent):
            documents.append(_compose_one(stream, resolver, _State()))
            if len(documents) == 2:
                break  # a spec is one document; the rest need not be read
    return documents


def _compose_one(stream: Iterator[Event], resolver: Any, state: _State) -> Node:
    stack: list[_Open] = []
    node: Node
    for event in stream:
        if isinstance(event, (SequenceEndEvent, MappingEndEvent)):
            done = stack.pop()
            done.node.end_mark = event.end_mark
            if done.anchor is not None:
                state.sizes[done.anchor] = done.size
                state.open_anchors.discard(done.anchor)
            node, size = done.node, done.size
        elif isinstance(event, AliasEvent):
            node, size = _alias(event, state)
        else:
            node, size = _start(event, resolver, state, len(stack))
            if isinstance(node, (SequenceNode, MappingNode)):
                anchor = getattr(event, "anchor", None)
                if anchor is not None:
                    state.open_anchors.add(anchor)
                stack.append(_Open(node, anchor=anchor))
                continue
        if not stack:
            return node
        _attach(stack[-1], node, size)
    raise LimitError(None, "the YAML document ends early")


def _start(event: Event, resolver: Any, state: _State, depth: int) -> tuple[Node, int]:
    state.composed += 1
    if state.composed > MAX_NODES:
        raise LimitError(event.start_mark, f"the document has more than {MAX_NODES:,} values; "
                                           "split it into several files")
    tag = getattr(event, "ctag", None)
    explicit = tag is not None and str(tag) != "!"
    node: Node
    if isinstance(event, ScalarEvent):
        if not explicit:
            tag = resolver.resolve(ScalarNode, event.value, event.implicit)
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style,
                          anchor=event.anchor)
    elif isinstance(event, (SequenceStartEvent, MappingStartEvent)):
        if depth >= MAX_DEPTH:
            raise LimitError(event.start_mark, f"nesting deeper than {MAX_DEPTH} levels; "
                                               "flatten the structure")
        kind = SequenceNode if isinstance(event, SequenceStartEvent) else MappingNode
        if not explicit:
            tag = resolver.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style,
                    anchor=event.anchor)
    else:
        raise LimitError(event.start_mark, f"unexpected YAML event {type(event).__name__}")
    if event.anchor is not None:
        state.anchors[event.anchor] = node
        state.sizes[event.anchor] = 1
    return node, 1


def _alias(event: AliasEvent, state: _State) -> tuple[Node, int]:
    name = event.anchor
    if name not in state.anchors:
        raise LimitError(event.start_mark, f"alias *{name} is not defined before it is used")
    if name in state.open_anchors:
        raise LimitError(event.start_mark, f"recursive YAML alias *{name}; "
                                           "write the value out instead")
    size = state.sizes[name]
    state.aliased += size
    if state.aliased > MAX_ALIAS_NODES:
        raise LimitError(event.start_mark,
                         f"aliases expand the document by more than {MAX_ALIAS_NODES:,} "
                         "values; write the repeated parts out plainly")
    return state.anchors[name], size


def _attach(parent: _Open, node: Node, size: int) -> None:
    parent.size += size
    if isinstance(parent.node, SequenceNode):
        parent.node.value.append(node)
    elif parent.pending_key is None:
        parent.pending_key = node
    else:
        parent.node.value.append((parent.pending_key, node))
        parent.pending_key = None
