"""Run promtool: syntax-check PromQL, check rule files, run rule unit tests."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROMTOOL_TIMEOUT_SECONDS = 300
_RULE_ERROR = re.compile(r'rule (\d+), "[^"]*": (?:could not parse expression: )?(.*)$')


@dataclass(frozen=True)
class CheckResult:
    """Outcome of one promtool run: ok, its combined output, and the file(s) checked."""

    ok: bool
    output: str
    file: str


def find_promtool(explicit: str | None = None) -> str | None:
    """Path of promtool, or None when it is not installed."""
    return explicit or shutil.which("promtool")


def identity(promtool: str) -> str:
    """Which promtool binary `promtool` is (its path, size and modification time), for
    remembering what it accepted: another binary or version is asked again."""
    found = shutil.which(promtool) or promtool
    try:
        stat = Path(found).resolve().stat()
    except OSError:
        return f"{found} ?"
    return f"{Path(found).resolve()} {stat.st_size} {stat.st_mtime_ns}"


def parse_errors(exprs: Sequence[str], promtool: str) -> dict[int, str]:
    """Syntax-check expressions in one promtool call; return {index: error} for the bad ones."""
    if not exprs:
        return {}
    rules = [{"record": f"slogen_syntax_check_{i}", "expr": e} for i, e in enumerate(exprs)]
    with tempfile.TemporaryDirectory(prefix="slogen-promql-") as tmp:
        path = Path(tmp) / "exprs.rules.yaml"
        # JSON is YAML too, and writing it is instant even for thousands of expressions.
        path.write_text(json.dumps({"groups": [{"name": "syntax", "rules": rules}]}),
                        encoding="utf-8")
        result = _run([promtool, "check", "rules", str(path)])
    if result.returncode == 0:
        return {}
    errors: dict[int, str] = {}
    for line in (result.stdout + result.stderr).splitlines():
        match = _RULE_ERROR.search(line)
        if match:
            errors[int(match.group(1)) - 1] = match.group(2).strip()
    if not errors:
        # promtool failed on something it did not attribute to a rule: report it on all of them.
        text = (result.stdout + result.stderr).strip()
        return {i: text for i in range(len(exprs))}
    return errors


def check_rules(files: Sequence[Path], promtool: str) -> CheckResult:
    """`promtool check rules` on generated rule files."""
    result = _run([promtool, "check", "rules", *map(str, files)])
    return CheckResult(result.returncode == 0, (result.stdout + result.stderr).strip(),
                       " ".join(map(str, files)))


def start_check_rules(files: Sequence[Path], promtool: str) -> subprocess.Popen[bytes]:
    """`promtool check rules` on rule files, started in the background (its output discarded:
    a failure is traced file by file with `check_rules`)."""
    return subprocess.Popen([promtool, "check", "rules", *map(str, files)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_rules(files: Sequence[Path], promtool: str, cwd: Path | None = None) -> CheckResult:
    """`promtool test rules` on generated unit-test files."""
    result = _run([promtool, "test", "rules", *map(str, files)], cwd=cwd)
    return CheckResult(result.returncode == 0, (result.stdout + result.stderr).strip(),
                       " ".join(map(str, files)))


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT_SECONDS,
                          cwd=cwd, check=False)
