"""`slogen backtest`: replay the generated alerts over recorded series and score them against
labelled incidents (precision, recall, F1, detection delay, tuning hints)."""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from datetime import timedelta
from pathlib import Path

from generator import pipeline
from generator.backtest import evaluate as ev
from generator.backtest.incidents import IncidentsError, parse_incidents
from generator.backtest.report import report_json, report_markdown
from generator.commands.common import EXIT_OK, EXIT_SPEC, CommandError
from generator.core.durations import parse_duration
from generator.validate import replay


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the backtest subcommand."""
    p = sub.add_parser("backtest", help="score alerts against labelled incidents on past series")
    p.add_argument("--series", type=Path, required=True,
                   help="OpenMetrics text with timestamps (ends with # EOF)")
    p.add_argument("--incidents", type=Path, required=True,
                   help="YAML/JSON list of {start, end, service, name?, alerts?}")
    p.add_argument("--specs", type=Path, default=Path("slos"), help="spec directory (default slos)")
    p.add_argument("--warmup", type=parse_duration, default=timedelta(days=1),
                   help="skip this long after the first sample, for windows to fill (default 1d)")
    p.add_argument("--grace", type=parse_duration, default=timedelta(minutes=15),
                   help="an episode this soon after an incident still matches it (default 15m)")
    p.add_argument("--step", type=parse_duration, default=None,
                   help="evaluation step (default: the specs' evaluation_interval)")
    p.add_argument("--no-tune", action="store_true", help="skip replaying tuning variants")
    p.add_argument("--json", type=Path, default=None, help="write the JSON report here")
    p.add_argument("--markdown", type=Path, default=None,
                   help="write the Markdown report here (default: stdout)")
    p.add_argument("--promtool", default=None, help="promtool binary (default: from PATH)")
    p.add_argument("--prometheus", default=None, help="prometheus binary (default: from PATH)")
    p.set_defaults(func=run_backtest)


def _binary(name: str, given: str | None) -> str:
    found = given or shutil.which(name)
    if found is None:
        raise CommandError(f"{name} not found; install it (Debian package prometheus) or pass "
                           f"--{name}")
    return found


def _time_range(series: Path) -> tuple[float, float]:
    """First and last sample timestamps in an OpenMetrics file."""
    first = last = None
    with series.open(encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#") or not line.strip():
                continue
            ts = float(line.rsplit(" ", 1)[1])
            first = ts if first is None else min(first, ts)
            last = ts if last is None else max(last, ts)
    if first is None or last is None:
        raise CommandError(f"{series}: no samples", EXIT_SPEC)
    return first, last


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}", EXIT_SPEC) from exc


def run_backtest(args: argparse.Namespace) -> int:
    """Build a TSDB, evaluate every alert, and write the reports."""
    model = pipeline.compile_specs(args.specs, None)
    try:
        incidents = parse_incidents(_read(args.incidents), str(args.incidents))
    except IncidentsError as exc:
        raise CommandError(str(exc), EXIT_SPEC) from exc
    _read(args.series)
    first, last = _time_range(args.series)
    step = (args.step or model.prometheus.evaluation_interval).total_seconds()
    window = ev.Window(first + args.warmup.total_seconds(), last, step)
    if window.start >= window.end:
        raise CommandError(f"{args.series}: the series are shorter than --warmup", EXIT_SPEC)
    promtool = _binary("promtool", args.promtool)
    prometheus = _binary("prometheus", args.prometheus)
    with tempfile.TemporaryDirectory(prefix="slogen-backtest-") as tmp:
        work = Path(tmp)
        try:
            replay.create_blocks(promtool, args.series, work / "tsdb")
            with replay.serve(prometheus, work / "tsdb", work) as server:
                results = ev.evaluate(model, incidents, server.condition_times, window,
                                      args.grace, tune=not args.no_tune)
        except replay.ReplayError as exc:
            raise CommandError(str(exc)) from exc
    text = report_markdown(results, incidents, window, args.grace)
    if args.json is not None:
        data = report_json(results, incidents, window, args.grace)
        args.json.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.markdown is not None:
        args.markdown.write_text(text, encoding="utf-8")
    else:
        print(text, end="")
    return EXIT_OK
