"""`slogen backtest`: replay the generated rule files over recorded series (recording rules
backfilled level by level, alert rules evaluated unchanged with their `for`) and score every
alert against labelled incidents. docs/backtest.md describes the scoring."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Mapping, Sequence
from datetime import timedelta
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from generator.commands import output
from generator.commands.common import EXIT_OK, EXIT_SPEC, CommandError
from generator.commands.progress import Progress
from generator.core.durations import format_duration, parse_duration

if TYPE_CHECKING:  # the backtest stages load when it runs, not for `slogen --help`
    from generator.backtest import evaluate as ev
    from generator.backtest import rulefiles as rf
    from generator.backtest import tuning
    from generator.backtest.incidents import ServiceFacts
    from generator.backtest.run import ScenarioResult
    from generator.backtest.scoring import Incident, Score
    from generator.core import model as m
    from generator.validate import replay


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the backtest subcommand."""
    p = sub.add_parser("backtest", help="score the generated alerts against labelled incidents "
                       "on past series")
    p.add_argument("--series", type=Path, action="append", required=True,
                   help="OpenMetrics text with timestamps (ends with # EOF); repeat for several "
                   "scenarios, each with its own --incidents")
    p.add_argument("--incidents", type=Path, action="append", required=True,
                   help="YAML/JSON list of {name, service, kind, start, end, slo?, metrics?, "
                   "alerts?}")
    p.add_argument("--specs", type=Path, default=Path("slos"), help="spec directory (default slos)")
    p.add_argument("--warmup", type=parse_duration, default=None,
                   help="not scored at the start of each scenario (default and minimum: the "
                   "longest window any alert reads)")
    p.add_argument("--grace", type=parse_duration, default=timedelta(minutes=15),
                   help="an episode this soon after an incident still detects it (default 15m)")
    p.add_argument("--lead", type=parse_duration, default=None,
                   help="how early a predictive alert may warn and still detect (default: each "
                   "alert's own horizon)")
    p.add_argument("--no-tune", action="store_true", help="skip replaying tuning variants")
    p.add_argument("--json", type=Path, default=None,
                   help="also write the JSON report here (deprecated: --format json -o FILE)")
    p.add_argument("--markdown", type=Path, default=None,
                   help="also write the Markdown report here (deprecated: -o FILE)")
    output.add_output_args(p)
    p.add_argument("--promtool", default=None, help="promtool binary (default: from PATH)")
    p.add_argument("--prometheus", default=None, help="prometheus binary (default: from PATH)")
    p.set_defaults(func=run_backtest)


def _binary(name: str, given: str | None) -> str:
    import shutil

    found = given or shutil.which(name)
    if found is None:
        raise CommandError(f"{name} not found; install it (Debian package prometheus) or pass "
                           f"--{name}")
    return found


def _time_range(series: Path) -> tuple[float, float]:
    """First and last sample timestamps in an OpenMetrics file."""
    first = last = None
    try:
        with series.open(encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                if line.startswith("#") or not line.strip():
                    continue
                try:
                    ts = float(line.rsplit(" ", 2)[-1])
                except ValueError:
                    raise CommandError(f"{series}:{n}:1: sample without a timestamp",
                                       EXIT_SPEC) from None
                if not math.isfinite(ts):
                    raise CommandError(f"{series}:{n}:1: the sample's timestamp is {ts}; "
                                       "give Unix seconds", EXIT_SPEC)
                first = ts if first is None else min(first, ts)
                last = ts if last is None else max(last, ts)
    except OSError as exc:
        raise CommandError(f"{series}: {exc.strerror}", EXIT_SPEC) from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{series}: not UTF-8 text (byte {exc.start}); OpenMetrics text "
                           "is UTF-8", EXIT_SPEC) from None
    if first is None or last is None:
        raise CommandError(f"{series}: no samples", EXIT_SPEC)
    return first, last


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CommandError(f"{path}: {exc.strerror}", EXIT_SPEC) from exc
    except UnicodeDecodeError as exc:
        raise CommandError(f"{path}: not UTF-8 text (byte {exc.start}); write the file in "
                           "UTF-8", EXIT_SPEC) from None


def shipped_groups(model: m.Model) -> list[rf.Group]:
    """The rule groups of the generated rule files, as `slogen generate` writes them."""
    from generator import pipeline
    from generator.backtest import rulefiles as rf

    files = pipeline.render(model, frozenset({"prometheus"}))
    default = model.prometheus.evaluation_interval
    return [g for path, text in sorted(files.items()) if _is_rule_file(path)
            for g in rf.parse_rule_file(text, path.as_posix(), default)]


def _is_rule_file(path: PurePath) -> bool:
    return len(path.parts) == 2 and path.parts[0] == "prometheus" and \
        path.name.endswith(".rules.yaml")


def _scenario_name(series: Path, taken: set[str]) -> str:
    name = series.parent.name if series.stem == "series" else series.stem
    while name in taken:
        name += "'"
    taken.add(name)
    return name


def _warmup(given: timedelta | None, alerts: Sequence[ev.ShippedAlert],
            shortest: timedelta) -> tuple[timedelta, str]:
    """The warm-up: at least the longest window an alert reads, except alerts reading further
    than half the shortest scenario (a 30d ratio in a 10-day scenario), which are scored on
    partly filled windows, with a warning."""
    scored = [a for a in alerts if a.scored]
    beyond = sorted((a for a in scored if a.reach > shortest / 2), key=lambda a: a.key)
    longest = max((a for a in scored if a not in beyond), key=lambda a: a.reach, default=None)
    needed = longest.reach if longest is not None else timedelta(0)
    why = (f"the longest window an alert reads: `{longest.key}` reads "
           f"{format_duration(needed)} back" if longest is not None else "no alerts")
    if beyond:
        partly = ", ".join(f"`{a.key}` ({format_duration(a.reach)})" for a in beyond)
        print(f"warning: scored on partly filled windows, as they read further back than half "
              f"the shortest scenario: {partly}", file=sys.stderr)
        why += f"; scored on partly filled windows: {partly}"
    if given is None:
        return needed, why
    if given < needed:
        print(f"warning: --warmup {format_duration(given)} is shorter than {why}; using "
              f"{format_duration(needed)}", file=sys.stderr)
        return needed, f"extended from --warmup {format_duration(given)} to {why}"
    return given, f"--warmup; {why}"


def _incidents(args: argparse.Namespace,
               facts: Mapping[str, ServiceFacts]) -> list[list[Incident]]:
    from generator.backtest.incidents import IncidentsError, parse_incidents

    found, errors = [], []
    for path in args.incidents:
        try:
            found.append(parse_incidents(_read(path), str(path), facts))
        except IncidentsError as exc:
            errors += exc.messages
    if errors:
        raise CommandError("\n".join(errors), EXIT_SPEC)
    return found


def _offsets(server: replay.Replayer, groups: Sequence[rf.Group], at: float) -> dict[str, float]:
    """Per group, the offset within its interval at which its rules were backfilled."""
    found = {}
    for g in groups:
        rule = next((r for r in g.rules if r.record), None)
        if rule is None:
            continue
        step = g.interval.total_seconds()
        sel = rule.record + "{" + ",".join(f'{k}="{v}"' for k, v in
                                           sorted(rule.labels.items())) + "}"
        times = server.sample_times(sel, at, step * 3)
        if times:
            found[g.name] = times[-1] % step
    return found


def _tune_keys(alerts: Sequence[ev.ShippedAlert], incidents: Sequence[Sequence[Incident]],
               model: m.Model) -> frozenset[str]:
    from generator.backtest import evaluate as ev
    from generator.backtest import tuning

    counts = {a.key: sum(1 for incs in incidents for i in incs if ev.expects(a, i, model))
              for a in alerts if a.scored}
    return frozenset(k for k, n in counts.items() if n >= tuning.MIN_INCIDENTS)


def _replay(args: argparse.Namespace, model: m.Model, groups: Sequence[rf.Group],
            alerts: Sequence[ev.ShippedAlert], incidents: Sequence[Sequence[Incident]],
            warmup: timedelta) -> list[ScenarioResult]:
    """Backfill each scenario's TSDB and judge every alert on it."""
    from generator.backtest import rulefiles as rf

    levels = [rf.level_file(level) for level in rf.recording_levels(groups)]
    tune = frozenset() if args.no_tune else _tune_keys(alerts, incidents, model)
    promtool = _binary("promtool", args.promtool)
    prometheus = _binary("prometheus", args.prometheus)
    scenarios: list[ScenarioResult] = []
    taken: set[str] = set()
    progress = Progress.of(args)
    with progress.task("backtest", total=len(args.series)) as bar:
        for series, incs in zip(args.series, incidents, strict=True):
            scenarios.append(_scenario(args, series, incs, bar, taken, levels, tune,
                                       (promtool, prometheus), (model, groups, alerts, warmup)))
    return scenarios


def _scenario(args: argparse.Namespace, series: Path, incs: Sequence[Incident], bar: Progress,
              taken: set[str], levels: list[str], tune: frozenset[str], binaries: tuple[str, str],
              context: tuple[m.Model, Sequence[rf.Group], Sequence[ev.ShippedAlert], timedelta],
              ) -> ScenarioResult:
    """One scenario: backfill its TSDB, serve it, judge every alert (stages on the bar)."""
    from generator.backtest.run import run_scenario
    from generator.backtest.scoring import Scope
    from generator.validate import replay

    (promtool, prometheus), (model, groups, alerts, warmup) = binaries, context
    span = _time_range(series)
    scope = Scope(span[0] + warmup.total_seconds(), span[1], args.grace.total_seconds())
    import tempfile

    with tempfile.TemporaryDirectory(prefix="slogen-backtest-") as tmp:
        work = Path(tmp)
        try:
            bar.stage(f"{series.name}: backfilling recording rules into a TSDB")
            tsdb = replay.build_tsdb(promtool, prometheus, series, levels, span, work)
            bar.stage(f"{series.name}: evaluating {len(alerts)} alerts")
            with replay.serve(prometheus, tsdb, work) as server:
                result = run_scenario(
                    _scenario_name(series, taken), alerts, incs, model,
                    server.condition_times, _offsets(server, groups, span[1]), span, scope,
                    tune)
        except replay.ReplayError as exc:
            raise CommandError(str(exc)) from exc
    bar.advance()
    return result


def _hints(alerts: Sequence[ev.ShippedAlert],
           scenarios: Sequence[ScenarioResult]) -> list[tuning.Hint]:
    from generator.backtest import tuning

    base: dict[str, dict[str, Score]] = {}
    tried: dict[str, dict[str, dict[str, Score]]] = {}
    for s in scenarios:
        for r in s.results:
            base.setdefault(r.alert.key, {})[s.name] = r.score
        for key, variants in s.tried.items():
            for variant, score in variants.items():
                tried.setdefault(key, {}).setdefault(variant, {})[s.name] = score
    return tuning.all_hints([a for a in alerts if a.scored], base, tried)


def run_backtest(args: argparse.Namespace) -> int:
    """Backfill each scenario's TSDB, evaluate every alert, and write the reports."""
    from generator import pipeline
    from generator.backtest import evaluate as ev
    from generator.backtest.grafana import grafana_alerts
    from generator.backtest.report import report_json, report_markdown

    if len(args.series) != len(args.incidents):
        raise CommandError("give one --incidents file per --series file", EXIT_SPEC)
    model = pipeline.compile_specs(args.specs, None)
    groups = shipped_groups(model)
    alerts = [*ev.shipped_alerts(groups, model, args.lead),
              *grafana_alerts(model, ev.records_of(groups))]
    incidents = _incidents(args, ev.service_facts(alerts, model))
    spans = [_time_range(series) for series in args.series]
    shortest = timedelta(seconds=min(end - start for start, end in spans))
    warmup, note = _warmup(args.warmup, alerts, shortest)
    for series, span in zip(args.series, spans, strict=True):
        if span[0] + warmup.total_seconds() >= span[1]:
            raise CommandError(f"{series}: the series span less than the warm-up "
                               f"({format_duration(warmup)}: {note})", EXIT_SPEC)
    scenarios = _replay(args, model, groups, alerts, incidents, warmup)
    hints = _hints(alerts, scenarios)
    unscored = [a for a in alerts if not a.scored]
    text = report_markdown(scenarios, unscored, hints, warmup, args.grace, note)
    data = report_json(scenarios, unscored, hints, warmup, args.grace, note)
    if args.json is not None:
        import json

        args.json.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    if args.markdown is not None:
        args.markdown.write_text(text, encoding="utf-8")
        if args.output is None and args.format != "json":
            return EXIT_OK  # the old behaviour: --markdown FILE replaced stdout
    return output.report(args, "backtest", EXIT_OK, data, text, lambda: text)
