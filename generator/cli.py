"""The `slogen` command line: wires the pipeline stages and maps failures to exit codes.

Exit codes (docs/cli.md): 0 ok, 1 a finding (check failed, changes, hold), 2 usage or spec
error, 3 and up command-specific verdicts (gate: 3 roll back; gate, status, verify: 4 no data),
70 an internal error (a bug; SLOGEN_DEBUG=1 shows the traceback), 130 interrupted.
Command modules import their stages inside their run functions, so `--help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from generator import __version__
from generator.commands import (
    apply,
    backtest,
    bridge,
    diff,
    export_specs,
    exporter,
    gate,
    generate,
    import_specs,
    output,
    reference,
    status,
    test,
    verify,
)
from generator.commands.common import EXIT_INTERNAL, EXIT_SPEC, CommandError, env

CONVENTION = """\
reporting commands (generate, validate, diff, test, apply, verify, status, gate, health,
backtest) take --format text|json|markdown, -o/--output FILE (always a path) and -q/--quiet
(no progress; progress is only drawn on a terminal). JSON: docs/cli.md, format slogen-cli/v1.

exit codes:
  0   ok: valid, written or up to date, no change, passed, go
  1   a finding: out/ stale or a check failed, diff changed, test/health/verify failed,
      gate says hold, apply failed at the remote end
  2   usage or spec error (file:line:column: path: message)
  3   gate: roll back
  4   no data: Prometheus unreachable or a query failed (gate, status, verify)
  70  internal error, a bug in slogen (SLOGEN_DEBUG=1 shows the traceback)
  130 interrupted
"""

# Each module has register(subparsers) and sets `func(args) -> int` on its parsers.
COMMANDS = (
    generate,
    reference,
    test,
    import_specs,
    export_specs,
    diff,
    backtest,
    bridge,
    exporter,
    apply,
    verify,
    status,
    gate,
)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="slogen", description="Compile SLO and alert specs into monitoring artefacts.",
        epilog=CONVENTION, formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False)  # else --json of a command would be taken for --jsonnet-*
    parser.add_argument("--version", action="version", version=f"slogen {__version__}")
    parser.add_argument("--jsonnet-timeout", type=float, metavar="SECONDS", default=None,
                        help="wall-clock limit per Jsonnet spec (default 10, or "
                             "SLOGEN_JSONNET_TIMEOUT)")
    parser.add_argument("--jsonnet-memory", type=int, metavar="MIB", default=None,
                        help="memory limit of Jsonnet evaluation (default 512, or "
                             "SLOGEN_JSONNET_MEMORY)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        command.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run slogen; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_SPEC
    from generator.core.errors import SpecErrors  # after parsing: --help never needs it

    try:
        _configure_jsonnet(args)
        return int(args.func(args))
    except SpecErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        print(f"{count} spec error{'s' if count != 1 else ''}; nothing was written.",
              file=sys.stderr)
        output.error_document(args, EXIT_SPEC, errors=[str(e) for e in exc.errors])
        return EXIT_SPEC
    except CommandError as exc:
        print(f"slogen: {exc}", file=sys.stderr)
        output.error_document(args, exc.code, error=str(exc))
        return exc.code
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - a bug must still end in one readable line
        if env("SLOGEN_DEBUG"):
            raise
        print(f"slogen: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in slogen; rerun with SLOGEN_DEBUG=1 for the traceback and report it.",
              file=sys.stderr)
        return EXIT_INTERNAL


def _configure_jsonnet(args: argparse.Namespace) -> None:
    """Jsonnet limits from the command line, else the environment: never from the specs."""
    from generator.specfile import jsonnet_sandbox

    default = jsonnet_sandbox.JsonnetLimits()
    try:
        seconds = float(getattr(args, "jsonnet_timeout", None)
                        or env("SLOGEN_JSONNET_TIMEOUT") or default.seconds)
        memory = int(getattr(args, "jsonnet_memory", None)
                     or env("SLOGEN_JSONNET_MEMORY") or default.memory_mib)
    except ValueError as exc:
        raise CommandError(f"invalid Jsonnet limit: {exc}", EXIT_SPEC) from None
    if seconds <= 0 or memory < 64:
        raise CommandError("Jsonnet limits: the timeout must be > 0 s and the memory at least "
                           "64 MiB", EXIT_SPEC)
    jsonnet_sandbox.configure(jsonnet_sandbox.JsonnetLimits(seconds, memory))
