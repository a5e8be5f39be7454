"""`slogen import sloth FILE` and `slogen import openslo FILE`: write slogen specs from
other formats and report every field that could not be carried over."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator.cli import EXIT_OK, EXIT_SPEC, CommandError
from generator.importers import openslo, sloth
from generator.importers.common import Imported
from generator.spec.models import ServiceSpec


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the import subcommand."""
    cmd = sub.add_parser("import", help="write slogen specs from Sloth or OpenSLO files")
    cmd.add_argument("format", choices=("sloth", "openslo"))
    cmd.add_argument("file", type=Path)
    cmd.add_argument("--out", type=Path, default=Path("slos"),
                     help="spec directory to write <service>.yaml into (default slos)")
    cmd.add_argument("--force", action="store_true", help="overwrite existing spec files")
    cmd.set_defaults(func=run_import)


def run_import(args: argparse.Namespace) -> int:
    """Convert, validate, write; list what was not converted on stderr."""
    try:
        docs = [d for d in YAML(typ="safe").load_all(args.file.read_text(encoding="utf-8")) if d]
    except (OSError, YAMLError) as exc:
        raise CommandError(f"{args.file}: {exc}", EXIT_SPEC) from exc
    try:
        found = (sloth_all(docs, str(args.file)) if args.format == "sloth"
                 else openslo.convert(docs, str(args.file)))
    except (ValueError, KeyError, TypeError) as exc:
        raise CommandError(f"{args.file}: cannot convert: {exc}", EXIT_SPEC) from exc
    for item in found:
        _validate(item, args.file)
        target = args.out / f"{item.service}.yaml"
        if target.exists() and not args.force:
            raise CommandError(f"{target} exists; pass --force to overwrite", EXIT_SPEC)
    args.out.mkdir(parents=True, exist_ok=True)
    for item in found:
        target = args.out / f"{item.service}.yaml"
        target.write_text(_text(item, args), encoding="utf-8")
        print(f"wrote {target}: {len(item.spec.get('slos', []))} SLOs")
        for note in item.notes:
            print(f"slogen: not converted: {note}", file=sys.stderr)
    return EXIT_OK


def sloth_all(docs: list[dict[str, Any]], where: str) -> list[Imported]:
    """Every Sloth document of a file (a CRD file may hold several)."""
    return [sloth.convert(doc, where if len(docs) == 1 else f"{where}[{i}]")
            for i, doc in enumerate(docs)]


def _validate(item: Imported, source: Path) -> None:
    try:
        ServiceSpec.model_validate(item.spec)
    except ValidationError as exc:
        raise CommandError(f"{source}: converted spec for {item.service} is not valid:\n{exc}",
                           EXIT_SPEC) from exc


def _text(item: Imported, args: argparse.Namespace) -> str:
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump(item.spec, buf)
    head = f"# Imported from {args.file.name} ({args.format}) by `slogen import`.\n"
    head += "".join(f"# Not converted: {n}\n" for n in item.notes)
    return head + buf.getvalue()
