"""`slogen status`: SLI, error budget left, burn rates and firing alerts per SLO, from live data."""

from __future__ import annotations

import argparse
import io
from typing import TYPE_CHECKING

from generator.commands import output
from generator.commands.common import EXIT_OK, CommandError
from generator.commands.live_args import (
    EXIT_NO_DATA,
    add_live_args,
    format_time,
    load_model,
    parse_time,
    pick_services,
    settings,
)

if TYPE_CHECKING:
    from generator.live.status import SloStatus


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the status subcommand."""
    p = sub.add_parser(
        "status",
        help="live SLO status: SLI, budget left, burn rates, alerts",
        description="Per SLO: SLI over its window, error budget left, burn rates over the alert "
        "windows and firing alerts. Exit 0, or 4 when Prometheus cannot answer.",
    )
    add_live_args(p)
    p.add_argument(
        "--service", action="append", default=None, help="only this service (repeatable)"
    )
    output.add_output_args(p, legacy_formats=("table",))
    p.set_defaults(func=run_status)


def run_status(args: argparse.Namespace) -> int:
    """Print the status of every selected SLO; exit 4 when Prometheus cannot answer."""
    from generator.live import report
    from generator.live.client import PrometheusClient, PrometheusError
    from generator.live.status import measure_firing, measure_slo, other_alerts

    model = load_model(args)
    services = pick_services(model, args.service)
    at = parse_time(args.at)
    statuses: list[SloStatus] = []
    others: dict[str, list[str]] = {}
    try:
        with PrometheusClient(settings(args, model)) as client:
            firing = measure_firing(client, at)
            for svc in services:
                statuses += [measure_slo(client, slo, at, firing) for slo in svc.slos]
                others[svc.name] = other_alerts(svc, firing)
    except PrometheusError as exc:
        raise CommandError(str(exc), EXIT_NO_DATA) from None
    title = f"SLO status at {format_time(at)}"
    if args.format == "table":  # the old name of the text format
        args.format = "text"
    others_text = "".join(f"{svc}: other alerts firing: {', '.join(names)}\n"
                          for svc, names in sorted(others.items()) if names)
    data = {"time": format_time(at), "slos": [report.as_data(s) for s in statuses],
            "other_firing_alerts": others}
    if args.format == "text" and args.output is None:
        _print_table(statuses, title)
        print(others_text, end="")
        return EXIT_OK
    return output.report(args, "status", EXIT_OK, data,
                         lambda: _table_text(statuses, title) + others_text,
                         lambda: report.markdown(statuses, title) + others_text)


def _print_table(statuses: list[SloStatus], title: str) -> None:
    """On a terminal: fitted to its width (a block per SLO when narrow); piped: uncut."""
    from rich.console import Console

    from generator.live import report

    console = Console()
    width = console.width if console.is_terminal else None
    rendered = report.fitted(statuses, title, width)
    if width is None:
        console = Console(width=max(report.table_width(report.table(statuses, title)), 80))
    console.print(rendered)


def _table_text(statuses: list[SloStatus], title: str) -> str:
    """The whole table as plain text, for -o FILE."""
    from rich.console import Console

    from generator.live import report

    buffer = io.StringIO()
    table = report.table(statuses, title)
    Console(file=buffer, width=max(report.table_width(table), 80), color_system=None).print(table)
    return buffer.getvalue()
