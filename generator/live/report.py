"""Render SLO statuses as a rich table, Markdown or JSON-ready data. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from generator.core.durations import format_duration
from generator.live.status import BurnStatus, SloStatus

NO_DATA = "no data"
LEGEND = ("burn: long/short window, their mean burn rates (> the alert threshold); sustained "
          "pairs decide, as their alerts do, on the median of the 5m rates over the short window "
          "(and, for a page, over the long window, above 1); ! = burning")
COLUMNS = (
    "Service",
    "SLO",
    "Objective",
    "SLI",
    "Budget left",
    "Minutes left",
    "Page burn",
    "Ticket burn",
    "Firing",
)


def percent(value: float | None, digits: int = 1) -> str:
    """`0.99912` -> `99.912%` with `digits` decimals; None -> no data."""
    return NO_DATA if value is None else f"{value * 100:.{digits}f}%"


def _number(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _burn_cell(burns: Sequence[BurnStatus], level: str, mark: str) -> list[str]:
    lines = []
    for b in burns:
        if b.window.level != level:
            continue
        w = b.window
        text = (
            f"{format_duration(w.long)}/{format_duration(w.short)} "
            f"{_number(b.long_burn)}/{_number(b.short_burn)} (>{w.factor:g})"
        )
        lines.append(text + (mark if b.active else ""))
        if b.sustained:
            lines.append(_median_text(b))
    return lines or ["-"]


def _median_text(b: BurnStatus) -> str:
    """The medians a sustained pair decides on: both windows' for a page (the long one must
    exceed 1), the short window's for a ticket."""
    if b.long_gated:
        return (f"  median {_number(b.long_median)}/{_number(b.short_median)} "
                f"(>1/>{b.window.factor:g})")
    return f"  median {format_duration(b.window.short)} {_number(b.short_median)}"


def row(status: SloStatus, mark: str = " !") -> list[str | list[str]]:
    """The cells of one SLO, burn cells as lists of lines."""
    slo = status.slo
    minutes = status.budget_remaining_minutes
    return [
        slo.service,
        slo.name,
        f"{slo.objective:g}% / {format_duration(slo.window)}",
        percent(status.sli, 3),
        percent(status.budget_remaining),
        NO_DATA if minutes is None else f"{minutes:.1f}",
        _burn_cell(status.burns, "page", mark),
        _burn_cell(status.burns, "ticket", mark),
        ", ".join(status.firing) or "-",
    ]


def table(statuses: Sequence[SloStatus], title: str) -> Table:
    """A rich table, one row per SLO; active burns and overspent budgets in red."""
    out = Table(title=title, show_lines=True, caption=LEGEND)
    for name in COLUMNS:
        wraps = name in ("Page burn", "Ticket burn", "Firing")
        out.add_column(name, no_wrap=not wraps, overflow="fold" if wraps else "ellipsis")
    for status in statuses:
        cells = row(status, " [bold red]![/]")
        left = status.budget_remaining
        if left is not None and left <= 0:
            cells[4] = f"[bold red]{cells[4]}[/]"
        out.add_row(*["\n".join(c) if isinstance(c, list) else c for c in cells])
    return out


def fitted(statuses: Sequence[SloStatus], title: str, width: int | None) -> RenderableType:
    """The wide table when it fits in `width` columns (None: any width), else one block per SLO.

    Squeezed into a terminal narrower than its content, the table cut the SLI and collapsed
    the burn and firing columns to nothing.
    """
    wide = table(statuses, title)
    if width is None or table_width(wide) <= width:
        return wide
    return narrow(statuses, title)


def table_width(rendered: Table) -> int:
    """Columns the table needs to show every cell uncut."""
    console = Console(width=10_000)
    return console.measure(rendered).maximum


def narrow(statuses: Sequence[SloStatus], title: str) -> Group:
    """One labelled block per SLO: fits 80 columns, long values wrap instead of vanishing."""
    blocks: list[RenderableType] = [
        Text(title, style="bold"),
        Text(LEGEND, style="dim")]
    for status in statuses:
        cells = row(status, " [bold red]![/]")
        grid = Table.grid(padding=(0, 1))
        grid.add_column(style="dim", no_wrap=True)
        grid.add_column(overflow="fold")
        left = status.budget_remaining
        budget = f"{cells[4]} ({cells[5]} min of full outage)"
        if left is not None and left <= 0:
            budget = f"[bold red]{budget}[/]"
        grid.add_row("SLI", str(cells[3]))
        grid.add_row("budget left", budget)
        grid.add_row("page burn", "\n".join(cells[6]))
        grid.add_row("ticket burn", "\n".join(cells[7]))
        grid.add_row("firing", str(cells[8]))
        blocks += [Text(""), Text.from_markup(f"[bold]{cells[0]} / {cells[1]}[/]  {cells[2]}"),
                   grid]
    return Group(*blocks)


def markdown(statuses: Sequence[SloStatus], title: str) -> str:
    """A Markdown table with the same columns as the terminal table."""
    lines = [
        f"### {title}",
        "",
        "| " + " | ".join(COLUMNS) + " |",
        "|" + "|".join("---" for _ in COLUMNS) + "|",
    ]
    for status in statuses:
        cells = ["<br>".join(c) if isinstance(c, list) else c for c in row(status)]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    lines += ["", LEGEND]
    return "\n".join(lines) + "\n"


def as_data(status: SloStatus) -> dict[str, Any]:
    """JSON-ready form of one SLO status."""
    slo = status.slo
    return {
        "id": slo.id,
        "service": slo.service,
        "slo": slo.name,
        "objective": slo.objective,
        "window": format_duration(slo.window),
        "source": slo.source.prefix(),
        "sli": status.sli,
        "error_ratio": status.error_ratio,
        "budget_remaining": status.budget_remaining,
        "budget_remaining_minutes": status.budget_remaining_minutes,
        "burn_rates": {format_duration(w): v for w, v in status.burn_rates.items()},
        "burn_windows": [
            {
                "level": b.window.level,
                "long": format_duration(b.window.long),
                "short": format_duration(b.window.short),
                "factor": b.window.factor,
                "long_burn": b.long_burn,
                "short_burn": b.short_burn,
                "sustained": b.sustained,
                "short_median_burn": b.short_median,
                "long_median_burn": b.long_median,
                "active": b.active,
            }
            for b in status.burns
        ],
        "firing": list(status.firing),
    }
