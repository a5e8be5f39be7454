"""The `slogen` command line: wires the pipeline stages and maps failures to exit codes.

Exit codes: 0 success, 1 a check found differences or failures, 2 spec errors or bad usage,
70 an internal error (a bug; SLOGEN_DEBUG=1 shows the traceback). Some commands add their own
(`slogen gate`: 3 roll back, 4 no data).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from generator import __version__
from generator.core.errors import SpecErrors

EXIT_OK, EXIT_FAILED, EXIT_SPEC = 0, 1, 2
EXIT_INTERNAL = 70  # EX_SOFTWARE from sysexits.h

# Each module has register(subparsers) and sets `func(args) -> int` on its parsers.
COMMAND_MODULES = (
    "generator.commands.generate",
    "generator.commands.reference",
    "generator.commands.test",
    "generator.commands.import_specs",
    "generator.commands.export_specs",
    "generator.commands.diff",
    "generator.commands.backtest",
    "generator.commands.bridge",
    "generator.commands.exporter",
    "generator.commands.apply",
    "generator.commands.verify",
    "generator.commands.status",
    "generator.commands.gate",
)


class CommandError(Exception):
    """A failure to report in one line (no traceback) with an exit code."""

    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser with every registered subcommand."""
    parser = argparse.ArgumentParser(
        prog="slogen", description="Compile SLO and alert specs into monitoring artefacts.")
    parser.add_argument("--version", action="version", version=f"slogen {__version__}")
    parser.add_argument("--jsonnet-timeout", type=float, metavar="SECONDS", default=None,
                        help="wall-clock limit per Jsonnet spec (default 10, or "
                             "SLOGEN_JSONNET_TIMEOUT)")
    parser.add_argument("--jsonnet-memory", type=int, metavar="MIB", default=None,
                        help="memory limit of Jsonnet evaluation (default 512, or "
                             "SLOGEN_JSONNET_MEMORY)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run slogen; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return EXIT_SPEC
    try:
        _configure_jsonnet(args)
        return int(args.func(args))
    except SpecErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        print(f"{count} spec error{'s' if count != 1 else ''}; nothing was written.",
              file=sys.stderr)
        return EXIT_SPEC
    except CommandError as exc:
        print(f"slogen: {exc}", file=sys.stderr)
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


def env(name: str, default: str | None = None) -> str | None:
    """The one place commands read the environment."""
    return os.environ.get(name, default)
