"""Run promtool: syntax-check PromQL, check rule files, run rule unit tests."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

PROMTOOL_TIMEOUT_SECONDS = 300
_RULE_ERROR = re.compile(r'rule (\d+), "[^"]*": (?:could not parse expression: )?(.*)$')
# The Go runtime settings of `promtool check rules` runs, unless the environment sets them.
# Its garbage collector is most of a run's CPU time at the default GOGC=100: at 400 a run of
# 50 rule files took a third less CPU, its peak RSS about 75 MB instead of 50 (a run holds
# one file at a time, so that does not grow with the files). One thread each: slogen runs
# one promtool per core when it has several files to check, and with every core busy a
# collector on a second thread only adds work.
CHECK_RUNTIME = {"GOGC": "400", "GOMAXPROCS": "1"}


def check_env() -> dict[str, str]:
    """The environment of a `promtool check rules` run (see CHECK_RUNTIME)."""
    return {**CHECK_RUNTIME, **os.environ}


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
    return ParseCheck(exprs, promtool).finish()


class ParseCheck:
    """`parse_errors` started in the background: promtool parses while the caller goes on."""

    def __init__(self, exprs: Sequence[str], promtool: str) -> None:
        self.count = len(exprs)
        self.proc: subprocess.Popen[str] | None = None
        self.errors: dict[int, str] | None = {} if not exprs else None
        if not exprs:
            return
        rules = [{"record": f"slogen_syntax_check_{i}", "expr": e} for i, e in enumerate(exprs)]
        self.tmp = tempfile.TemporaryDirectory(prefix="slogen-promql-")
        path = Path(self.tmp.name) / "exprs.rules.yaml"
        # JSON is YAML too, and writing it is instant even for thousands of expressions.
        path.write_text(json.dumps({"groups": [{"name": "syntax", "rules": rules}]}),
                        encoding="utf-8")
        self.proc = subprocess.Popen([promtool, "check", "rules", str(path)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env=check_env())

    def finish(self) -> dict[int, str]:
        """{index: error} for the expressions that do not parse (waits for promtool)."""
        if self.errors is not None:
            return self.errors
        assert self.proc is not None
        try:
            stdout, stderr = self.proc.communicate(timeout=PROMTOOL_TIMEOUT_SECONDS)
        finally:
            self.abandon()
        self.errors = {} if self.proc.returncode == 0 else self._errors(stdout + stderr)
        return self.errors

    def abandon(self) -> None:
        """Stop promtool if it still runs and remove its input."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate()
        if self.proc is not None:
            self.tmp.cleanup()

    def _errors(self, output: str) -> dict[int, str]:
        errors: dict[int, str] = {}
        for line in output.splitlines():
            match = _RULE_ERROR.search(line)
            if match:
                errors[int(match.group(1)) - 1] = match.group(2).strip()
        if not errors:
            # promtool failed on something it did not attribute to a rule: report it on all.
            return {i: output.strip() for i in range(self.count)}
        return errors


def check_rules(files: Sequence[Path], promtool: str) -> CheckResult:
    """`promtool check rules` on generated rule files."""
    result = _run([promtool, "check", "rules", *map(str, files)], env=check_env())
    return CheckResult(result.returncode == 0, (result.stdout + result.stderr).strip(),
                       " ".join(map(str, files)))


def start_check_rules(files: Sequence[Path], promtool: str) -> subprocess.Popen[bytes]:
    """`promtool check rules` on rule files, started in the background (its output discarded:
    a failure is traced file by file with `check_rules`)."""
    return subprocess.Popen([promtool, "check", "rules", *map(str, files)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=check_env())


def test_rules(files: Sequence[Path], promtool: str, cwd: Path | None = None) -> CheckResult:
    """`promtool test rules` on generated unit-test files."""
    result = _run([promtool, "test", "rules", *map(str, files)], cwd=cwd)
    return CheckResult(result.returncode == 0, (result.stdout + result.stderr).strip(),
                       " ".join(map(str, files)))


def _run(argv: list[str], cwd: Path | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, timeout=PROMTOOL_TIMEOUT_SECONDS,
                          cwd=cwd, env=env, check=False)
