"""The table `slogen health` prints: check, value, expected, status."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rich.console import Console
from rich.table import Table

from generator.exporter.checks import Outcome, expected_text
from generator.exporter.config import CheckConfig

MAX_ROWS_SHOWN = 5


def print_table(
    checks: Sequence[CheckConfig], outcomes: Mapping[str, Outcome], console: Console | None = None
) -> int:
    """Print one row per check; return how many failed."""
    table = Table(title="slogen health checks")
    for column in ("check", "value", "expected", "status", "detail"):
        table.add_column(column, overflow="fold")
    failed = 0
    for check in sorted(checks, key=lambda c: c.id):
        outcome = outcomes[check.id]
        failed += outcome.failing
        status = (
            "[red]ERROR[/red]"
            if outcome.error is not None
            else "[red]FAIL[/red]"
            if outcome.failing
            else "[green]OK[/green]"
        )
        detail = (
            f"{outcome.error.reason.value}: {outcome.error.message}"
            if outcome.error is not None
            else f"{outcome.duration * 1000:.0f} ms"
        )
        table.add_row(check.id, _value_text(check, outcome), expected_text(check), status, detail)
    out = console or Console()
    out.print(table)
    out.print(f"{len(checks) - failed} of {len(checks)} checks passed.")
    return failed


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
