"""The generated Prometheus rule files as the backtest replays them: groups, recording rules in
dependency levels, alert rules unchanged, and how far back each alert reads.

`promtool tsdb create-blocks-from rules` evaluates every rule of a file against the Prometheus it
is pointed at, so a rule reading another recorded series only sees it once that series' blocks
are loaded. The rules are therefore split into levels: level 0 reads raw series only, level n
reads at least one series recorded at level n - 1. Each level keeps its group names and
intervals, so promtool evaluates it on the same schedule as Prometheus would.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from ruamel.yaml import YAML

from generator.core.durations import parse_duration
from generator.live.promql import selectors

# A range or subquery: `[5m]`, `[1d:5m]`, `[59m59s999ms]`.
_RANGE = re.compile(r"\[\s*([0-9a-z]+)\s*(?::\s*([0-9a-z]*)\s*)?\]")
_OFFSET = re.compile(r"\boffset\s+(-?[0-9a-z]+)")
# An instant selector looks back this far for the newest sample (Prometheus' default).
LOOKBACK = timedelta(minutes=5)


@dataclass(frozen=True)
class Rule:
    """One rule of a generated group; exactly one of `record` and `alert` is set."""

    expr: str
    record: str = ""
    alert: str = ""
    for_: timedelta = timedelta(0)
    keep_firing_for: timedelta = timedelta(0)
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Group:
    """A rule group with its evaluation interval (the global one when the group sets none)."""

    file: str
    name: str
    interval: timedelta
    rules: tuple[Rule, ...]
    explicit_interval: bool = False


def parse_rule_file(text: str, file: str, default_interval: timedelta) -> list[Group]:
    """The groups of one generated rule file."""
    data = YAML(typ="safe").load(io.StringIO(text)) or {}
    groups = []
    for g in data.get("groups") or []:
        rules = tuple(Rule(expr=str(r["expr"]).strip(), record=str(r.get("record", "")),
                           alert=str(r.get("alert", "")),
                           for_=parse_duration(str(r.get("for", "0s"))),
                           keep_firing_for=parse_duration(str(r.get("keep_firing_for", "0s"))),
                           labels={str(k): str(v) for k, v in (r.get("labels") or {}).items()})
                      for r in g.get("rules") or [])
        interval = g.get("interval")
        groups.append(Group(file, str(g["name"]),
                            parse_duration(str(interval)) if interval else default_interval,
                            rules, interval is not None))
    return groups


def reads(expr: str) -> set[str]:
    """Metric names (raw or recorded) that `expr` selects."""
    return {name for sel in selectors(expr) if (name := sel.name()) is not None}


def recording_levels(groups: Sequence[Group]) -> list[list[Group]]:
    """The recording rules split into dependency levels, each level a list of groups holding only
    that level's rules (same names and intervals). Raises ValueError on a cycle."""
    records = {r.record for g in groups for r in g.rules if r.record}
    level: dict[str, int] = {}
    pending = [r for g in groups for r in g.rules if r.record]
    while pending:
        progressed = []
        for rule in pending:
            deps = reads(rule.expr) & records
            if all(d in level for d in deps):
                progressed.append(rule)
        if not progressed:
            raise ValueError("recording rules read each other in a cycle: "
                             + ", ".join(sorted({r.record for r in pending})))
        for rule in progressed:
            deps = reads(rule.expr) & records
            # A record written by several rules is ready once all of them are.
            level[rule.record] = max(level.get(rule.record, 0),
                                     1 + max((level[d] for d in deps), default=-1))
        pending = [r for r in pending if r not in progressed]
    depth = max(level.values(), default=-1) + 1
    found: list[list[Group]] = []
    for n in range(depth):
        found.append([Group(g.file, g.name, g.interval,
                            tuple(r for r in g.rules if r.record and level[r.record] == n),
                            g.explicit_interval)
                      for g in groups
                      if any(r.record and level[r.record] == n for r in g.rules)])
    return found


def level_file(groups: Sequence[Group]) -> str:
    """A rule file holding `groups` (recording rules only), for promtool to backfill."""
    out = io.StringIO()
    data = {"groups": [{"name": g.name, "interval": f"{int(g.interval.total_seconds())}s",
                        "rules": [{"record": r.record, "expr": r.expr,
                                   **({"labels": dict(r.labels)} if r.labels else {})}
                                  for r in g.rules]}
                       for g in groups]}
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.width = 1 << 16
    yaml.dump(data, out)
    return out.getvalue()


def _duration(text: str) -> timedelta:
    try:
        return parse_duration(text)
    except ValueError:
        return timedelta(0)


def own_reach(expr: str) -> timedelta:
    """How far before an evaluation `expr` itself reads: its longest range or subquery plus
    offset, or the instant-selector lookback."""
    longest = LOOKBACK
    for rng, _ in _RANGE.findall(expr):
        longest = max(longest, _duration(rng))
    offsets = [_duration(o) for o in _OFFSET.findall(expr) if not o.startswith("-")]
    return longest + max(offsets, default=timedelta(0))


def reach(expr: str, records: Mapping[str, str]) -> timedelta:
    """How far back `expr` reads raw data, following the recorded series it reads (`records`
    maps each recorded name to its expression)."""
    def walk(e: str, seen: frozenset[str]) -> timedelta:
        inner = [walk(records[n], seen | {n}) for n in reads(e) & records.keys() - seen]
        return own_reach(e) + max(inner, default=timedelta(0))
    found = walk(expr, frozenset())
    # Rounded up to the second: ranges are written a millisecond short of their window.
    return timedelta(seconds=-(-found // timedelta(seconds=1)))
