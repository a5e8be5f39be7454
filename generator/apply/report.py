"""Show a plan as a coloured diff (rich) or JSON, and summarise the outcome of an apply.

Only unsubstituted bodies reach this module, so placeholders, never secret values, are shown.
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Iterable
from typing import Any

from rich.console import Console
from rich.markup import escape

from generator.apply.drift import SERVER_FIELDS
from generator.apply.execute import Outcome
from generator.apply.plan import Action, Change, Plan

STYLE = {Action.CREATE: ("+", "green"), Action.UPDATE: ("~", "yellow"),
         Action.DELETE: ("-", "red"), Action.UNCHANGED: ("=", "dim"),
         Action.BLOCKED: ("!", "bold red")}
RESULTS = ("created", "updated", "unchanged", "deleted", "failed", "blocked")
DIFF_LINES = 24  # a short diff per object: enough to see what changed, not a whole dashboard


def print_plan(console: Console, plan: Plan, verbose: bool = False) -> None:
    """Notes, then each change on one line, updates with a short unified diff when the old body
    is known."""
    for note in plan.notes:
        console.print(f"[yellow]note:[/yellow] {escape(note)}")
    for change in plan.changes:
        if change.action is Action.UNCHANGED and not verbose:
            continue
        mark, style = STYLE[change.action]
        where = f"  [dim]({escape(change.file)})[/dim]" if change.file else ""
        reason = f": {escape(change.reason)}" if change.reason else ""
        head = f"{mark} {change.kind} {escape(change.key)}{reason}"
        console.print(f"[{style}]{head}[/{style}]{where}")
        if change.action is Action.UPDATE:
            for line in _diff(change):
                console.print(f"    {_colour(line)}", highlight=False)
    counts = plan.counts()
    parts = [f"{counts[a.value]} to {a.value}" if a not in (Action.UNCHANGED, Action.BLOCKED)
             else f"{counts[a.value]} {a.value}" for a in Action]
    if counts["drifted"]:
        parts[1] += f" ({counts['drifted']} drifted)"
    console.print("plan: " + ", ".join(parts))


def plan_json(plan: Plan, outcomes: Iterable[Outcome] = ()) -> str:
    """The plan (and results, after an apply) for machines."""
    data: dict[str, Any] = {
        "changes": [_change_json(c) for c in plan.changes],
        "counts": plan.counts(),
        "notes": list(plan.notes),
    }
    results = list(outcomes)
    if results:
        data["results"] = [{**_change_json(o.change), "result": o.result, "message": o.message}
                           for o in results]
        data["summary"] = summary_counts(results, plan)
    return json.dumps(data, indent=2, sort_keys=True)


def summary_counts(outcomes: Iterable[Outcome], plan: Plan) -> dict[str, int]:
    """created / updated / unchanged / deleted / failed / blocked totals."""
    counted = Counter(o.result for o in outcomes)
    counted["unchanged"] = plan.counts()[Action.UNCHANGED.value]
    return {name: counted.get(name, 0) for name in RESULTS}


def print_summary(console: Console, outcomes: list[Outcome], plan: Plan) -> None:
    """Failures with their messages, then one line of totals."""
    for outcome in outcomes:
        if outcome.result in ("failed", "blocked"):
            console.print(f"[bold red]{outcome.result}[/bold red] {outcome.change.kind} "
                          f"{escape(outcome.change.key)}: {escape(outcome.message)}")
    counts = summary_counts(outcomes, plan)
    console.print("apply: " + ", ".join(f"{counts[name]} {name}" for name in RESULTS))


def _change_json(change: Change) -> dict[str, Any]:
    return {"kind": change.kind.value, "key": change.key, "action": change.action.value,
            "file": change.file, "reason": change.reason}


def _diff(change: Change) -> list[str]:
    if change.desired is None:
        return []
    if change.before is None:
        return [f"content hash changed -> {change.desired.hash}"]
    old = _text(_comparable(change.before))
    new = _text(_comparable(change.desired.body))
    lines = list(difflib.unified_diff(old, new, "grafana", "generated", lineterm="", n=1))[2:]
    if len(lines) > DIFF_LINES:
        lines = [*lines[:DIFF_LINES], f"... {len(lines) - DIFF_LINES} more diff lines"]
    return lines


def _comparable(body: Any) -> Any:
    if isinstance(body, dict):
        return {k: _comparable(v) for k, v in body.items()
                if k not in SERVER_FIELDS and k != "overwrite"}
    if isinstance(body, list):
        return [_comparable(v) for v in body]
    return body


def _text(body: Any) -> list[str]:
    return json.dumps(body, indent=2, sort_keys=True).splitlines()


def _colour(line: str) -> str:
    text = escape(line)
    if line.startswith("+"):
        return f"[green]{text}[/green]"
    if line.startswith("-"):
        return f"[red]{text}[/red]"
    return f"[dim]{text}[/dim]"
