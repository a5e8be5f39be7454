"""`slogen generate` and `slogen validate`."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import gc
import sys
from collections.abc import Iterator
from pathlib import Path

from generator import outdir, pipeline
from generator.commands.common import EXIT_FAILED, EXIT_OK, CommandError
from generator.core.model import Model
from generator.specfile.models import RuleFormat
from generator.validate import checks, promtool
from generator.validate.results import Tools


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the generate, validate and schema subcommands."""
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
    gen.add_argument("--format", choices=[f.value for f in RuleFormat], default=None,
                     help="Prometheus rule layout, overriding prometheus.format in _global.yaml")
    gen.set_defaults(func=run_generate)

    val = sub.add_parser("validate", help="check specs only; write nothing")
    _spec_args(val)
    val.set_defaults(func=run_validate)


def _spec_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--specs", type=Path, default=Path("slos"),
                        help="spec directory (default slos)")
    parser.add_argument("--promtool", default=None, help="promtool binary (default: from PATH)")
    parser.add_argument("--amtool", default=None, help="amtool binary (default: from PATH)")


def _tools(args: argparse.Namespace) -> Tools:
    import shutil

    return Tools(promtool=promtool.find_promtool(args.promtool),
                 amtool=args.amtool or shutil.which("amtool"))


def _warn_missing(tools: Tools) -> None:
    for name in checks.missing_tools(tools):
        print(f"slogen: warning: {name} not found; its checks were skipped "
              f"(install it, e.g. `make setup`)", file=sys.stderr)


def _print_warnings(model: Model) -> None:
    for warning in model.warnings:
        print(warning, file=sys.stderr)


def run_validate(args: argparse.Namespace) -> int:
    """Validate specs; exit 2 on errors."""
    tools = _tools(args)
    model = pipeline.compile_specs(args.specs, tools.promtool)
    _print_warnings(model)
    if tools.promtool is None:
        _warn_missing(Tools(None, "-"))
    count = sum(len(s.slos) for s in model.services)
    print(f"{len(model.services)} services, {count} SLOs: specs are valid.")
    return EXIT_OK


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


def run_generate(args: argparse.Namespace) -> int:
    """Compile specs, check the output, then swap it into out/."""
    tools = _tools(args)
    model = pipeline.compile_specs(args.specs, tools.promtool)
    _print_warnings(model)
    if args.format is not None:
        settings = model.prometheus.model_copy(update={"format": RuleFormat(args.format)})
        model = dataclasses.replace(model, prometheus=settings)
    # What out/ provisioned from files so far: the new files delete what the specs dropped.
    model = dataclasses.replace(model, previous=outdir.previous_generation(args.out))
    with gc_exempt():
        files = pipeline.render(model)
    if args.check:
        changes = outdir.compare(args.out, files)
        for line in changes.lines():
            print(line)
        if changes:
            print(f"{args.out} is stale: run `slogen generate` and commit the result.",
                  file=sys.stderr)
            return EXIT_FAILED
        print(f"{args.out} is up to date ({len(files)} files).")
        return EXIT_OK
    staged = outdir.stage(args.out, files)
    try:
        if not args.skip_checks:
            _warn_missing(tools)
            problems = checks.run_checks(staged, model, tools, include_slow=args.test)
            for warning in [p for p in problems if p.warning]:
                print(f"slogen: warning: {warning}", file=sys.stderr)
            problems = [p for p in problems if not p.warning]
            if problems:
                for problem in problems:
                    print(problem, file=sys.stderr)
                raise CommandError(
                    f"{len(problems)} check(s) failed; {args.out} was left as it was")
        changes = outdir.compare(args.out, files)
        outdir.swap_in(staged, args.out)
    except BaseException:
        outdir.discard(staged)
        raise
    unchanged = len(files) + 1 - len(changes.added) - len(changes.modified)  # +1: the manifest
    print(f"wrote {args.out}: {len(changes.added)} added, {len(changes.modified)} changed, "
          f"{len(changes.removed)} removed, {unchanged} unchanged")
    return EXIT_OK
