"""`slogen import FORMAT PATH...`: write slogen specs from OpenSLO, Sloth or Pyrra files.

Exit 0 when every SLO converted, 1 when something was skipped (each listed with file:line and
the reason), 2 when the input is unreadable or invalid (nothing is written).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from generator.commands.common import EXIT_SPEC, CommandError

if TYPE_CHECKING:  # the importers load when `slogen import` runs, not for --help
    from generator.importers.common import Imported
    from generator.importers.report import Report
    from generator.importers.source import Node

    Converter = Callable[[list[Node], Report], list[Imported]]

FORMAT_NAMES = ("openslo", "pyrra", "sloth")


def converters() -> dict[str, Converter]:
    """The converter of each input format."""
    from generator.importers import openslo, pyrra, sloth

    return {"openslo": openslo.convert, "sloth": sloth.convert, "pyrra": pyrra.convert}


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the import subcommand."""
    cmd = sub.add_parser("import", help="write slogen specs from OpenSLO, Sloth or Pyrra files",
                         description=__doc__)
    cmd.add_argument("format", choices=FORMAT_NAMES)
    cmd.add_argument("paths", type=Path, nargs="+", metavar="PATH",
                     help="files or directories; references are resolved across all of them")
    cmd.add_argument("--out", type=Path, default=Path("slos"),
                     help="spec directory to write <service>.yaml into (default slos)")
    cmd.add_argument("--force", action="store_true", help="overwrite existing spec files")
    cmd.set_defaults(func=run_import)


def import_paths(fmt: str, paths: list[Path]) -> tuple[list[Imported], Report]:
    """Read and convert; the report holds every finding and the exit code."""
    from generator.importers.report import Report
    from generator.importers.source import input_files, read_documents

    report = Report()
    files, problems = input_files(paths)
    report.findings.extend(problems)
    docs: list[Node] = []
    for path in files:
        found, errors = read_documents(path)
        docs.extend(found)
        report.findings.extend(errors)
    converted = converters()[fmt](docs, report)
    return converted, report


def run_import(args: argparse.Namespace) -> int:
    """Convert, list findings on stderr, write the specs unless the input was invalid."""
    from generator.importers.report import EXIT_INVALID
    from generator.importers.writer import spec_text

    converted, report = import_paths(args.format, list(args.paths))
    for finding in report.sorted_findings():
        print(finding, file=sys.stderr)
    code = report.exit_code()
    if code == EXIT_INVALID:
        print(f"slogen: {report.summary()}; nothing was written", file=sys.stderr)
        return code
    targets = [(args.out / f"{item.service}.yaml", item) for item in converted]
    if targets and args.out.exists() and not args.out.is_dir():
        raise CommandError(f"--out {args.out} is a file, not a directory; give the directory "
                           "to write the specs into (it is created if missing)", EXIT_SPEC)
    for target, _ in targets:
        if target.is_dir():
            raise CommandError(f"{target} is a directory; move it or choose another --out",
                               EXIT_SPEC)
        if target.exists() and not args.force:
            raise CommandError(f"{target} exists; pass --force to overwrite", EXIT_SPEC)
    sources = ", ".join(p.name for p in args.paths)
    try:
        if targets:
            args.out.mkdir(parents=True, exist_ok=True)
        for target, item in targets:
            target.write_text(spec_text(item, f"{sources} ({args.format})"), encoding="utf-8")
            print(f"wrote {target}: {len(item.spec['slos'])} SLOs")
    except OSError as exc:
        raise CommandError(f"--out {args.out}: cannot write {exc.filename or args.out}: "
                           f"{exc.strerror}", EXIT_SPEC) from None
    print(f"slogen: {report.summary()}", file=sys.stderr)
    return code
