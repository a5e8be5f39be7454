"""What a generation was made from, so an unchanged `generate` can stop before compiling.

The manifest in out/ (outdir.MANIFEST) records the digest of every input (each file under the
spec directory, the options that change the output) and of every file written. When the inputs
and the generator are those of the last generation and every listed file still has its digest,
`generate` has nothing to do: no compile, no render, no promtool. Anything else (an edited or
deleted output, a new slogen, another --rule-format) is a real generate.

The generator line is the digest of slogen's own source: a change of code must not leave an old
output in place. `generate --check` ignores that line, so a commit that changes code but no output
does not make out/ stale.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePath

import generator

MANIFEST = ".slogen-manifest"
INPUTS = "inputs"
GENERATOR = "generator"
SPEC = "spec"
_HEX = frozenset("0123456789abcdef")


def digest(data: bytes) -> str:
    """The digest the manifest records for a file's bytes."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Inputs:
    """Everything a generation reads, as digests."""

    specs: Mapping[str, str]  # spec-relative posix path -> digest of the file
    options: str  # the digest of the options and of where the specs are shown from
    generator: str  # the digest of slogen's source

    @property
    def key(self) -> str:
        """One digest over the spec files and the options."""
        h = hashlib.sha256(self.options.encode())
        for rel, value in sorted(self.specs.items()):
            h.update(f"\0{rel}\0{value}".encode())
        return h.hexdigest()

    def changed_specs(self, recorded: Mapping[str, str]) -> set[str]:
        """Spec files added, edited or removed since the `recorded` generation."""
        return {rel for rel in self.specs.keys() | recorded.keys()
                if self.specs.get(rel) != recorded.get(rel)}


def cache_path(out_dir: Path) -> Path:
    """The cache of `out_dir`: a hidden file beside it (out/ holds only generated files; see
    produce.py)."""
    return out_dir.parent / f".{out_dir.name}.slogen-cache"


def generation_inputs(spec_dir: Path, rule_format: str | None,
                      display_root: Path | None = None) -> Inputs:
    """The inputs of `slogen generate --specs spec_dir [--rule-format F]`: the spec files, and
    the options that shape the output (file headers show the spec directory as seen from
    `display_root`, the current directory by default)."""
    root = display_root or Path.cwd()
    try:
        shown = spec_dir.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        shown = str(spec_dir)
    return read_inputs(spec_dir, [f"specs={shown}", f"rule-format={rule_format or ''}"])


def read_inputs(spec_dir: Path, options: Iterable[str]) -> Inputs:
    """Digest every file under `spec_dir` (hidden directories aside), the options and slogen."""
    specs = {}
    for path in sorted(spec_dir.rglob("*")):
        rel = path.relative_to(spec_dir)
        if any(part.startswith(".") for part in rel.parts) or not path.is_file():
            continue
        specs[rel.as_posix()] = digest(path.read_bytes())
    return Inputs(specs, digest("\0".join(options).encode()), generator_digest())


_GENERATOR_DIGEST: list[str] = []


def generator_digest() -> str:
    """The digest of slogen's Python source and version (computed once per process)."""
    if not _GENERATOR_DIGEST:
        root = Path(generator.__file__).parent
        h = hashlib.sha256(generator.__version__.encode())
        for path in sorted(root.rglob("*.py")):
            h.update(f"\0{path.relative_to(root).as_posix()}\0".encode())
            h.update(path.read_bytes())
        _GENERATOR_DIGEST.append(h.hexdigest())
    return _GENERATOR_DIGEST[0]


@dataclass(frozen=True)
class Recorded:
    """What a manifest says about the generation that wrote it."""

    inputs: str | None
    generator: str | None
    specs: dict[str, str]
    files: dict[str, str | None]  # output path -> digest (None: an old manifest without one)


def read_manifest(out_dir: Path) -> Recorded:
    """What the manifest in `out_dir` says about the last generate (empty when there is none)."""
    try:
        text = (out_dir / MANIFEST).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    return parse(text)


def manifest_lines(inputs: Inputs, files: Mapping[PurePath, str]) -> list[str]:
    """The manifest body: the input digests, then one `path digest` line per written file."""
    lines = [f"{INPUTS} {inputs.key}", f"{GENERATOR} {inputs.generator}"]
    lines += [f"{SPEC} {rel} {value}" for rel, value in sorted(inputs.specs.items())]
    lines += [f"{p.as_posix()} {digest(text.encode('utf-8'))}" for p, text in sorted(files.items())]
    return lines


def manifest_lines_of(inputs: Inputs, digests: Mapping[str, str]) -> list[str]:
    """`manifest_lines` from the digests of the written files (posix path -> digest)."""
    lines = [f"{INPUTS} {inputs.key}", f"{GENERATOR} {inputs.generator}"]
    lines += [f"{SPEC} {rel} {value}" for rel, value in sorted(inputs.specs.items())]
    # Ordered as paths (part by part), as `manifest_lines` orders them.
    lines += [f"{rel} {digests[rel]}" for rel in sorted(digests, key=lambda r: r.split("/"))]
    return lines


def parse(text: str) -> Recorded:
    """Read a manifest; lines of an older format (a path alone) are files without a digest."""
    inputs = gen = None
    specs: dict[str, str] = {}
    files: dict[str, str | None] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        if not head or not _is_digest(value):
            files[line] = None
        elif head == INPUTS:
            inputs = value
        elif head == GENERATOR:
            gen = value
        elif head.startswith(f"{SPEC} "):
            specs[head.removeprefix(f"{SPEC} ")] = value
        else:
            files[head] = value
    return Recorded(inputs, gen, specs, files)


def without_generator_line(text: str) -> str:
    """A manifest without its generator digest: what `generate --check` compares."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.startswith(f"{GENERATOR} "))


def up_to_date(out_dir: Path, recorded: Recorded, inputs: Inputs) -> bool:
    """Whether out/ holds exactly what `inputs` would generate: same inputs, same slogen, and
    every recorded file present with its recorded digest."""
    if recorded.inputs != inputs.key or recorded.generator != inputs.generator:
        return False
    for rel, expected in recorded.files.items():
        try:
            data = (out_dir / rel).read_bytes()
        except OSError:
            return False
        if expected is None or digest(data) != expected:
            return False
    return True


def _is_digest(value: str) -> bool:
    return len(value) == 64 and set(value) <= _HEX
