"""`slogen test`: run the generated promtool unit tests in out/prometheus/tests."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.commands.common import EXIT_FAILED, EXIT_OK, CommandError
from generator.validate import prometheus, promtool


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the test subcommand."""
    cmd = sub.add_parser("test", help="run the generated promtool unit tests on out/")
    cmd.add_argument("--out", type=Path, default=Path("out"), help="output directory (default out)")
    cmd.add_argument("--promtool", default=None, help="promtool binary (default: from PATH)")
    cmd.add_argument("files", nargs="*", type=Path,
                     help="test files to run (default: every out/prometheus/tests/*.test.yaml)")
    cmd.set_defaults(func=run_test)


def run_test(args: argparse.Namespace) -> int:
    """Run the unit tests; exit 1 when one fails."""
    binary = promtool.find_promtool(args.promtool)
    if binary is None:
        raise CommandError("promtool not found; install it (e.g. `make setup`)")
    files = list(args.files) or sorted((args.out / "prometheus" / "tests").glob("*.test.yaml"))
    if not files:
        raise CommandError(f"no unit tests under {args.out / 'prometheus' / 'tests'}; "
                           "run `slogen generate` first")
    failed = 0
    for path, ok, output in prometheus.run_tests(files, binary):
        print(f"{'ok    ' if ok else 'FAILED'} {path}")
        if not ok:
            failed += 1
            print(output, file=sys.stderr)
    print(f"{len(files) - failed} of {len(files)} test files passed.")
    return EXIT_FAILED if failed else EXIT_OK
