"""`slogen test`: run the generated promtool unit tests in out/prometheus/tests.

Files run in parallel (each promtool run is single-threaded) and each is reported as it ends,
with a progress bar on a terminal: the whole set takes tens of seconds.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from generator.commands import output
from generator.commands.common import EXIT_FAILED, EXIT_OK, EXIT_SPEC, CommandError
from generator.commands.progress import Progress


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the test subcommand."""
    cmd = sub.add_parser("test", help="run the generated promtool unit tests on out/")
    cmd.add_argument("--out", type=Path, default=Path("out"), help="output directory (default out)")
    cmd.add_argument("--promtool", default=None, help="promtool binary (default: from PATH)")
    cmd.add_argument("files", nargs="*", type=Path,
                     help="test files to run (default: every out/prometheus/tests/*.test.yaml)")
    output.add_output_args(cmd)
    cmd.set_defaults(func=run_test)


def _run_one(path: Path, binary: str) -> tuple[Path, bool, str]:
    from generator.validate import promtool

    # Run from the file's directory: test files name their rule files relatively.
    result = promtool.test_rules([Path(path.name)], binary, cwd=path.parent)
    return path, result.ok, result.output


def run_test(args: argparse.Namespace) -> int:
    """Run the unit tests; exit 1 when one fails."""
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from generator.validate import promtool

    binary = promtool.find_promtool(args.promtool)
    if binary is None:
        raise CommandError("promtool not found; install it (e.g. `make setup`)", EXIT_SPEC)
    files = list(args.files) or sorted((args.out / "prometheus" / "tests").glob("*.test.yaml"))
    if not files:
        raise CommandError(f"no unit tests under {args.out / 'prometheus' / 'tests'}; "
                           "run `slogen generate` first", EXIT_SPEC)
    text = not output.machine_readable(args) and args.output is None
    results: dict[Path, tuple[bool, str]] = {}
    progress = Progress.of(args)
    with progress.task("promtool test rules", total=len(files)) as bar, \
            ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        for done in as_completed([pool.submit(_run_one, f, binary) for f in files]):
            path, ok, out = done.result()
            results[path] = (ok, out)
            bar.advance(description=f"{path.name} {'ok' if ok else 'FAILED'}")
            if text:  # as each file ends, not all at once at the end
                print(f"{'ok    ' if ok else 'FAILED'} {path}", flush=True)
            if not ok:
                print(out, file=sys.stderr)
    failed = sum(1 for ok, _ in results.values() if not ok)
    data = {"files": [{"file": str(p), "ok": results[p][0]}
                      | ({} if results[p][0] else {"output": results[p][1]}) for p in files],
            "passed": len(files) - failed, "failed": failed}
    summary = f"{len(files) - failed} of {len(files)} test files passed.\n"
    lines = "" if text else "".join(f"{'ok    ' if results[p][0] else 'FAILED'} {p}\n"
                                    for p in files)
    return output.report(args, "test", EXIT_FAILED if failed else EXIT_OK, data,
                         lambda: lines + summary)
