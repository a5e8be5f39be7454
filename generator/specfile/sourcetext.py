"""Read a spec file's bytes as UTF-8 text, locating whatever makes that impossible.

Errors name the line and column of the first offending byte (columns count characters, as
editors do), and say what the file most likely is: UTF-16 (with or without a byte-order mark),
Latin-1 or another 8-bit encoding, or binary data.
"""

from __future__ import annotations

from pathlib import Path

from generator.core.errors import SpecError, SpecErrors

MAX_FILE_BYTES = 4 * 1024 * 1024
SPEC_SUFFIXES = (".yaml", ".yml", ".jsonnet")
JSONNET_LIB_DIR = "lib"

_BOMS = (
    (b"\x00\x00\xfe\xff", "UTF-32 with a byte-order mark"),
    (b"\xff\xfe\x00\x00", "UTF-32 with a byte-order mark"),
    (b"\xfe\xff", "UTF-16 with a byte-order mark"),
    (b"\xff\xfe", "UTF-16 with a byte-order mark"),
)


def spec_files(spec_dir: Path) -> list[Path]:
    """The spec files in `spec_dir`, sorted: YAML and Jsonnet, hidden paths and the Jsonnet
    library directory aside."""
    lib = spec_dir / JSONNET_LIB_DIR
    return sorted(
        p for p in spec_dir.rglob("*")
        if p.is_file() and p.suffix in SPEC_SUFFIXES and lib not in p.parents
        and not any(part.startswith(".") for part in p.relative_to(spec_dir).parts)
    )


def shown_name(path: Path, root: Path) -> str:
    """How messages name `path`: relative to `root` when inside it, else as given."""
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def read_spec_text(path: Path, shown: str) -> str:
    """The UTF-8 text of `path`; SpecErrors with a line and column when it is not that."""
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise SpecErrors([SpecError(shown, None, None, "(document)",
                                    f"cannot read file: {exc.strerror}")]) from None
    return decode_spec_bytes(data, shown)


def decode_spec_bytes(data: bytes, shown: str) -> str:
    """`data` decoded as UTF-8, or SpecErrors locating the first byte that prevents it."""
    if len(data) > MAX_FILE_BYTES:
        line, column = _position(data, MAX_FILE_BYTES)
        raise SpecErrors([SpecError(
            shown, line, column, "(document)",
            f"file is larger than {MAX_FILE_BYTES // 1024 // 1024} MiB (the limit is reached "
            "here); split it into several files")])
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise SpecErrors([SpecError(shown, 1, 1, "(document)",
                                        f"file is {name}, not UTF-8; save it as UTF-8")])
    # A stray NUL in text is reported by the YAML reader as a control character; many of
    # them mean UTF-16 or binary data, reported here at the first one.
    nul = data.find(b"\x00") if _many_nuls(data) else -1
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start if nul < 0 or exc.start < nul else nul
        line, column = _position(data, bad)
        raise SpecErrors([SpecError(shown, line, column, "(document)",
                                    _undecodable(data, bad))]) from None
    if nul >= 0:
        line, column = _position(data, nul)
        raise SpecErrors([SpecError(shown, line, column, "(document)", _undecodable(data, nul))])
    return text


def _position(data: bytes, offset: int) -> tuple[int, int]:
    """1-based line and character column of byte `offset` (the bytes before it decode)."""
    start = data.rfind(b"\n", 0, offset) + 1
    prefix = data[start:offset].decode("utf-8", errors="replace")
    return data.count(b"\n", 0, offset) + 1, len(prefix) + 1


def _undecodable(data: bytes, offset: int) -> str:
    byte = data[offset]
    if byte == 0:
        guess = ("UTF-16 without a byte-order mark" if _alternating_nuls(data[:512])
                 else "binary data")
        return f"file is not UTF-8 text: NUL byte (it looks like {guess}); save it as UTF-8"
    if _mostly_text(data):
        return (f"file is not UTF-8 text: byte 0x{byte:02X} cannot be decoded (Latin-1 or "
                "another 8-bit encoding?); save the file as UTF-8")
    return f"file is not UTF-8 text: byte 0x{byte:02X} cannot be decoded (binary data?)"


def _many_nuls(data: bytes) -> bool:
    sample = data[:4096]
    return b"\x00" in sample and (sample.count(b"\x00") * 8 >= len(sample)
                                  or not _mostly_text(sample))


def _alternating_nuls(sample: bytes) -> bool:
    even = sample[0::2].count(0)
    odd = sample[1::2].count(0)
    return max(even, odd) * 2 >= len(sample) // 2 and min(even, odd) * 4 < max(even, odd)


def _mostly_text(data: bytes) -> bool:
    sample = data[:4096]
    printable = sum(1 for b in sample if 32 <= b < 127 or b in (9, 10, 13))
    return printable * 10 >= len(sample) * 9
