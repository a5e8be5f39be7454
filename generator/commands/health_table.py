"""The table `slogen health` prints: check, value, expected, status."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from generator.exporter.checks import Outcome, expected_text
from generator.exporter.config import CheckConfig

MAX_ROWS_SHOWN = 5


def _status(outcome: Outcome) -> str:
    return "error" if outcome.error is not None else "fail" if outcome.failing else "ok"


def _detail(outcome: Outcome) -> str:
    if outcome.error is not None:
        return f"{outcome.error.reason.value}: {outcome.error.message}"
    return f"{outcome.duration * 1000:.0f} ms"


def health_data(checks: Sequence[CheckConfig], outcomes: Mapping[str, Outcome]) -> dict[str, Any]:
    """The report's data: one record per check, and the counts."""
    rows = [{"check": c.id, "status": _status(outcomes[c.id]),
             "value": _value_text(c, outcomes[c.id]).replace("\n", "; "),
             "expected": expected_text(c), "detail": _detail(outcomes[c.id])}
            for c in sorted(checks, key=lambda c: c.id)]
    failed = sum(1 for c in checks if outcomes[c.id].failing)
    return {"checks": rows, "passed": len(checks) - failed, "failed": failed}


def print_table(checks: Sequence[CheckConfig], outcomes: Mapping[str, Outcome],
                console: Console | None = None, *, text: bool = False) -> str | None:
    """Print one row per check (or, with `text`, return it as plain text)."""
    table = Table(title="slogen health checks")
    for column in ("check", "value", "expected", "status", "detail"):
        table.add_column(column, overflow="fold")
    failed = 0
    styles = {"error": "[red]ERROR[/red]", "fail": "[red]FAIL[/red]", "ok": "[green]OK[/green]"}
    for check in sorted(checks, key=lambda c: c.id):
        outcome = outcomes[check.id]
        failed += outcome.failing
        table.add_row(check.id, _value_text(check, outcome), expected_text(check),
                      styles[_status(outcome)], _detail(outcome))
    buffer = io.StringIO() if text else None
    out = console or (Console(file=buffer, width=120, color_system=None) if text else Console())
    out.print(table)
    out.print(f"{len(checks) - failed} of {len(checks)} checks passed.")
    return buffer.getvalue() if buffer is not None else None


def _value_text(check: CheckConfig, outcome: Outcome) -> str:
    if outcome.error is not None:
        return "-"
    if outcome.difference is not None:
        return f"difference {outcome.difference:g}"
    lines = [
        (", ".join(f"{k}={v}" for k, v in s.labels) + ": " if s.labels else "")
        + (f"{s.metric}=" if len(check.values) > 1 else "")
        + f"{s.value:g}"
        for s in outcome.samples
    ]
    if len(lines) > MAX_ROWS_SHOWN:
        lines = [*lines[:MAX_ROWS_SHOWN], f"... {len(lines) - MAX_ROWS_SHOWN} more"]
    return "\n".join(lines) or "(no rows)"
