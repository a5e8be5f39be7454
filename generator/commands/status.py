"""`slogen status`: SLI, error budget left, burn rates and firing alerts per SLO, from live data."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable

from rich.console import Console

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
from generator.live import report
from generator.live.client import PrometheusClient, PrometheusError
from generator.live.status import SloStatus, measure_firing, measure_slo, other_alerts


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
    p.add_argument(
        "--output",
        choices=("table", "json", "markdown"),
        default="table",
        help="output format (default table)",
    )
    p.set_defaults(func=run_status)


def run_status(args: argparse.Namespace) -> int:
    """Print the status of every selected SLO; exit 4 when Prometheus cannot answer."""
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
    if args.output == "json":
        print(
            json.dumps(
                {
                    "time": format_time(at),
                    "slos": [report.as_data(s) for s in statuses],
                    "other_firing_alerts": others,
                },
                indent=2,
                sort_keys=True,
            )
        )
    elif args.output == "markdown":
        print(report.markdown(statuses, title), end="")
        _print_others(others, print)
    else:
        console = Console()
        width = console.width if console.is_terminal else None
        rendered = report.fitted(statuses, title, width)
        if width is None:  # a pipe or file: as wide as the table, never cut
            console = Console(width=max(report.table_width(report.table(statuses, title)), 80))
        console.print(rendered)
        _print_others(others, console.print)
    return EXIT_OK


def _print_others(others: dict[str, list[str]], out: Callable[[str], object]) -> None:
    lines = [
        f"{svc}: other alerts firing: {', '.join(names)}"
        for svc, names in sorted(others.items())
        if names
    ]
    for line in lines:
        out(line)
