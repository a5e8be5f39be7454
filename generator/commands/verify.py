"""`slogen verify`: check that the metrics and label matchers the specs use exist in Prometheus."""

from __future__ import annotations

import argparse
import sys

from generator.commands.common import EXIT_FAILED, EXIT_OK, CommandError
from generator.commands.live_args import (
    EXIT_NO_DATA,
    add_live_args,
    format_time,
    load_model,
    parse_time,
    pick_services,
    settings,
)
from generator.core.durations import parse_duration
from generator.live import verify
from generator.live.client import PrometheusClient, PrometheusError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the verify subcommand."""
    p = sub.add_parser(
        "verify", help="check that referenced metrics and labels exist in Prometheus"
    )
    add_live_args(p)
    p.add_argument(
        "--service", action="append", default=None, help="only this service (repeatable)"
    )
    p.add_argument(
        "--lookback",
        default="1h",
        help="a series counts as existing if it has samples this far back (default 1h)",
    )
    p.add_argument(
        "--max-series",
        type=int,
        default=verify.DEFAULT_MAX_SERIES,
        help=f"warn above this many series per selector (default {verify.DEFAULT_MAX_SERIES})",
    )
    p.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """Exit 0 when every reference resolves, 1 on misses, 4 when Prometheus cannot answer."""
    model = load_model(args)
    services = pick_services(model, args.service)
    at = parse_time(args.at)
    try:
        lookback = parse_duration(args.lookback).total_seconds()
    except ValueError as exc:
        raise CommandError(f"--lookback: {exc}", 2) from None
    refs, problems = verify.references(model, services)
    recorded = frozenset(r.record for s in services for r in s.recordings)
    try:
        with PrometheusClient(settings(args, model)) as client:
            lookup = verify.lookup_for(client, at - lookback, at)
            problems += verify.check(refs, lookup, recorded, args.max_series)
    except PrometheusError as exc:
        raise CommandError(str(exc), EXIT_NO_DATA) from None
    problems.sort(key=lambda f: (f.source.file, f.source.line or 0, f.source.path, f.message))
    for finding in problems:
        print(finding, file=sys.stderr if finding.level is verify.Level.ERROR else sys.stdout)
    errors = sum(1 for f in problems if f.level is verify.Level.ERROR)
    warnings = len(problems) - errors
    print(
        f"{len(refs)} selectors checked at {format_time(at)}: {errors} missing, "
        f"{warnings} warning{'s' if warnings != 1 else ''}"
    )
    return EXIT_FAILED if errors else EXIT_OK
