"""`slogen generate` and `slogen validate`.

The pipeline is imported inside the run functions: `slogen --help` must not pay for it.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.commands import output
from generator.commands.common import EXIT_FAILED, EXIT_OK, EXIT_SPEC, CommandError
from generator.commands.progress import Progress

if TYPE_CHECKING:
    from generator.core.model import Model
    from generator.incremental import Inputs
    from generator.specfile.parallel_read import Prefetch
    from generator.specfile.speccache import SpecCache
    from generator.validate import grafana
    from generator.validate.results import Problem, Tools

# The values of RuleFormat (core/kinds.py), spelled out so registering needs no pydantic;
# tests/commands/test_cli_convention.py keeps the two equal.
RULE_FORMATS = ("rules", "prometheus-operator", "mimir")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the generate and validate subcommands."""
    gen = sub.add_parser("generate", help="compile specs into out/ (atomically)")
    _spec_args(gen)
    gen.add_argument("--out", type=Path, default=Path("out"), help="output directory (default out)")
    gen.add_argument("--check", action="store_true",
                     help="write nothing; exit 1 and list the files that would change")
    gen.add_argument("--test", action="store_true",
                     help="also run the generated promtool unit tests before writing "
                          "(what `slogen test` runs on out/)")
    gen.add_argument("--skip-checks", action="store_true",
                     help="do not run promtool/amtool on the output (faster, for benchmarks)")
    gen.add_argument("--rule-format", choices=RULE_FORMATS, default=None,
                     help="Prometheus rule layout, overriding prometheus.format in _global.yaml")
    output.add_output_args(gen, legacy_formats=RULE_FORMATS)
    gen.set_defaults(func=run_generate)

    val = sub.add_parser("validate", help="check specs only; write nothing")
    _spec_args(val)
    output.add_output_args(val)
    val.set_defaults(func=run_validate)


def _spec_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--specs", type=Path, default=Path("slos"),
                        help="spec directory (default slos)")
    parser.add_argument("--promtool", default=None, help="promtool binary (default: from PATH)")
    parser.add_argument("--amtool", default=None, help="amtool binary (default: from PATH)")


def _tools(args: argparse.Namespace) -> Tools:
    import shutil

    from generator.validate import promtool
    from generator.validate.results import Tools

    return Tools(promtool=promtool.find_promtool(args.promtool),
                 amtool=args.amtool or shutil.which("amtool"))


def _warn_missing(tools: Tools) -> list[str]:
    from generator.validate import checks

    notes = [f"slogen: warning: {name} not found; its checks were skipped "
             f"(install it, e.g. `make setup`)" for name in checks.missing_tools(tools)]
    for note in notes:
        print(note, file=sys.stderr)
    return notes


def _print_warnings(model: Model) -> list[str]:
    for warning in model.warnings:
        print(warning, file=sys.stderr)
    return [str(w) for w in model.warnings]


def run_validate(args: argparse.Namespace) -> int:
    """Validate specs; exit 2 on errors."""
    from generator import pipeline
    from generator.validate.results import Tools

    tools = _tools(args)
    model = pipeline.compile_specs(args.specs, tools.promtool)
    warnings = _print_warnings(model)
    if tools.promtool is None:
        warnings += _warn_missing(Tools(None, "-"))
    count = sum(len(s.slos) for s in model.services)
    data = {"services": len(model.services), "slos": count, "warnings": warnings}
    return output.report(args, "validate", EXIT_OK, data, lambda: (
        f"{len(model.services)} services, {count} SLOs: specs are valid.\n"))


@contextlib.contextmanager
def gc_exempt() -> Iterator[None]:
    """Leave every object alive now out of garbage collections until the block ends.

    Rendering allocates millions of short-lived containers; each full collection also
    rescanned the whole resolved model, seconds of `generate` at 10,000 SLOs.
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _rule_format(args: argparse.Namespace) -> str | None:
    """--rule-format, or the old spelling `--format rules|prometheus-operator|mimir`."""
    if args.format in RULE_FORMATS:
        print(f"slogen: warning: --format {args.format} is deprecated; use --rule-format "
              f"{args.format} (--format now picks text, json or markdown)", file=sys.stderr)
        legacy, args.format = args.format, "text"
        return str(args.rule_format or legacy)
    return args.rule_format  # type: ignore[no-any-return]


def _prefetch(args: argparse.Namespace, inputs: Inputs | None) -> Prefetch | None:
    """On a cold generate (no cache beside out/, or `--check`), a forked helper starts reading
    the YAML spec files before the rest of slogen is imported (see parallel_read.Prefetch)."""
    from generator import incremental
    from generator.core.errors import SpecErrors
    from generator.specfile import parallel_read
    from generator.specfile.sourcetext import read_spec_text, shown_name, spec_files

    if inputs is None or not args.check and incremental.cache_path(args.out).exists():
        return None
    # The files the loader reads, named as it names them (a result is used only for the same
    # name and text).
    root, spec_dir = Path.cwd(), args.specs.resolve()
    items = []
    for path in spec_files(args.specs):
        if path.suffix != ".jsonnet" and spec_dir in path.resolve().parents:
            shown = shown_name(path, root)
            with contextlib.suppress(SpecErrors):  # the loader reports it
                items.append((read_spec_text(path, shown), shown))
    return parallel_read.Prefetch(items)


def _compile(args: argparse.Namespace, tools: Tools, progress: Progress,
             rule_format: str | None, specs: SpecCache | None = None,
             prefetched: Prefetch | None = None) -> Model:
    import dataclasses

    from generator import outdir, pipeline
    from generator.core.kinds import RuleFormat

    progress.stage("loading and resolving specs")
    model = pipeline.compile_specs(args.specs, tools.promtool, rules=False, cache=specs,
                                   mttd=False, promql=False, prefetched=prefetched)
    if rule_format is not None:
        settings = dataclasses.replace(model.prometheus, format=RuleFormat(rule_format))
        model = dataclasses.replace(model, prometheus=settings)
    # What out/ provisioned from files so far: the new files delete what the specs dropped.
    return dataclasses.replace(model, previous=outdir.previous_generation(args.out))


def _check_out_dir(out: Path, specs: Path) -> None:
    """Refuse an --out that generate would destroy or could not make: the new tree replaces
    out/ by renaming, so a file there, or the spec directory, would be replaced by it."""
    where = out.resolve()
    if out.exists() and not out.is_dir():
        raise CommandError(f"--out {out} is a file, not a directory; give the directory to "
                           "write the output into (it is created if missing)", EXIT_SPEC)
    if where.parent == where:
        raise CommandError(f"--out {out} is the file system root; give a directory of its own, "
                           "like out", EXIT_SPEC)
    ancestor = where.parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise CommandError(f"--out {out}: {ancestor} is a file, so the directory cannot be "
                           "created; give another path", EXIT_SPEC)
    spec_dir = specs.resolve()
    if where == spec_dir or where in spec_dir.parents or spec_dir in where.parents:
        relation = ("is" if where == spec_dir else
                    "contains" if where in spec_dir.parents else "is inside")
        raise CommandError(f"--out {out} {relation} the spec directory {specs}; write the "
                           "output beside it, like out next to slos", EXIT_SPEC)


RULES_CHECK = "prometheus-rules"  # its verdict comes from promtool runs started while rendering

# Collections while a generate runs: a young collection every this many new containers (700
# by default), older ones rarely. Nearly all of what a generate allocates dies by reference
# count or lives to the end, so the default schedule spent a tenth of a one-spec edit scanning
# the same objects again; cyclic garbage is still collected.
GC_THRESHOLDS = (10_000, 10, 10)


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect garbage less often until the block ends (see GC_THRESHOLDS); what the block
    froze (gc.freeze) is collectable again after it."""
    before = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)


def run_generate(args: argparse.Namespace) -> int:
    """Compile specs, check the output, then swap it into out/.

    When out/ already holds what these inputs generate (its manifest says so and every file
    still has its recorded digest), nothing is compiled, rendered, checked or written.
    """
    with fewer_collections():
        return _generate(args)


def _generate(args: argparse.Namespace) -> int:
    from generator import incremental  # only this before the no-op check: imports cost time

    _check_out_dir(args.out, args.specs)
    rule_format = _rule_format(args)
    args.rule_format = rule_format
    inputs = (incremental.generation_inputs(args.specs, rule_format)
              if args.specs.is_dir() else None)
    if inputs is not None and not args.check and not args.test:
        last = incremental.read_manifest(args.out)
        if incremental.up_to_date(args.out, last, inputs):
            count = len(last.files)
            data = _data(args, count, [], [], None) | {"unchanged": count + 1}
            return output.report(args, "generate", EXIT_OK, data, lambda: (
                f"{args.out} is up to date: {count} files unchanged, nothing rendered\n"))
    prefetched = _prefetch(args, inputs)
    from generator import outdir, pipeline, produce
    from generator.core.errors import SpecErrors
    from generator.validate import checks

    # What the imports made (modules, classes) lives to the end: no collection scans it again.
    gc.freeze()

    tools = _tools(args)
    progress = Progress.of(args)
    with progress.task("generate"):
        # What the last generate read and wrote (see produce.py); `--check` uses none of it.
        document = produce.read_cache_document(args.out) \
            if inputs is not None and not args.check else {}
        specs = produce.spec_cache(document, inputs) if inputs is not None else None
        try:
            model = _compile(args, tools, progress, rule_format, specs, prefetched)
        finally:
            if prefetched is not None:
                prefetched.abandon()
        warnings = _print_warnings(model)
        progress.stage(f"rendering {sum(len(s.slos) for s in model.services)} SLOs")
        # Services whose inputs did not change keep their files (see produce.py); `--check`
        # compares a full render with out/.
        keys = ({} if inputs is None or args.check
                else produce.service_keys(model, inputs, args.specs))
        cache = produce.read_cache(args.out, document) if keys else {}
        del document
        # A service whose inputs are those of a generate that passed met its MTTD targets then
        # (the key covers its spec, the routing in _global and slogen itself). The others are
        # checked once rendered: the docs index has worked out every alert's timing by then.
        passed = frozenset(
            name for name, key in keys.items() if (e := cache.get(name)) and e.key == key)
        # promtool parses the specs' PromQL while the output renders; nothing is swapped in
        # before it has passed.
        promql = pipeline.start_check_promql(model, tools.promtool, specs)
        checking = not args.skip_checks and not args.check
        stager = outdir.Stager(args.out, write=not args.check)
        early = _EarlyChecks(stager.staging, model, tools) if checking else None
        produced: produce.Produced | None = None
        try:
            with gc_exempt():
                try:
                    produced = produce.produce(model, stager, inputs, keys, cache,
                                               tools.promtool if checking else None,
                                               early.start if early is not None else None)
                except SpecErrors:
                    # A spec expression that does not parse, or an MTTD target, says why first.
                    promql.finish()
                    pipeline.check_mttd(model, passed)
                    raise
            promql.finish()
            pipeline.check_mttd(model, passed)
            changes = produced.changes
            if args.check:
                return _report_check(args, changes, produced.files, warnings)
            staged = stager.staging
            assert staged is not None
            problems: list[Problem] = []
            if early is not None:
                progress.stage("checking the output with promtool and amtool")
                warnings += _warn_missing(tools)
                # Files identical to what out/ holds were checked when they were written; the
                # changed rule files were checked while the rest rendered (failures are traced
                # to their spec by the check run again), Alertmanager's too.
                changed = frozenset(changes.added + changes.modified)
                done, found = early.finish()
                # Unit tests that passed once pass again on the same files; the others run.
                untested = frozenset(s.name for s in model.services
                                     if not (e := produced.entries.get(s.name)) or not e.tested)
                read: dict[str, frozenset[str]] = {}
                # The other checks run while promtool finishes with the last rule files.
                problems = _run_checks(staged, model, tools, args.test, warnings, changed,
                                       done | {RULES_CHECK}, untested,
                                       produced.known_output(changed), read, found)
                produced.remember(read)
                if not produced.rules_ok():  # traced to their specs file by file
                    problems += _run_checks(staged, model, tools, False, warnings, changed,
                                            checks.names() - {RULES_CHECK}, untested,
                                            produced.known_output(changed), {}, [])
            if problems:
                stager.discard()
                return _report_failed(args, problems, warnings)
            progress.stage(f"writing {args.out}")
            outdir.swap_in(staged, args.out)
        except BaseException:
            promql.abandon()
            if produced is not None:
                produced.abandon()
            if early is not None and early.thread is not None:
                early.thread.join()  # it reads the staging directory about to be removed
            stager.discard()
            raise
    assert produced is not None
    if keys:
        if args.test and tools.promtool is not None and not args.skip_checks:
            for entry in produced.entries.values():
                entry.tested = True
        produce.write_cache(args.out, produced.entries, specs)
    unchanged = produced.files + 1 - len(changes.added) - len(changes.modified)  # +1: manifest
    data = _data(args, produced.files, warnings, [], changes) | {"unchanged": unchanged}
    return output.report(args, "generate", EXIT_OK, data, lambda: (
        f"wrote {args.out}: {len(changes.added)} added, {len(changes.modified)} changed, "
        f"{len(changes.removed)} removed, {unchanged} unchanged\n"))


class _EarlyChecks:
    """Checks of the files that read every service (Alertmanager's), run in a thread while
    the services render: they wait on amtool processes most of the time."""

    NAME = "alertmanager"

    def __init__(self, staged: Path | None, model: Model, tools: Tools) -> None:
        self.staged, self.model, self.tools = staged, model, tools
        self.thread: threading.Thread | None = None
        self.result: list[Problem] = []
        self.error: BaseException | None = None

    def start(self, changed: frozenset[str]) -> None:
        from generator.validate import checks

        if self.staged is None or not any(p.startswith(checks.READS[self.NAME]) for p in changed):
            return
        staged = self.staged

        def run() -> None:
            try:
                self.result = checks.run_check(self.NAME, staged, self.model, self.tools)
            except BaseException as exc:  # re-raised in the main thread by finish()
                self.error = exc

        self.thread = threading.Thread(target=run, name="slogen-early-checks", daemon=True)
        self.thread.start()

    def finish(self) -> tuple[frozenset[str], list[Problem]]:
        """(names of the checks that ran, their problems)."""
        if self.thread is None:
            return frozenset(), []
        self.thread.join()
        if self.error is not None:
            raise self.error
        return frozenset({self.NAME}), self.result


def _run_checks(staged: Path, model: Model, tools: Tools, slow: bool, warnings: list[str],
                changed: frozenset[str] | None, done: frozenset[str],
                untested: frozenset[str], known_output: grafana.Known,
                read: dict[str, frozenset[str]], found: list[Problem]) -> list[Problem]:
    from generator.validate import checks

    problems = found + checks.run_checks(
        staged, model, tools, include_slow=slow, changed=changed, done=done, untested=untested,
        known_output=known_output, read=read)
    for warning in [p for p in problems if p.warning]:
        print(f"slogen: warning: {warning}", file=sys.stderr)
        warnings.append(str(warning))
    return [p for p in problems if not p.warning]


def _data(args: argparse.Namespace, count: int, warnings: list[str], problems: list[Problem],
          changes: Any) -> dict[str, Any]:
    return {"out": str(args.out), "checked": bool(args.check), "files": count,
            "added": list(changes.added) if changes else [],
            "changed": list(changes.modified) if changes else [],
            "removed": list(changes.removed) if changes else [],
            "warnings": warnings,
            "problems": [{"check": p.check, "file": p.file, "output": p.output}
                         for p in problems]}


def _report_check(args: argparse.Namespace, changes: Any, count: int,
                  warnings: list[str]) -> int:
    code = EXIT_FAILED if changes else EXIT_OK
    if changes:
        print(f"{args.out} is stale: run `slogen generate` and commit the result.",
              file=sys.stderr)
    data = _data(args, count, warnings, [], changes)
    return output.report(args, "generate", code, data, lambda: "".join(
        f"{line}\n" for line in changes.lines()) + (
        "" if changes else f"{args.out} is up to date ({count} files).\n"))


def _report_failed(args: argparse.Namespace, problems: list[Problem],
                   warnings: list[str]) -> int:
    for problem in problems:
        print(problem, file=sys.stderr)
    print(f"slogen: {len(problems)} check(s) failed; {args.out} was left as it was",
          file=sys.stderr)
    data = _data(args, 0, warnings, problems, None)
    return output.report(args, "generate", EXIT_FAILED, data, lambda: "")
