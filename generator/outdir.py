"""Write generated files into out/ atomically, owning only the files slogen wrote.

The new tree is built in a sibling staging directory and swapped in with two renames, so a
failure at any point before the swap leaves out/ exactly as it was. A manifest lists the files
slogen owns; stale owned files disappear, anything else in out/ is carried over untouched.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator import incremental
from generator.core.model import PreviousGeneration
from generator.targets.grafana.alerting import RULES_FILE
from generator.targets.grafana.notifications import PROVISIONING as ALERTING_PROVISIONING

CONTACT_POINTS_FILE = ALERTING_PROVISIONING / "contact-points.yaml"

MANIFEST = incremental.MANIFEST
MANIFEST_HEADER = (
    "# Files written by slogen generate; others in this directory are left alone.\n"
    "# inputs: digest of the spec files and options; generator: of slogen's source;\n"
    "# spec <file> <digest> per input file; <path> <digest> (sha256) per written file.\n")


@dataclass(frozen=True)
class Changes:
    """How the generated files differ from what is in out/."""

    added: tuple[str, ...]
    modified: tuple[str, ...]
    removed: tuple[str, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.modified or self.removed)

    def lines(self) -> list[str]:
        """One line per changed file, git-status style."""
        return ([f"A {p}" for p in self.added] + [f"M {p}" for p in self.modified]
                + [f"D {p}" for p in self.removed])


def owned_files(out_dir: Path) -> set[str]:
    """Files the last generate wrote, as listed in the manifest."""
    return set(incremental.read_manifest(out_dir).files)


def compare(out_dir: Path, files: Mapping[PurePath, str],
            inputs: incremental.Inputs | None = None) -> Changes:
    """What writing `files` (generated from `inputs`) would change in `out_dir`.

    The manifest's generator line is left out of the comparison: a new slogen that writes the
    same files does not make out/ stale.
    """
    new = {p.as_posix(): t for p, t in _with_manifest(files, inputs).items()}
    old = owned_files(out_dir) | ({MANIFEST} if (out_dir / MANIFEST).exists() else set())
    added, modified = [], []
    for rel, text in sorted(new.items()):
        target = out_dir / rel
        if not target.exists():
            added.append(rel)
        elif rel == MANIFEST:
            have = target.read_bytes().decode("utf-8", errors="replace")
            if incremental.without_generator_line(have) != \
                    incremental.without_generator_line(text):
                modified.append(rel)
        elif target.read_bytes() != text.encode("utf-8"):
            modified.append(rel)
    removed = sorted(p for p in old if p not in new and (out_dir / p).exists())
    return Changes(tuple(added), tuple(modified), tuple(removed))


def stage(out_dir: Path, files: Mapping[PurePath, str],
          inputs: incremental.Inputs | None = None) -> Path:
    """Write `files` into a fresh staging directory beside `out_dir` and return it.

    A file whose content is already in `out_dir` is hard-linked instead of written: it keeps its
    modification time, so tools that watch out/ see only what changed.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    # mkdtemp makes it private; out/ is meant to be read by reviewers and tools.
    staging.chmod(0o755)
    for rel, text in _with_manifest(files, inputs).items():
        target = staging / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        data = text.encode("utf-8")
        if not _link_if_same(out_dir / rel, target, data):
            target.write_bytes(data)
    return staging


class Stager:
    """Writes generated files one at a time, so no generation holds every text in memory.

    Each file is compared with what `out_dir` holds as it comes: with `write`, it goes into a
    fresh staging directory beside `out_dir` (hard-linked when `out_dir` already has the same
    bytes: it keeps its modification time, so tools that watch out/ see only what changed);
    without, it is only compared (`generate --check`). Only each file's digest is kept.
    """

    def __init__(self, out_dir: Path, write: bool = True) -> None:
        self.out_dir = out_dir
        self.staging: Path | None = None
        if write:
            out_dir.parent.mkdir(parents=True, exist_ok=True)
            self.staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-",
                                                 dir=out_dir.parent))
            # mkdtemp makes it private; out/ is meant to be read by reviewers and tools.
            self.staging.chmod(0o755)
        self.digests: dict[str, str] = {}
        self._made: set[str] = set()  # directories made in the staging directory
        self.added: list[str] = []
        self.modified: list[str] = []

    def put(self, rel: PurePath, text: str) -> bool:
        """Stage one generated file; return whether it differs from out/'s copy."""
        key = rel.as_posix()
        if key in self.digests:
            raise ValueError(f"two targets both write {key}")
        data = text.encode("utf-8")
        self.digests[key] = incremental.digest(data)
        # Plain string paths and os calls: hundreds of files per generate, each one lstat of
        # out/'s copy (read only when its size matches) and one write or link.
        existing = os.path.join(self.out_dir, key)
        same = _same_bytes(existing, data)
        if same is None:
            self.added.append(key)
        elif not same:
            self.modified.append(key)
        if self.staging is not None:
            target = os.path.join(self.staging, key)
            parent = os.path.dirname(target)
            if parent not in self._made:
                os.makedirs(parent, exist_ok=True)
                self._made.add(parent)
            if not (same and _link(existing, target)):
                _write(target, data)
        return not same

    def keep(self, rel: str, expected: str) -> bool:
        """Stage out/'s copy of `rel` unchanged when it still has the digest `expected`;
        False (nothing staged) when it does not."""
        existing = self.out_dir / rel
        try:
            if existing.is_symlink() or incremental.digest(existing.read_bytes()) != expected:
                return False
        except OSError:
            return False
        if self.staging is not None:
            target = self.staging / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if not _link(existing, target):
                shutil.copy2(existing, target)
        if rel in self.digests:
            raise ValueError(f"two targets both write {rel}")
        self.digests[rel] = expected
        return True

    def forget(self, rel: str) -> None:
        """Unstage a file `keep` staged."""
        del self.digests[rel]
        if self.staging is not None:
            (self.staging / rel).unlink(missing_ok=True)

    def finish(self, inputs: incremental.Inputs | None) -> Changes:
        """Stage the manifest; return how the staged files differ from out/."""
        files = {k: v for k, v in self.digests.items()}
        if inputs is None:
            listing = MANIFEST_HEADER + "".join(f"{p}\n" for p in sorted(files))
        else:
            listing = MANIFEST_HEADER + "".join(
                f"{line}\n" for line in incremental.manifest_lines_of(inputs, files))
        manifest = self.out_dir / MANIFEST
        changed = True
        if manifest.exists():
            have = manifest.read_bytes().decode("utf-8", errors="replace")
            changed = (incremental.without_generator_line(have)
                       != incremental.without_generator_line(listing))
        self.put(PurePath(MANIFEST), listing)
        # The manifest differs in its generator line alone: not a change of out/.
        if not changed and MANIFEST in self.modified:
            self.modified.remove(MANIFEST)
        new = set(self.digests)
        old = owned_files(self.out_dir) | ({MANIFEST} if manifest.exists() else set())
        removed = sorted(p for p in old if p not in new and (self.out_dir / p).exists())
        return Changes(tuple(sorted(self.added)), tuple(sorted(self.modified)), tuple(removed))

    def discard(self) -> None:
        """Remove the staging directory."""
        if self.staging is not None:
            discard(self.staging)


def _same_bytes(existing: str, data: bytes) -> bool | None:
    """Whether `existing` (not a symbolic link) holds exactly `data` (None: there is no
    such file)."""
    try:
        info = os.lstat(existing)
        if stat.S_ISLNK(info.st_mode) or info.st_size != len(data):
            return False
        with open(existing, "rb") as f:
            return f.read() == data
    except FileNotFoundError:
        return None
    except OSError:
        return False


def _write(target: str, data: bytes) -> None:
    """Write `data` to a new file `target` (as Path.write_bytes, unbuffered)."""
    with open(target, "wb", buffering=0) as f:
        view = memoryview(data)
        while view:
            view = view[f.write(view):]


def _link(existing: Path | str, target: Path | str) -> bool:
    try:
        os.link(existing, target)
    except OSError:
        return False
    return True


def _link_if_same(existing: Path, target: Path, data: bytes) -> bool:
    try:
        if existing.is_symlink() or existing.stat().st_size != len(data) \
                or existing.read_bytes() != data:
            return False
        os.link(existing, target)
    except OSError:
        return False
    return True


def swap_in(staging: Path, out_dir: Path) -> None:
    """Make `staging` the new `out_dir`, keeping files in `out_dir` that slogen does not own."""
    if out_dir.exists():
        owned = owned_files(out_dir) | {MANIFEST}
        for path in sorted(out_dir.rglob("*")):
            rel = path.relative_to(out_dir).as_posix()
            if path.is_file() and rel not in owned and not (staging / rel).exists():
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, staging / rel)
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rmdir(old)
        os.rename(out_dir, old)
        os.rename(staging, out_dir)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.rename(staging, out_dir)


def discard(staging: Path) -> None:
    """Remove a staging directory after a failed check."""
    shutil.rmtree(staging, ignore_errors=True)


def _with_manifest(files: Mapping[PurePath, str],
                   inputs: incremental.Inputs | None) -> dict[PurePath, str]:
    if inputs is None:
        listing = MANIFEST_HEADER + "".join(f"{p.as_posix()}\n" for p in sorted(files))
    else:
        listing = MANIFEST_HEADER + "".join(
            f"{line}\n" for line in incremental.manifest_lines(inputs, files))
    return {**files, PurePath(MANIFEST): listing}


def previous_generation(out: Path) -> PreviousGeneration:
    """Rule and contact point uids the provisioning files in `out` provision or delete.

    A file that is missing or unreadable counts as empty: the worst outcome is a delete entry
    not written, never a generation that fails because of what out/ held before.
    """
    rules = _read_yaml(out / RULES_FILE)
    points = _read_yaml(out / CONTACT_POINTS_FILE)
    rule_uids = {r.get("uid") for g in _items(rules, "groups") for r in _items(g, "rules")}
    rule_uids |= {d.get("uid") for d in _items(rules, "deleteRules")}
    point_uids = {r.get("uid") for p in _items(points, "contactPoints")
                  for r in _items(p, "receivers")}
    point_uids |= {d.get("uid") for d in _items(points, "deleteContactPoints")}
    return PreviousGeneration(frozenset(u for u in rule_uids if isinstance(u, str) and u),
                              frozenset(u for u in point_uids if isinstance(u, str) and u))


def _read_yaml(path: Path) -> Any:
    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except (OSError, YAMLError, UnicodeDecodeError):
        return None


def _items(node: Any, key: str) -> list[dict[str, Any]]:
    value = node.get(key) if isinstance(node, dict) else None
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
