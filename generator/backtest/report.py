"""Backtest reports: JSON for machines and Markdown for the weekly review. Both start with the
scoring rules, then scores by approach, by approach and incident kind, and per alert, then every
firing episode with its verdict, every incident, the alerts not scored, and tuning hints."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from generator.backtest import run
from generator.backtest.evaluate import ShippedAlert
from generator.backtest.run import ScenarioResult
from generator.backtest.scoring import Score
from generator.backtest.tuning import MIN_INCIDENTS, Hint
from generator.core.durations import format_duration


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _dur(seconds: float) -> str:
    return format_duration(timedelta(seconds=round(seconds)))


def rules_text(warmup: timedelta, grace: timedelta, warmup_note: str) -> list[str]:
    """The scoring rules, as the report header states them."""
    return [
        f"- Warm-up: the first {format_duration(warmup)} of each scenario are not scored "
        f"({warmup_note}). Episodes that begin in it are `warm-up`, episodes caused by an "
        "incident that began in it are `excluded`; neither counts.",
        "- Alerts are the shipped rules, evaluated unchanged at their group's interval over a "
        "TSDB where every recording rule was backfilled; an episode starts at the first "
        "evaluation at which the alert fired (after `for`) and ends when it resolved.",
        "- Matching is one-to-one: an episode detects an incident it is expected to catch when "
        f"it begins between the incident's start (minus the lead allowance of predictive "
        f"alerts) and its end plus {format_duration(grace)} of grace. An episode that began "
        "earlier cannot be credited. Other episodes during an incident are `duplicate`, the "
        "rest `false`.",
        "- Precision in episodes = detected / all scored episodes; in incidents = detected "
        "incidents / (detected incidents + false episodes). Recall in incidents = detected / "
        "expected incidents; in episodes = matched episodes / (matched episodes + missed "
        "incidents). F1 uses precision in episodes. A group (approach) detects an incident "
        "when any of its alerts does, at the earliest delay.",
        "- Delay = first firing (after `for`) minus incident start; negative for early "
        "warnings of predictive alerts.",
    ]


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _delay(x: float | None) -> str:
    if x is None:
        return "-"
    return ("-" if x < 0 else "") + _dur(abs(x))


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def score_json(s: Score) -> dict[str, Any]:
    """A score's counts and figures; delays in seconds."""
    return {"episodes": s.episodes, "detected": s.matched, "duplicate": s.duplicates,
            "false": s.false, "incidents": s.incidents, "incidents_detected": s.detected,
            "missed": s.missed, "precision_episodes": _r(s.precision_episodes),
            "precision_incidents": _r(s.precision_incidents),
            "recall_incidents": _r(s.recall_incidents),
            "recall_episodes": _r(s.recall_episodes), "f1": _r(s.f1),
            "delays_s": [round(d) for d in sorted(s.delays)],
            "delay_median_s": None if s.delay_median is None else round(s.delay_median),
            "delay_max_s": None if s.delay_max is None else round(s.delay_max)}


SCORE_HEAD = ["Episodes", "Detected", "Dup", "False", "Incidents", "Missed", "P (episodes)",
              "P (incidents)", "R (incidents)", "R (episodes)", "F1", "Delay median",
              "Delay max"]
KIND_HEAD = ["Incidents", "Detected", "Recall", "Delay median", "Delay max"]


def score_cells(s: Score) -> list[str]:
    """Table cells in SCORE_HEAD order."""
    return [str(s.episodes), str(s.matched), str(s.duplicates), str(s.false), str(s.incidents),
            str(s.missed), _pct(s.precision_episodes), _pct(s.precision_incidents),
            _pct(s.recall_incidents), _pct(s.recall_episodes),
            "-" if s.f1 is None else f"{s.f1:.2f}", _delay(s.delay_median),
            _delay(s.delay_max)]


def _kind_cells(s: Score) -> list[str]:
    return [str(s.incidents), str(s.detected), _pct(s.recall_incidents),
            _delay(s.delay_median), _delay(s.delay_max)]


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *("| " + " | ".join(r) + " |" for r in rows), ""]


def _by_kind(scenarios: Sequence[ScenarioResult]) -> list[tuple[str, str, Score]]:
    rows = []
    for kind in run.kinds(scenarios):
        for name, s in run.pooled(scenarios, run.approach, kind).items():
            if s.incidents:
                rows.append((name, kind, s))
    return rows


def _hint_json(h: Hint) -> dict[str, Any]:
    return {"alert": h.alert.key, "variant": h.variant,
            "scenarios": {k: {"before": score_json(h.before[k]),
                              "after": score_json(h.after.get(k, Score()))}
                          for k in sorted(h.before)}}


def report_json(scenarios: Sequence[ScenarioResult], unscored: Sequence[ShippedAlert],
                hints: Sequence[Hint], warmup: timedelta, grace: timedelta,
                warmup_note: str) -> dict[str, Any]:
    """The whole report as one JSON-ready dict."""
    return {
        "scoring": rules_text(warmup, grace, warmup_note),
        "scenarios": [{
            "name": s.name, "start": _iso(s.span[0]), "end": _iso(s.span[1]),
            "scored_from": _iso(s.scope.start),
            "incidents": [{"name": i.name, "service": i.service, "kind": i.kind, "slo": i.slo,
                           "metrics": list(i.metrics), "start": _iso(i.start),
                           "end": _iso(i.end)} for i in s.incidents],
            "alerts": [{"alert": r.alert.name, "service": r.alert.service,
                        "severity": r.alert.severity, "approach": r.alert.approach,
                        "for": format_duration(r.alert.for_), **score_json(r.score),
                        "episodes": [{"start": _iso(e.start), "end": _iso(e.end),
                                      "verdict": e.verdict.value, "incident": e.incident,
                                      "delay_s": None if e.delay is None else round(e.delay)}
                                     for e in r.episodes]}
                       for r in s.results],
            "by_approach": {k: score_json(v)
                            for k, v in run.grouped(s.results, run.approach, s.scope).items()},
        } for s in scenarios],
        "by_approach": {k: score_json(v) for k, v in run.pooled(scenarios, run.approach).items()},
        "by_approach_and_kind": [{"approach": a, "kind": k, **score_json(s)}
                                 for a, k, s in _by_kind(scenarios)],
        "by_alert": {k: score_json(v) for k, v in run.pooled(scenarios, run.alert_key).items()},
        "not_scored": [{"alert": a.key, "approach": a.approach, "why": a.note} for a in unscored],
        "hints": [_hint_json(h) for h in hints],
    }


def _episode_rows(s: ScenarioResult) -> list[list[str]]:
    rows = []
    for r in s.results:
        for e in r.episodes:
            rows.append([_iso(e.start), _iso(e.end), f"`{r.alert.key}`", e.verdict.value,
                         e.incident or "-", _delay(e.delay)])
    return sorted(rows)


def _incident_rows(s: ScenarioResult) -> list[list[str]]:
    rows = []
    for i in s.incidents:
        hits = sorted((e.delay, r.alert.key) for r in s.results for e in r.episodes
                      if e.incident == i.name and e.delay is not None)
        first = f"`{hits[0][1]}` after {_delay(hits[0][0])}" if hits else "missed"
        rows.append([i.name, i.service, i.kind, i.slo or "-", _iso(i.start), _iso(i.end),
                     "yes" if s.scope.holds(i.start) else "no (warm-up)", first])
    return rows


def _hint_lines(hints: Sequence[Hint]) -> list[str]:
    lines = [f"Variants replayed on every scenario, for alerts expected to catch at least "
             f"{MIN_INCIDENTS} incidents, that raise F1 over all scenarios:", ""]
    if not hints:
        return [*lines, "- none: no variant scored better.", ""]
    for h in hints:
        before, after = h.pooled
        lines.append(f"- `{h.alert.key}`: {h.variant}: F1 {before.f1 or 0:.2f} -> "
                     f"{after.f1 or 0:.2f} over all scenarios")
        for name in sorted(h.before):
            b, a = h.before[name], h.after.get(name, Score())
            lines.append(f"  - {name}: precision {_pct(b.precision_episodes)} -> "
                         f"{_pct(a.precision_episodes)}, recall {_pct(b.recall_incidents)} -> "
                         f"{_pct(a.recall_incidents)}, median delay {_delay(b.delay_median)} -> "
                         f"{_delay(a.delay_median)}")
    return [*lines, ""]


def report_markdown(scenarios: Sequence[ScenarioResult], unscored: Sequence[ShippedAlert],
                    hints: Sequence[Hint], warmup: timedelta, grace: timedelta,
                    warmup_note: str) -> str:
    """The report as Markdown."""
    lines = ["# Alert backtest", "", "## How this is scored", "",
             *rules_text(warmup, grace, warmup_note), "", "## Scenarios", ""]
    lines += _table(["Scenario", "Start", "End", "Scored from", "Incidents"],
                    [[s.name, _iso(s.span[0]), _iso(s.span[1]), _iso(s.scope.start),
                      str(sum(1 for i in s.incidents if s.scope.holds(i.start)))]
                     for s in scenarios])
    lines += ["## Per approach", ""]
    lines += _table(["Approach", *SCORE_HEAD], [[k, *score_cells(v)] for k, v in
                                                run.pooled(scenarios, run.approach).items()])
    lines += ["## Per approach and incident kind", ""]
    lines += _table(["Approach", "Kind", *KIND_HEAD],
                    [[a, k, *_kind_cells(s)] for a, k, s in _by_kind(scenarios)])
    lines += ["## Per alert", ""]
    lines += _table(["Alert", *SCORE_HEAD], [[f"`{k}`", *score_cells(v)] for k, v in
                                             run.pooled(scenarios, run.alert_key).items()])
    lines += ["## Not scored", ""]
    lines += [f"- `{a.key}` ({a.approach}): {a.note}" for a in unscored] or ["- none"]
    lines += ["", "## Tuning hints", "", *_hint_lines(hints)]
    for s in scenarios:
        lines += [f"## Scenario {s.name}: incidents", ""]
        lines += _table(["Incident", "Service", "Kind", "SLO", "Start", "End", "Scored",
                         "First detection"], _incident_rows(s))
        lines += [f"## Scenario {s.name}: episodes", ""]
        lines += _table(["Start", "End", "Alert", "Verdict", "Incident", "Delay"],
                        _episode_rows(s))
    return "\n".join([*lines])
