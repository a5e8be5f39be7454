"""Golden-file comparison: expected outputs live beside their inputs under tests/testdata/."""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path, PurePath


def assert_golden(expected_dir: Path, files: Mapping[PurePath, str], update: bool) -> None:
    """Compare rendered `files` with the tree in `expected_dir`; rewrite it when `update`."""
    actual = {p.as_posix(): text for p, text in files.items()}
    if update:
        if expected_dir.exists():
            for old in sorted(expected_dir.rglob("*"), reverse=True):
                if old.is_file():
                    old.unlink()
        for rel, text in actual.items():
            target = expected_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8", newline="\n")
        return
    expected = {
        p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(expected_dir.rglob("*")) if p.is_file()
    } if expected_dir.exists() else {}
    problems = []
    for rel in sorted(set(expected) | set(actual)):
        if rel not in actual:
            problems.append(f"missing output {rel}")
        elif rel not in expected:
            problems.append(f"unexpected output {rel} (run pytest --update-golden)")
        elif expected[rel] != actual[rel]:
            diff = difflib.unified_diff(expected[rel].splitlines(), actual[rel].splitlines(),
                                        f"expected/{rel}", f"actual/{rel}", lineterm="", n=2)
            problems.append("\n".join(list(diff)[:80]))
    assert not problems, ("golden files differ (pytest --update-golden rewrites them):\n"
                          + "\n".join(problems))
