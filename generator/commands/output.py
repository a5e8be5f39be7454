"""The reporting convention every command shares: `--format text|json|markdown`,
`-o/--output FILE`, `-q/--quiet`, and one versioned JSON envelope (docs/cli.md).

JSON documents are `{"format": "slogen-cli/v1", "command": ..., "exit_code": ..., "data": ...}`;
`data` is per command and documented beside the exit codes. A field is only ever added within
one format version; renaming or removing one bumps it.
"""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

FORMATS = ("text", "json", "markdown")
JSON_FORMAT = "slogen-cli/v1"


def add_output_args(parser: argparse.ArgumentParser, *, quiet: bool = True,
                    legacy_formats: Sequence[str] = ()) -> None:
    """--format, -o/--output and (for commands with progress) -q/--quiet.

    `legacy_formats` are old values of a command's --format that it still accepts (and
    translates, with a warning) for a while.
    """
    parser.add_argument("--format", choices=(*FORMATS, *legacy_formats), default="text",
                        metavar="{text,json,markdown}",
                        help="report format: text (default), json (versioned shape, see "
                             "docs/cli.md) or markdown")
    parser.add_argument("-o", "--output", type=Path, default=None, metavar="FILE",
                        help="write the report to FILE instead of stdout")
    if quiet:
        parser.add_argument("-q", "--quiet", action="store_true",
                            help="no progress display on a terminal")


def json_document(command: str, exit_code: int, data: Mapping[str, Any]) -> str:
    """The versioned JSON envelope around one command's data."""
    import json

    doc = {"format": JSON_FORMAT, "command": command, "exit_code": exit_code, "data": data}
    return json.dumps(doc, indent=2, sort_keys=True, default=str) + "\n"


def markdown_document(title: str, data: Mapping[str, Any]) -> str:
    """Any command's data as Markdown: scalars as a list, lists of records as tables."""
    lines = [f"### {title}", ""]
    scalars = {k: v for k, v in data.items() if not isinstance(v, (list, dict))}
    lines += [f"- {k.replace('_', ' ')}: {_md(v)}" for k, v in scalars.items()]
    for key, value in data.items():
        if isinstance(value, dict) and value:
            lines += ["", f"#### {key.replace('_', ' ')}", ""]
            lines += [f"- {k}: {_md(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value:
            lines += ["", f"#### {key.replace('_', ' ')}", "", *_table(value)]
    return "\n".join(lines).rstrip("\n") + "\n"


def _table(rows: Sequence[Any]) -> list[str]:
    if not all(isinstance(r, dict) for r in rows):
        return [f"- {_md(r)}" for r in rows]
    columns = list(dict.fromkeys(k for r in rows for k in r))
    out = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    out += ["| " + " | ".join(_md(r.get(c, "")) for c in columns) + " |" for r in rows]
    return out


def _md(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        value = ", ".join(_md(v) for v in value)
    elif isinstance(value, dict):
        value = ", ".join(f"{k}={_md(v)}" for k, v in value.items())
    elif value is None:
        value = "-"
    return str(value).replace("|", "\\|").replace("\n", " ")


def emit(args: argparse.Namespace, text: str) -> None:
    """Write a report to `-o FILE` or stdout."""
    output: Path | None = getattr(args, "output", None)
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            from generator.commands.common import EXIT_SPEC, CommandError

            raise CommandError(f"-o {output}: cannot write the report: {exc.strerror}; give "
                               "the path of a file in an existing directory", EXIT_SPEC) from None


def report(args: argparse.Namespace, command: str, code: int, data: Mapping[str, Any],
           text: str | Callable[[], str], markdown: Callable[[], str] | None = None) -> int:
    """Emit the report in the chosen format; return `code` for the command to exit with.

    `text` and `markdown` may be callables, so a rendering nobody asked for is never built.
    """
    fmt = getattr(args, "format", "text")
    if fmt == "json":
        emit(args, json_document(command, code, data))
    elif fmt == "markdown":
        emit(args, markdown() if markdown is not None
             else markdown_document(f"slogen {command}", data))
    else:
        emit(args, text if isinstance(text, str) else text())
    return code


def error_document(args: argparse.Namespace, code: int, *, errors: Sequence[str] = (),
                   error: str | None = None) -> None:
    """With --format json, a failed command still writes one JSON document (docs/cli.md):
    `{"errors": [...]}` for spec errors, `{"error": "..."}` for a one-line failure."""
    if getattr(args, "format", None) != "json" or not getattr(args, "command", None):
        return
    from generator.commands.common import CommandError

    data: dict[str, Any] = {"errors": list(errors)} if error is None else {"error": error}
    with contextlib.suppress(OSError, CommandError):  # the failure is already on stderr
        emit(args, json_document(str(args.command), code, data))


def machine_readable(args: argparse.Namespace) -> bool:
    """True when stdout carries JSON or Markdown, so progress and notes stay off it."""
    return getattr(args, "format", "text") != "text"
