"""`slogen verify`: check that the metrics and label matchers the specs use exist in Prometheus."""

from __future__ import annotations

import argparse
import sys

from generator.commands import output
from generator.commands.common import EXIT_FAILED, EXIT_OK, EXIT_SPEC, CommandError
from generator.commands.live_args import (
    EXIT_NO_DATA,
    add_live_args,
    format_time,
    load_model,
    parse_time,
    pick_services,
    settings,
)

DEFAULT_MAX_SERIES = 10_000  # live.verify.DEFAULT_MAX_SERIES; a test keeps them equal


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
        default=DEFAULT_MAX_SERIES,
        help=f"warn above this many series per selector (default {DEFAULT_MAX_SERIES})",
    )
    output.add_output_args(p)
    p.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """Exit 0 when every reference resolves, 1 on misses, 4 when Prometheus cannot answer."""
    from generator.core.durations import parse_duration
    from generator.live import verify
    from generator.live.client import PrometheusClient, PrometheusError

    model = load_model(args)
    services = pick_services(model, args.service)
    at = parse_time(args.at)
    try:
        lookback = parse_duration(args.lookback).total_seconds()
    except ValueError as exc:
        raise CommandError(f"--lookback: {exc}", EXIT_SPEC) from None
    refs, problems = verify.references(model, services)
    recorded = frozenset(r.record for s in services for r in s.recordings)
    try:
        with PrometheusClient(settings(args, model)) as client:
            lookup = verify.lookup_for(client, at - lookback, at)
            problems += verify.check(refs, lookup, recorded, args.max_series)
    except PrometheusError as exc:
        raise CommandError(str(exc), EXIT_NO_DATA) from None
    problems.sort(key=lambda f: (f.source.file, f.source.line or 0, f.source.path, f.message))
    errors = sum(1 for f in problems if f.level is verify.Level.ERROR)
    warnings = len(problems) - errors
    text_lines = []
    for finding in problems:
        if finding.level is verify.Level.ERROR:
            print(finding, file=sys.stderr)  # misses go to stderr, as every error does
        else:
            text_lines.append(f"{finding}\n")
    summary = (f"{len(refs)} selectors checked at {format_time(at)}: {errors} missing, "
               f"{warnings} warning{'s' if warnings != 1 else ''}\n")
    data = {"time": format_time(at), "selectors": len(refs), "missing": errors,
            "warnings": warnings,
            "findings": [{"level": f.level.value, "source": f.source.prefix(),
                          "message": f.message} for f in problems]}
    return output.report(args, "verify", EXIT_FAILED if errors else EXIT_OK, data,
                         lambda: "".join(text_lines) + summary)
