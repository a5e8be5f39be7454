"""`slogen diff [BASE_REF]`: what a spec change does, as Markdown for a pull-request comment.

The base specs are read with `git archive` into a temporary directory, so the user's checkout,
index and work tree are never touched. Both sides are compiled by the current slogen.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.commands import output
from generator.commands.common import EXIT_FAILED, EXIT_OK, EXIT_SPEC, CommandError

if TYPE_CHECKING:
    from generator import compare


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the diff subcommand."""
    p = sub.add_parser("diff", help="summarise what changed since BASE_REF (Markdown)",
                       description="Compare the specs at BASE_REF with the work tree. The text "
                       "and markdown formats are the same Markdown summary. Exit 1 when "
                       "anything that reaches out/ changed.")
    p.add_argument("base", nargs="?", default="HEAD", metavar="BASE_REF",
                   help="git revision to compare the work tree with (default HEAD)")
    p.add_argument("--specs", type=Path, default=Path("slos"), help="spec directory (default slos)")
    output.add_output_args(p)
    p.set_defaults(func=run_diff)


def _git(repo: Path, *args: str) -> bytes:
    import subprocess

    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    if result.returncode != 0:
        raise CommandError(f"git {' '.join(args)} failed: {result.stderr.decode().strip()}",
                           EXIT_SPEC)
    return result.stdout


def extract_specs(spec_dir: Path, ref: str, into: Path) -> Path:
    """Write the spec directory as it is at `ref` under `into`; return its path there.

    A spec directory that did not exist at `ref` comes back empty (everything is new).
    """
    spec_dir = spec_dir.resolve()
    top = Path(_git(spec_dir if spec_dir.is_dir() else spec_dir.parent,
                    "rev-parse", "--show-toplevel").decode().strip())
    rel = spec_dir.relative_to(top).as_posix()
    _git(top, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}")
    target = into / rel
    target.mkdir(parents=True, exist_ok=True)
    listed = _git(top, "ls-tree", "-d", "--name-only", ref, "--", rel).decode().split()
    if rel not in listed:
        return target
    archive = _git(top, "archive", "--format=tar", ref, "--", rel)
    import io
    import tarfile

    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return target


def _compile(spec_dir: Path, root: Path, side: str) -> compare.Snapshot:
    from generator import compare, pipeline
    from generator.core.errors import SpecErrors

    try:
        model = pipeline.compile_specs(spec_dir, None, root)
    except SpecErrors as exc:
        raise CommandError(f"specs at {side} do not compile:\n{exc}", EXIT_SPEC) from exc
    return compare.snapshot(model, pipeline.render(model))


def run_diff(args: argparse.Namespace) -> int:
    """Print the summary; exit 1 when anything changed, 0 when nothing did."""
    import tempfile

    from generator import compare
    from generator.compare_markdown import render_markdown

    with tempfile.TemporaryDirectory(prefix="slogen-diff-") as tmp:
        base_dir = extract_specs(args.specs, args.base, Path(tmp))
        old = _compile(base_dir, Path(tmp), args.base)
    new = _compile(args.specs, Path.cwd(), "the work tree")
    report = compare.compare(old, new)
    text = render_markdown(report, args.base, "work tree")
    return output.report(args, "diff", EXIT_FAILED if report else EXIT_OK,
                         _data(report, args.base), lambda: text, lambda: text)


def _data(report: compare.Report, base: str) -> dict[str, Any]:
    return {"base": base, "head": "work tree", "changed": bool(report),
            "objects": [{"section": c.section, "id": c.key, "status": c.status,
                         "fields": [{"field": f, "old": old, "new": new}
                                    for f, old, new in c.fields]}
                        for c in report.changes],
            "rules": [{"name": n, "base": b, "head": h} for n, b, h in report.counts],
            "files": {k: list(v) for k, v in report.files.items()}}
