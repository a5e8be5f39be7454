"""Which rules could write the same series: checked over every rule file of the output at once.

Two recording rules with the same name write the same series when their label sets can be
equal; Prometheus then keeps whichever sample came first in each evaluation ("duplicate sample
for timestamp"), and every reader sees the series flip between the writers. Two alerting rules
with the same name and labels do the same to ALERTS and to Alertmanager. A rule whose static
labels overwrite a label its expression keeps merges series, and Prometheus fails the rule.

Label sets are compared from what is known without data: static rule labels, equality matchers
that survive to the result, and whether the result's labels are closed (an aggregation with
`by`). Rules are reported only when nothing tells them apart.
"""

from __future__ import annotations

import sys
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from generator.core import naming
from generator.core.errors import SpecError
from generator.core.model import Model, Service, Source
from generator.core.promql_syntax import Shape, parse_error, shape
from generator.targets.prometheus.rule_files import (
    Layout,
    layout,
    rule_groups,
    rule_sources,
    rules_path,
)


@dataclass(frozen=True, slots=True)
class Writer:
    """One rule as a writer of series: `record` or `alert` name, static labels, result shape.

    Every rule of the output is held at once for the check across files (95,000 at 10,000
    SLOs), so writers are kept small: strings interned, empty shapes shared."""

    kind: str
    name: str
    labels: Mapping[str, str]
    shape: Shape
    where: str  # "<file> group <name> rule <n>"
    source: Source | None

    @classmethod
    def of(cls, rule: Mapping[str, object], where: str, source: Source | None) -> Writer:
        """The writer a rule dictionary (Prometheus rule-file shape) describes."""
        kind = "record" if "record" in rule else "alert"
        labels = rule.get("labels") or {}
        assert isinstance(labels, Mapping)
        return cls.compact(kind, str(rule[kind]), labels, shape(str(rule["expr"])), where,
                           source)

    @classmethod
    def compact(cls, kind: str, name: str, labels: Mapping[str, str], found: Shape, where: str,
                source: Source | None) -> Writer:
        """A writer whose strings are interned and whose shape is shared when it is empty."""
        return cls(_intern(kind), _intern(name),
                   {_intern(k): _intern(str(v)) for k, v in labels.items()},
                   _compact_shape(found.kept, found.fixed, found.closed, found.among), where,
                   source)

    def fixed(self) -> dict[str, str]:
        """Labels whose value is known: the expression's pinned ones, then the rule's own. A
        rule label with an empty value removes the label (Prometheus has no empty labels), so
        it pins nothing (see `naming.part_label`)."""
        if "" in self.labels.values():
            return {k: v for k, v in {**self.shape.fixed, **self.labels}.items() if v}
        return {**self.shape.fixed, **self.labels}

    def values(self) -> dict[str, frozenset[str]]:
        """Labels with a known set of possible values: set matchers, then the pinned ones."""
        return {**self.shape.among, **{k: frozenset({v}) for k, v in self.fixed().items()}}

    def known(self) -> frozenset[str]:
        """Every label the result may carry that is known by name."""
        return self.shape.kept | frozenset(self.fixed())

    def describe(self) -> str:
        """Where the rule is, and the spec that produced it."""
        return self.where + (f" (from {self.source.prefix()})" if self.source else "")


_EMPTY = {closed: Shape(closed=closed) for closed in (False, True)}


# Called for every string of every rule: the builtin itself, not a function around it.
_intern = sys.intern


def _compact_shape(kept: Collection[str], fixed: Mapping[str, str], closed: bool,
                   among: Mapping[str, Iterable[str]]) -> Shape:
    """A shape of these parts with its strings interned, the shared one when it is empty.

    Every writer's shape passes here (a rendered rule's, and one read back from JSON), about
    two thirds of them with pinned labels alone: empty parts are not rebuilt."""
    if not kept and not fixed and not among:
        return _EMPTY[closed]
    return Shape(frozenset(map(_intern, kept)) if kept else frozenset(),
                 {_intern(k): _intern(v) for k, v in fixed.items()} if fixed else {},
                 closed,
                 {_intern(k): frozenset(map(_intern, v)) for k, v in among.items()}
                 if among else {})


def overwritten(writer: Writer) -> list[str]:
    """Static labels of `writer` that overwrite a label its expression keeps without keeping a
    copy as `exported_<label>` (which tells the series apart again), sorted."""
    kept = writer.shape.kept
    if not kept:  # most rules: no label kept from the data, none to overwrite
        return []
    return sorted(k for k in frozenset(writer.labels) & kept
                  if naming.EXPORTED_PREFIX + k not in kept)


def disjoint(a: Writer, b: Writer) -> bool:
    """True when `a` and `b` can never write the same label set."""
    fa, fb = a.fixed(), b.fixed()
    if any(fb[k] != v for k, v in fa.items() if k in fb):
        return True
    # Labels each side pins to one of a set of values (`slo_id=~"a|b"`): disjoint sets.
    va, vb = a.values(), b.values()
    if any(not (v & vb[k]) for k, v in va.items() if k in vb):
        return True
    # A closed result lacks every label it does not name; a pinned label on the other side
    # is always there.
    if a.shape.closed and set(fb) - a.known():
        return True
    return bool(b.shape.closed and set(fa) - b.known())


def clashes(writers: Iterable[Writer]) -> list[tuple[Writer, Writer]]:
    """Pairs of writers with the same kind and name that nothing tells apart."""
    by_name: dict[tuple[str, str], list[Writer]] = {}
    for w in writers:
        by_name.setdefault((w.kind, w.name), []).append(w)
    found: list[tuple[Writer, Writer]] = []
    for group in by_name.values():
        if len(group) < 2 or _told_apart_by_one_label(group):
            continue
        order = {id(w): i for i, w in enumerate(group)}
        pairs = [(a, b) for part in _split(group) for a, b in combinations(part, 2)
                 if not disjoint(a, b)]
        # In the order `combinations(group, 2)` gives them.
        found += sorted(pairs, key=lambda p: (order[id(p[0])], order[id(p[1])]))
    return found


def _split(group: list[Writer]) -> list[list[Writer]]:
    """`group` in parts (each in the group's order) such that writers in different parts are
    disjoint; parts of one writer are left out.

    Two writers that pin one label to disjoint sets of values never write one series
    (`disjoint`'s first two tests), so only writers whose values of a label every one of them
    pins overlap need comparing: a group of a few hundred writers split by `slo_id` compares
    tens of pairs, not tens of thousands."""
    values = [w.values() for w in group]
    common = set.intersection(*(set(v) for v in values))
    best: list[list[Writer]] = [group]
    for key in sorted(common):
        parts = _components(group, [v[key] for v in values])
        if len(parts) > len(best):
            best = parts
    return [part for part in best if len(part) > 1]


def _components(group: list[Writer], sets: list[frozenset[str]]) -> list[list[Writer]]:
    """The writers of `group` joined when their sets of values share one, in group order."""
    parent = list(range(len(group)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first: dict[str, int] = {}
    for i, found in enumerate(sets):
        for value in found:
            j = first.setdefault(value, i)
            if j != i:
                parent[root(i)] = root(j)
    parts: dict[int, list[Writer]] = {}
    for i, w in enumerate(group):
        parts.setdefault(root(i), []).append(w)
    return list(parts.values())


def _told_apart_by_one_label(group: list[Writer]) -> bool:
    # The common case at scale (every SLO's rules carry their own slo_id): one label pinned to a
    # different value in every writer settles all pairs without comparing each.
    fixed = [w.fixed() for w in group]
    common = set.intersection(*(set(f) for f in fixed))
    return any(len({f[k] for f in fixed}) == len(group) for k in common)


def rule_problems(model: Model) -> list[SpecError]:
    """Located errors for the rules `model` generates: a rule that does not parse, a rule label
    over a label its expression keeps, two rules (in any files) that can write one series."""
    lay = layout(model.prometheus)
    writers: list[Writer] = []
    errors: list[SpecError] = []
    for service in model.services:
        found, problems = service_writers(service, lay)
        writers += found
        errors += problems
    return errors + clash_errors(writers)


def service_writers(service: Service, lay: Layout) -> tuple[list[Writer], list[SpecError]]:
    """The writers of one service's rule file, and the problems found in that file alone (a rule
    that does not parse, a rule label over a label its expression keeps)."""
    writers: list[Writer] = []
    errors: list[SpecError] = []
    sources = rule_sources(service, lay)
    file = rules_path(service.name).as_posix()
    for group in rule_groups(service, lay):
        for i, rule in enumerate(group["rules"], start=1):
            w = Writer.of(rule, f"{file} group {group['name']} rule {i}",
                          sources.get((group["name"], i)))
            writers.append(w)
            if (error := parse_error(str(rule["expr"]), rule=True)) is not None:
                errors.append(_error(w, service.source_file,
                                     f"{w.kind} {w.name} in {w.where} does not parse: {error}"))
            if labels := overwritten(w):
                errors.append(_error(w, service.source_file, (
                    f"{w.kind} {w.name} in {w.where} sets {', '.join(labels)}, which its "
                    "expression keeps: series that differ only there would merge; "
                    "aggregate the label away or rename it")))
    return writers, errors


def clash_errors(writers: Iterable[Writer]) -> list[SpecError]:
    """Located errors for two rules (in any files) that can write one series."""
    return [_error(b, b.where, (
        f"{a.kind} {a.name} is written by {b.where} and by {a.describe()} with nothing to "
        "tell their series apart; give one another name or a distinguishing label"))
        for a, b in clashes(writers)]


def to_record(w: Writer) -> list[Any]:
    """`w` as plain JSON data, for the index that spares an incremental generate re-reading
    the rules of services whose specs did not change."""
    src = w.source
    return [w.kind, w.name, dict(w.labels), sorted(w.shape.kept), dict(w.shape.fixed),
            w.shape.closed, w.where,
            None if src is None else [src.file, src.path, src.line, src.column],
            {k: sorted(v) for k, v in w.shape.among.items()}]


def is_record(data: Any) -> bool:
    """Whether `data` has the shape `to_record` writes (so `from_record` reads it)."""
    if type(data) is not list or len(data) != 9:  # noqa: PLR2004 - the record's fields
        return False
    kind, name, labels, kept, fixed, closed, where, src, among = data
    return (type(kind) is str and type(name) is str and _strings(labels)
            and type(kept) is list and all(type(k) is str for k in kept) and _strings(fixed)
            and type(closed) is bool and type(where) is str
            and (src is None or (type(src) is list and len(src) == 4  # noqa: PLR2004
                                 and type(src[0]) is str and type(src[1]) is str
                                 and all(v is None or type(v) is int for v in src[2:])))
            and type(among) is dict and all(
                type(v) is list and all(type(x) is str for x in v) for v in among.values()))


def _strings(data: Any) -> bool:
    return type(data) is dict and all(type(v) is str for v in data.values())


def from_record(data: Any) -> Writer:
    """The writer `to_record` wrote."""
    kind, name, labels, kept, fixed, closed, where, src, among = data
    source = None if src is None else Source(_intern(src[0]), src[1], src[2], src[3])
    # Built once from the JSON parts (`is_record` holds them to their types), not as a shape
    # that `Writer.compact` would copy again.
    return Writer(_intern(kind), _intern(name), {_intern(k): _intern(v) for k, v in labels.items()},
                  _compact_shape(kept, fixed, bool(closed), among), where, source)


def _error(w: Writer, fallback_file: str, message: str) -> SpecError:
    src = w.source
    if src is None:
        return SpecError(fallback_file, None, None, "(generated rules)", message)
    return SpecError(src.file, src.line, src.column, src.path, message)
