"""Backtest reports: JSON for machines and Markdown for the weekly review (seed 000's format)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from generator.backtest.evaluate import AlertResult, Window, approach, group
from generator.backtest.scoring import Incident, Score
from generator.core.durations import format_duration

GROUPINGS = (("severity", lambda r: r.probe.severity.value),
             ("service", lambda r: r.probe.service),
             ("approach", lambda r: approach(r.probe)))


def _ratio(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def score_json(s: Score) -> dict[str, Any]:
    """A score's counts and figures; delays in seconds."""
    return {"tp": s.tp, "fp": s.fp, "fn": s.fn, "incidents": s.incidents,
            "precision": _ratio(s.precision), "recall": _ratio(s.recall), "f1": _ratio(s.f1),
            "fp_rate": _ratio(s.fp_rate),
            "delay_median_s": None if s.delay_median is None else round(s.delay_median),
            "delay_max_s": None if s.delay_max is None else round(s.delay_max)}


def _iso(t: float) -> str:
    return datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def report_json(results: Sequence[AlertResult], incidents: Sequence[Incident], window: Window,
                grace: timedelta) -> dict[str, Any]:
    """The whole report as one JSON-ready dict."""
    alerts = [{"alert": r.probe.alert, "service": r.probe.service,
               "severity": r.probe.severity.value, "kind": r.probe.kind,
               "approach": approach(r.probe), "for": format_duration(r.probe.for_),
               **score_json(r.score),
               "hints": [{"variant": name, **score_json(s)} for name, s in r.hints]}
              for r in results]
    return {
        "range": {"start": _iso(window.start), "end": _iso(window.end),
                  "step_s": window.step, "grace_s": grace.total_seconds()},
        "incidents": [{"name": i.name, "service": i.service, "start": _iso(i.start),
                       "end": _iso(i.end)} for i in incidents],
        "alerts": alerts,
        **{f"by_{name}": {k: score_json(s) for k, s in group(results, key, grace).items()}
           for name, key in GROUPINGS},
    }


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{x:.0%}"


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def _delay(x: float | None) -> str:
    if x is None:
        return "-"
    sign = "-" if x < 0 else ""
    return sign + format_duration(timedelta(seconds=round(abs(x))))


def score_cells(s: Score) -> list[str]:
    """Table cells: TP, FP, FN, precision, recall, F1, FP rate, median and max delay."""
    return [str(s.tp), str(s.fp), str(s.fn), _pct(s.precision), _pct(s.recall), _f(s.f1),
            _pct(s.fp_rate), _delay(s.delay_median), _delay(s.delay_max)]


SCORE_HEAD = ["TP", "FP", "FN", "Precision", "Recall", "F1", "FP rate", "Delay median",
              "Delay max"]


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    return ["| " + " | ".join(head) + " |", "|" + "---|" * len(head),
            *("| " + " | ".join(r) + " |" for r in rows), ""]


def report_markdown(results: Sequence[AlertResult], incidents: Sequence[Incident],
                    window: Window, grace: timedelta) -> str:
    """The report as Markdown: per alert, per severity/service/approach, then tuning hints."""
    lines = ["# Alert backtest", "",
             f"{_iso(window.start)} to {_iso(window.end)}, evaluated every "
             f"{format_duration(timedelta(seconds=window.step))}; {len(incidents)} labelled "
             f"incidents; an episode counts if it overlaps an incident or the "
             f"{format_duration(grace)} after it. Negative delays: fired before the incident "
             "began.", "", "## Per alert", ""]
    rows = [[f"`{r.probe.alert}`", r.probe.severity.value, approach(r.probe),
             format_duration(r.probe.for_), *score_cells(r.score)] for r in results]
    lines += _table(["Alert", "Severity", "Approach", "For", *SCORE_HEAD], rows)
    for name, key in GROUPINGS:
        lines += [f"## Per {name}", ""]
        lines += _table([name.capitalize(), *SCORE_HEAD],
                        [[k, *score_cells(s)] for k, s in group(results, key, grace).items()])
    lines += ["## Tuning hints", "",
              "Variants replayed on the same data that would have raised F1:", ""]
    hints = [f"- `{r.probe.alert}` ({r.probe.severity.value}): {name} -> F1 {_f(s.f1)} "
             f"(now {_f(r.score.f1)}; precision {_pct(s.precision)}, recall {_pct(s.recall)})"
             for r in results for name, s in r.hints]
    lines += hints or ["- none: no variant scored better."]
    return "\n".join([*lines, ""])
