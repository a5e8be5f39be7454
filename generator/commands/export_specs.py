"""`slogen export openslo`: the specs' SLOs as OpenSLO v1 documents, so they can leave as
well as arrive; what OpenSLO cannot hold is listed on stderr."""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from generator.commands.common import EXIT_OK


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the export subcommand."""
    cmd = sub.add_parser("export", help="write the specs' SLOs in another format (OpenSLO)",
                         description=__doc__)
    cmd.add_argument("format", choices=("openslo",))
    cmd.add_argument("--specs", type=Path, default=Path("slos"), help="spec directory")
    cmd.add_argument("--out", type=Path, default=None,
                     help="file to write (default: standard output)")
    cmd.set_defaults(func=run_export)


def run_export(args: argparse.Namespace) -> int:
    """Load and check the specs, write OpenSLO documents, list what was not exported."""
    from ruamel.yaml import YAML

    from generator.importers.openslo_export import export
    from generator.specfile.build import build_model
    from generator.specfile.loader import load_specs

    loaded = load_specs(args.specs)
    exported = export([svc.spec for svc in loaded.services], build_model(loaded))
    yaml = YAML()
    yaml.default_flow_style = False
    yaml.width = 4096
    buf = io.StringIO()
    yaml.dump_all(exported.documents, buf)
    text = "# Exported by `slogen export openslo`.\n" + buf.getvalue()
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
        print(f"wrote {args.out}: {len(exported.documents)} documents")
    for note in exported.dropped:
        print(f"slogen: not exported: {note}", file=sys.stderr)
    return EXIT_OK
