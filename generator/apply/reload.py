"""Copy generated rule files / Alertmanager config into place and ask the server to reload.

Files are replaced atomically (write then rename). If the server rejects the reload, the old
files are put back, so the directory always matches what the running server loaded.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console

from generator.apply.client import ApplyError, HttpClient, RetryPolicy, check_base_url
from generator.targets.dump import GENERATED_HEADER


@dataclass(frozen=True)
class FileChange:
    """One file to write (`text`) or remove (`text is None`), with what it held before."""

    target: Path
    text: str | None
    before: str | None


def plan_copy(sources: list[Path], dest: Path, prune: bool, pattern: str) -> list[FileChange]:
    """Files in `dest` that differ from `sources`; with `prune`, stale generated ones too."""
    changes = []
    for src in sorted(sources):
        target = dest / src.name
        text = src.read_text(encoding="utf-8")
        before = target.read_text(encoding="utf-8") if target.exists() else None
        if before != text:
            changes.append(FileChange(target, text, before))
    if prune and dest.is_dir():
        names = {s.name for s in sources}
        for path in sorted(dest.glob(pattern)):
            old = path.read_text(encoding="utf-8")
            if path.name not in names and old.startswith(GENERATED_HEADER):
                changes.append(FileChange(path, None, old))
    return changes


def write_changes(changes: list[FileChange], restore: bool = False) -> None:
    """Apply `changes` (or undo them with `restore`), one atomic rename per file."""
    for change in changes:
        text = change.before if restore else change.text
        if text is None:
            change.target.unlink(missing_ok=True)
        else:
            _atomic_write(change.target, text)


def _atomic_write(target: Path, text: str) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)


def reload_server(client: HttpClient, what: str) -> None:
    """POST /-/reload; raise ApplyError with the server's answer if it refuses."""
    client.call("POST", "/-/reload", what=f"reload {what}")


def sync_and_reload(sources: list[Path], dest: Path, url: str | None, what: str, *,
                    prune: bool, dry_run: bool, pattern: str, console: Console) -> bool:
    """Copy, reload, and roll the files back if the reload is rejected; True on failure."""
    changes = plan_copy(sources, dest, prune, pattern)
    for change in changes:
        verb = ("remove" if change.text is None
                else "create" if change.before is None else "update")
        console.print(f"[yellow]~ {what} {verb} {change.target.name}[/yellow]")
    if dry_run or not changes:
        console.print(f"{what}: {len(changes)} file(s) to change")
        return False
    write_changes(changes)
    if url:
        # Few retries: a reload that fails is a configuration problem, not a transient one.
        client = HttpClient(url, retry=RetryPolicy(attempts=2, timeout=30.0))
        try:
            reload_server(client, what)
        except ApplyError as exc:
            write_changes(changes, restore=True)
            console.print(f"[bold red]{what} rejected the reload; the previous files were "
                          f"restored[/bold red]: {exc}")
            return True
    console.print(f"{what}: {len(changes)} file(s) changed" + (", reloaded" if url else ""))
    return False


def run(args: argparse.Namespace, settings: dict[str, Any], console: Console) -> bool:
    """The reload part of `slogen apply`; True when something failed."""
    # A malformed URL is a usage error found before any file is copied.
    for key, setting in (("prometheus_url", "Prometheus URL (--prometheus-url, PROMETHEUS_URL)"),
                         ("alertmanager_url", "Alertmanager URL (--alertmanager-url, "
                                              "ALERTMANAGER_URL)")):
        if settings[key]:
            check_base_url(str(settings[key]), setting)
    failed = False
    if settings["rules_dir"]:
        rules = sorted((args.out / "prometheus").glob("*.rules.yaml"))
        failed |= sync_and_reload(rules, Path(settings["rules_dir"]), settings["prometheus_url"],
                                  "prometheus", prune=args.prune, dry_run=args.dry_run,
                                  pattern="*.rules.yaml", console=console)
    if settings["alertmanager_dir"]:
        config = [p for p in [args.out / "alertmanager" / "alertmanager.yml"] if p.exists()]
        failed |= sync_and_reload(config, Path(settings["alertmanager_dir"]),
                                  settings["alertmanager_url"], "alertmanager", prune=False,
                                  dry_run=args.dry_run, pattern="alertmanager.yml",
                                  console=console)
    return failed
