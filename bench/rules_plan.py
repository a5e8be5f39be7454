"""Pure parts of the rules benchmark: reading rule files (groups, intervals, which recorded
series are read over a range), the measuring schedule, Prometheus' text exposition, and the
figures computed from the samples taken. No processes, no network: tested in tests/bench.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

_UNITS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
_DURATION = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
# A metric name followed (after an optional selector) by a range or an offset: that series is
# read back over time, so it needs history. Label values cannot hold `}` in these rule files.
_HISTORY_READ = re.compile(
    r"([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{[^}]*\})?\s*(?:\[|offset\b)")
_SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)")


def seconds(duration: str) -> float:
    """A Prometheus duration (`2m`, `1h30m`, `500ms`) in seconds."""
    parts = _DURATION.findall(duration)
    if not parts or "".join(n + u for n, u in parts) != duration:
        raise ValueError(f"not a Prometheus duration: {duration!r}")
    return sum(int(n) * _UNITS[u] for n, u in parts)


@dataclass(frozen=True)
class Group:
    """One rule group: its name, evaluation interval and rules (as loaded from YAML)."""

    name: str
    interval: float
    rules: tuple[Mapping[str, Any], ...] = field(default=())


def parse_groups(text: str, default_interval: float) -> list[Group]:
    """The groups of a rule file; a group without `interval` runs at the global interval."""
    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    return [Group(g["name"], seconds(g["interval"]) if "interval" in g else default_interval,
                  tuple(g.get("rules") or ()))
            for g in data.get("groups") or ()]


def slowest_interval(groups: Iterable[Group]) -> float:
    """The longest evaluation interval among `groups` (0 when there are none)."""
    return max((g.interval for g in groups), default=0.0)


def measuring_window(slowest: float, evaluations: int) -> float:
    """Seconds a measuring window lasts so that it holds `evaluations` runs of the slowest
    group whatever its phase: a window of k whole intervals contains exactly k evaluations."""
    if slowest <= 0 or evaluations < 1:
        raise ValueError("needs a positive interval and at least one evaluation")
    return slowest * evaluations


def warmup(slowest: float, evaluation: float, shortest_live_window: float) -> float:
    """Seconds to wait before measuring: every group has run once (one slowest interval plus a
    global one for the start-up offset) and the shortest rate window holds live samples only."""
    return max(slowest + evaluation, shortest_live_window)


def history_read_metrics(rule_texts: Iterable[str]) -> set[str]:
    """Names of recorded series that some rule reads over a range or at an offset: the
    series whose past the rules depend on, and therefore the ones to backfill."""
    records: set[str] = set()
    read: set[str] = set()
    for text in rule_texts:
        for group in parse_groups(text, 60):
            for rule in group.rules:
                if "record" in rule:
                    records.add(str(rule["record"]))
                read.update(m.group(1) for m in _HISTORY_READ.finditer(str(rule["expr"])))
    return read & records


def record_intervals(groups: Iterable[Group]) -> list[tuple[str, dict[str, str], float]]:
    """(record name, rule labels, group interval) of every recording rule."""
    return [(str(r["record"]), {str(k): str(v) for k, v in (r.get("labels") or {}).items()},
             g.interval) for g in groups for r in g.rules if "record" in r]


def series_interval(name: str, labels: Mapping[str, str],
                    records: Sequence[tuple[str, dict[str, str], float]],
                    default: float) -> float:
    """Interval at which the recorded series `name{labels}` is written: the group interval of
    the first recording rule of that name whose static labels the series carries."""
    for record, rule_labels, interval in records:
        if record == name and all(labels.get(k) == v for k, v in rule_labels.items()):
            return interval
    return default


def parse_exposition(text: str) -> dict[str, list[tuple[str, float]]]:
    """Prometheus' text exposition as {metric name: [(label text, value)]}."""
    out: dict[str, list[tuple[str, float]]] = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE.match(line)
        if match:
            out.setdefault(match.group(1), []).append((match.group(2) or "", float(match.group(3))))
    return out


def total(metrics: Mapping[str, list[tuple[str, float]]], name: str) -> float:
    """Sum of every series of `name` (0 when absent)."""
    return sum(value for _, value in metrics.get(name, ()))


def per_group(metrics: Mapping[str, list[tuple[str, float]]], name: str) -> dict[str, float]:
    """Values of `name` by rule group (the group name after the file path)."""
    out: dict[str, float] = {}
    for labels, value in metrics.get(name, ()):
        match = re.search(r'rule_group="[^"]*;([^"]*)"', labels)
        if match:
            out[match.group(1)] = out.get(match.group(1), 0.0) + value
    return out


def spread(values: Sequence[float], digits: int = 4) -> dict[str, float]:
    """min / median / max of `values`, rounded."""
    return {"min": round(min(values), digits), "median": round(statistics.median(values), digits),
            "max": round(max(values), digits)}


def ratio(ours: float, theirs: float, digits: int = 3) -> float | None:
    """ours / theirs, or None when theirs is not positive (a ratio to nothing says nothing)."""
    return round(ours / theirs, digits) if theirs > 0 else None


_SLO_NAME = re.compile(r"[sS]\d{4}")


def rule_kind(group: str, rule: Mapping[str, Any]) -> str:
    """A rule's name with the synthetic SLO's name blanked, so that the 100 or 1,000 copies
    of one rule add up: `slo:error_budget_remaining:ratio @slogen-bench-slo-windows`."""
    name = str(rule.get("record") or rule.get("alert"))
    severity = (rule.get("labels") or {}).get("severity") or \
        (rule.get("labels") or {}).get("sloth_severity")
    suffix = f" ({severity})" if "alert" in rule and severity else ""
    return f"{_SLO_NAME.sub('*', name)}{suffix} @{_SLO_NAME.sub('*', group)}"


def completed_runs(iterations: Mapping[str, float],
                   missed: Mapping[str, float]) -> dict[str, float]:
    """Evaluations each group actually ran: Prometheus counts a missed (skipped) iteration in
    prometheus_rule_group_iterations_total as well as in ..._iterations_missed_total."""
    return {g: n - missed.get(g, 0.0) for g, n in iterations.items()}


def work_normalized(cpu_cores: float, scheduled: Mapping[str, float],
                    completed: Mapping[str, float], weights: Mapping[str, float]) -> float | None:
    """CPU the process would have used had every scheduled evaluation run, when a starved
    process skipped some: `cpu_cores` times scheduled over completed work, each group's
    evaluations weighted by its evaluation time (the share of the process' CPU it takes).
    Equal to `cpu_cores` when nothing was skipped; None when nothing ran."""
    done = sum(weights.get(g, 0.0) * n for g, n in completed.items())
    due = sum(weights.get(g, 0.0) * n for g, n in scheduled.items())
    if done <= 0:
        return None
    return cpu_cores * due / done
