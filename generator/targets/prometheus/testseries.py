"""Building blocks of generated promtool unit tests: input series, expected alerts, time."""

from __future__ import annotations

import functools
import itertools
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from generator.core.promql import dur
from generator.core.promql_syntax import DOUBLE_QUOTED_BODY
from generator.targets.dump import FlowMap
from generator.targets.prometheus import gotemplate
from generator.targets.prometheus.rules import Rule

INTERVAL = timedelta(minutes=1)  # spacing of input samples
_SELECTOR = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{([^{}]*)\})?\s*$")
_STRING = f'"{DOUBLE_QUOTED_BODY}"'
_MATCHER = re.compile(r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)\s*"(' + DOUBLE_QUOTED_BODY
                      + r')"\s*,?')
_RANGE_SELECTOR = re.compile(r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(\{[^{}]*\})?\s*\[")
_SLO_ID = re.compile(r'\bslo_id=' + _STRING)
_TEMPLATE_LABEL = re.compile(r"\$labels\.([a-zA-Z_][a-zA-Z0-9_]*)")
# Label values tried for regex and negative matchers, status codes first as they are the usual case.
_CANDIDATES = ("500", "503", "429", "404", "200", "error", "ok", "true", "false", "other", "x")
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or",
             "unless", "bool", "offset", "inf", "nan", "Inf", "NaN"}


@dataclass(frozen=True)
class Selector:
    """A parsed vector selector: `labels` of a series it matches (regex and negative matchers
    resolved to a sample value), `equal` its `=` matchers only (what absent() keeps), `exact`
    False when some matcher could not be resolved."""

    metric: str
    labels: Mapping[str, str]
    exact: bool
    equal: Mapping[str, str] = field(default_factory=dict)


# A counted alert check: eval time, alert name, and how many alerts fire per severity.
Count = tuple[str, str, tuple[tuple[str, int], ...]]


@dataclass
class Case:
    """One promtool test case: input series, the checks made on them, and the series the
    checked rules read (so independent cases can share one promtool run)."""

    name: str
    series: list[dict[str, str]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)
    exprs: list[dict[str, Any]] = field(default_factory=list)
    reads: set[str] = field(default_factory=set)
    # Alert checks made by counting firing alerts: (eval time, alert name, count per severity).
    counts: list[Count] = field(default_factory=list)

    def feeds(self) -> set[str]:
        """Keys of the series this case feeds."""
        return {series_key(s["series"]) for s in self.series}

    def alertnames(self) -> set[str]:
        """Alerts this case checks."""
        return {str(c["alertname"]) for c in self.alerts} | {name for _, name, _ in self.counts}

    def counting(self) -> Case:
        """The case with its alert checks as counts of firing alerts per severity, not their
        labels and annotations: for a rule whose texts another case checks in full."""
        counts = [(str(a["eval_time"]), str(a["alertname"]), _severities(a["exp_alerts"]))
                  for a in self.alerts]
        return Case(self.name, self.series, [], self.exprs, self.reads, self.counts + counts)

    def spelled(self) -> set[tuple[str, tuple[tuple[str, Any], ...]]]:
        """The alerts (name, labels) whose labels and texts this case spells out."""
        return {(str(a["alertname"]), tuple(sorted(dict(e["exp_labels"]).items())))
                for a in self.alerts for e in a["exp_alerts"]}

    def as_dict(self) -> dict[str, Any]:
        """The case in promtool's test-file shape."""
        out: dict[str, Any] = {"name": compact_name(self.name), "interval": dur(INTERVAL),
                               "input_series": self.series}
        if self.alerts:
            out["alert_rule_test"] = self.alerts
        exprs = self.exprs + count_exprs(self.counts)
        if exprs:
            out["promql_expr_test"] = exprs
        return out


def spell_once(cases: Sequence[Case]) -> list[Case]:
    """`cases` with each alert's labels and texts spelled out in its first check only: a later
    check of the same alert with the same labels counts the firing alerts per severity, as its
    texts render from the same template. A check that expects silence stays as it is, unless
    its case spells out no alert then (it is counted with the rest)."""
    spelled: set[tuple[str, tuple[tuple[str, Any], ...]]] = set()
    out = []
    for case in cases:
        kept: list[dict[str, Any]] = []
        counted: list[dict[str, Any]] = []
        for a in case.alerts:
            shown = Case("", alerts=[a]).spelled()
            (counted if shown and shown <= spelled else kept).append(a)
            spelled |= shown
        if counted and not any(a["exp_alerts"] for a in kept):
            case = case.counting()  # its silent checks too, at the times it counts
        elif counted:
            case = Case(case.name, case.series, kept, case.exprs, case.reads,
                        case.counts + Case("", alerts=counted).counting().counts)
        out.append(case)
    return out


def _severities(alerts: Iterable[Mapping[str, Any]]) -> tuple[tuple[str, int], ...]:
    counts: dict[str, int] = {}
    for a in alerts:
        severity = str(a["exp_labels"].get("severity", ""))
        counts[severity] = counts.get(severity, 0) + 1
    return tuple(sorted(counts.items()))


def count_exprs(counts: Sequence[Count]) -> list[dict[str, Any]]:
    """One promql_expr_test per evaluation time: the alerts of the counted names firing then,
    counted per name and severity (promtool records every alert's state in the ALERTS series).
    A name without samples is silent at that time."""
    at_time: dict[str, list[tuple[str, tuple[tuple[str, int], ...]]]] = {}
    for at, name, severities in counts:
        at_time.setdefault(at, []).append((name, severities))
    out = []
    for at, checks in at_time.items():
        names = "|".join(dict.fromkeys(name for name, _ in checks))
        samples = [FlowMap(labels=f'{{alertname="{name}"'
                           + (f', severity="{severity}"}}' if severity else "}"), value=n)
                   for name, severities in sorted(checks) for severity, n in severities]
        out.append({"expr": f'count by (alertname, severity) (ALERTS{{alertname=~"{names}", '
                            f'alertstate="firing"}})',
                    "eval_time": at, "exp_samples": samples})
    return out


def parse_selector(text: str) -> Selector | None:
    """`metric{a="b"}` parsed, or None when `text` is not a plain selector."""
    match = _SELECTOR.match(text)
    if match is None:
        return None
    return _selector(match.group(1), match.group(2) or "")


def range_selectors(expr: str) -> list[Selector]:
    """Every `metric{...}[range]` selector in a query template (after the window is filled)."""
    return [_selector(m.group(1), (m.group(2) or "{}")[1:-1])
            for m in _RANGE_SELECTOR.finditer(expr)]


def _selector(metric: str, inner: str) -> Selector:
    labels: dict[str, str] = {}
    equal: dict[str, str] = {}
    exact = True
    for name, op, raw in _MATCHER.findall(inner):
        value = raw.replace('\\"', '"')
        if op == "=":
            labels[name] = equal[name] = value
            continue
        found = _candidate(op, value)
        exact = exact and found is not None
        labels[name] = found or ""
    return Selector(metric, labels, exact, equal)


# Every SLO of a kind has the same matchers (`code=~"5.."`): each is tried once.
@functools.lru_cache(maxsize=1024)
def _candidate(op: str, value: str) -> str | None:
    """The first of _CANDIDATES that a `!=`, `=~` or `!~` matcher on `value` matches."""
    return next((c for c in _CANDIDATES if _matches(op, value, c)), None)


def _matches(op: str, value: str, candidate: str) -> bool:
    if op == "!=":
        return candidate != value
    try:
        hit = re.fullmatch(value, candidate) is not None
    except re.error:
        return False
    return hit if op == "=~" else not hit


def series_key(series: str) -> str:
    """What a fed series is known by when checking independence: its metric name, or for
    slogen's per-SLO recorded series (which share names across SLOs) the name and SLO id, which
    is what the rules select them by (a case may feed them with or without the other labels)."""
    metric = series.split("{", 1)[0].strip()
    if not metric.startswith("slo:"):
        return metric
    found = _SLO_ID.search(series)
    return f"{metric}{{{found.group(0)}}}" if found else series


def metric_names(expr: str) -> set[str]:
    """Metric names an expression may read (a superset: every bare word that is not a keyword)."""
    text = _STRINGS.sub("", expr)
    text = _BRACKETS.sub(" ", text)
    text = _GROUPING.sub(" ", text)
    words = [m.group(0) for m in _WORD.finditer(text)
             if not text[m.end():].lstrip().startswith("(")]
    return {w for w in words if w not in _KEYWORDS}


_STRINGS = re.compile(_STRING)
_BRACKETS = re.compile(r"\{[^{}]*\}|\[[^\]]*\]")
_GROUPING = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_WORD = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def bundle(cases: Sequence[Case]) -> list[Case]:
    """Merge independent cases, first fit: each promtool case re-evaluates every rule at every
    step, so fewer, fuller cases make the test files several times faster. Cases are
    independent when they check different alerts and neither feeds a series the other reads."""
    bundles: list[_Bundle] = []
    for case in cases:
        feeds, names = case.feeds(), case.alertnames()
        home = next((b for b in bundles if not (names & b.names or feeds & b.reads
                                                or b.feeds & case.reads)), None)
        if home is None:
            home = _Bundle()
            bundles.append(home)
        home.members.append(case)
        home.feeds |= feeds
        home.names |= names
        home.reads |= case.reads
    return [merged(b.members) for b in bundles]


@dataclass
class _Bundle:
    """Cases sharing a run, with the union of what they feed, read and check."""

    members: list[Case] = field(default_factory=list)
    feeds: set[str] = field(default_factory=set)
    reads: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)


def merged(group: list[Case]) -> Case:
    """One case doing what every case of `group` does."""
    if len(group) == 1:
        return group[0]
    # A series two members feed alike (a shared input of window proofs) is written once.
    series = list({(s["series"], s["values"]): s for c in group for s in c.series}.values())
    return Case(merged_name([c.name for c in group]), series,
                [a for c in group for a in c.alerts], [e for c in group for e in c.exprs],
                set().union(*(c.reads for c in group)), [n for c in group for n in c.counts])


def merged_name(names: Sequence[str]) -> str:
    """Case names joined, each claim once with its subjects: "A, B: fires after 5m; C: ..."."""
    claims: dict[str, list[str]] = {}
    for part in (p for name in names for p in name.split("; ")):
        head, colon, rest = part.partition(": ")
        if colon and all(s and " " not in s for s in head.split(", ")):
            subjects, claim = head.split(", "), rest  # "A, B: claim", merged before
        else:
            first, _, claim = part.partition(" ")
            subjects = [first]
        claims.setdefault(claim, []).extend(subjects)
    return "; ".join(f"{', '.join(subjects)}: {claim}" if claim else ", ".join(subjects)
                     for claim, subjects in claims.items())


def compact_name(name: str) -> str:
    """A merged name with each claim's subjects sharing a prefix and suffix written once, as
    in brace expansion: "ShopA0BudgetBurn, ShopB1BudgetBurn: fires" as
    "Shop{A0,B1}BudgetBurn: fires" (test files list every alert of a service in several
    claims)."""
    parts = []
    for part in name.split("; "):
        head, colon, claim = part.partition(": ")
        subjects = head.split(", ")
        if not colon or len(subjects) < 2 or any(not s or " " in s or "{" in s
                                                 for s in subjects):
            parts.append(part)
            continue
        prefix = os.path.commonprefix(subjects)
        ends = [s[len(prefix):] for s in subjects]
        suffix = os.path.commonprefix([e[::-1] for e in ends])[::-1]
        middles = [e[:len(e) - len(suffix)] for e in ends]
        if len(prefix) + len(suffix) < 8 or not all(middles):
            parts.append(part)
            continue
        parts.append(f"{prefix}{{{','.join(middles)}}}{suffix}: {claim}")
    return "; ".join(parts)


def series_name(metric: str, labels: Mapping[str, str]) -> str:
    """A series in promtool's input notation."""
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    return f"{metric}{{{inner}}}" if inner else metric


def template_labels(texts: Iterable[str]) -> set[str]:
    """Label names that annotation templates read through `$labels`."""
    return {name for text in texts for name in _TEMPLATE_LABEL.findall(text)}


def fmt(value: float) -> str:
    """A sample value exactly as Python holds it, so expected values match bit for bit."""
    return gotemplate.go_float(value) if value != int(value) else str(int(value))


def samples(duration: timedelta) -> int:
    """How many repetitions cover `duration` at the input interval."""
    return math.ceil(duration / INTERVAL) + 1


def constant(value: float, duration: timedelta) -> str:
    """A series holding `value` throughout `duration`."""
    return f"{fmt(value)}+0x{samples(duration)}"


def sequence(values: Sequence[float]) -> str:
    """Sample values, one per input interval: a run of one value as `v+0xN` (N + 1 samples)
    where that is shorter than writing them out."""
    parts: list[str] = []
    for value, run in itertools.groupby(values):
        text, count = fmt(value), sum(1 for _ in run)
        repeated = f"{text}+0x{count - 1}"
        parts.append(repeated if len(repeated) < count * (len(text) + 1) - 1
                     else " ".join([text] * count))
    return " ".join(parts)


def piecewise(start: float, segments: Sequence[tuple[float, int]]) -> str:
    """A counter growing by `rate` per sample for `count` samples, segment after segment."""
    parts, value = [], start
    for i, (rate, count) in enumerate(segments):
        first = value if i == 0 else value + rate
        parts.append(f"{fmt(first)}+{fmt(rate)}x{count}")
        value = first + rate * count
    return " ".join(parts)


def expected(rule: Rule, sample_labels: Mapping[str, str], value: float) -> dict[str, Any]:
    """The alert a rule fires for one result sample, with labels and annotations rendered."""
    rule_labels = {k: gotemplate.render(v, sample_labels, value)
                   for k, v in rule.get("labels", {}).items()}
    notes = {k: gotemplate.render(v, sample_labels, value)
             for k, v in rule.get("annotations", {}).items()}
    return {"exp_labels": FlowMap(sorted({**sample_labels, **rule_labels}.items())),
            "exp_annotations": dict(sorted(notes.items()))}


def check(at: timedelta, alertname: str, alerts: list[dict[str, Any]]) -> dict[str, Any]:
    """One alert_rule_test entry."""
    return {"eval_time": dur(at), "alertname": alertname, "exp_alerts": alerts}
