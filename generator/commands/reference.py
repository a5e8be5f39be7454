"""`slogen schema` and `slogen docs`: the JSON Schemas and the spec reference, from the models."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from generator.commands.common import EXIT_FAILED, EXIT_OK

DEFAULT_DOCS = Path("docs/spec-reference.md")


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the schema and docs subcommands."""
    sch = sub.add_parser("schema", help="print or write the JSON Schemas of spec files")
    sch.add_argument("--out", type=Path, default=None, help="directory to write the schemas into")
    sch.add_argument("--check", action="store_true", help="exit 1 if the files in --out are stale")
    sch.set_defaults(func=run_schema)
    docs = sub.add_parser("docs", help="write the spec reference (Markdown) from the models")
    docs.add_argument("--out", type=Path, default=DEFAULT_DOCS, help=f"default {DEFAULT_DOCS}")
    docs.add_argument("--check", action="store_true", help="exit 1 if the file is stale")
    docs.set_defaults(func=run_docs)


def run_schema(args: argparse.Namespace) -> int:
    """Write (or check) schema/slogen-v1.json and schema/slogen-global-v1.json."""
    from generator.specfile.reference import json_schemas

    schemas = json_schemas()
    if args.out is None:
        print(schemas["slogen-v1.json"], end="")
        return EXIT_OK
    return _write({args.out / name: text for name, text in schemas.items()}, args.check)


def run_docs(args: argparse.Namespace) -> int:
    """Write (or check) docs/spec-reference.md."""
    from generator.specfile.reference import reference_markdown

    return _write({args.out: reference_markdown()}, args.check)


def _write(files: dict[Path, str], check: bool) -> int:
    stale = [path for path, text in sorted(files.items()) if _read(path) != text]
    if check:
        for path in stale:
            print(f"{path} is stale: run `slogen {'docs' if path.suffix == '.md' else 'schema'}`",
                  file=sys.stderr)
        return EXIT_FAILED if stale else EXIT_OK
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(files[path], encoding="utf-8", newline="\n")
    print(f"wrote {len(stale)} file(s), {len(files) - len(stale)} unchanged")
    return EXIT_OK


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
