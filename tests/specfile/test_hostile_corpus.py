"""The hostile corpus: every file in hostile/ is refused with exit 2 at a line and column.

Each file is dropped into a copy of a good spec directory (as `hostile.yaml`/`.jsonnet`, or as
`_global.yaml` when its name starts with `_global--`; `mysql--` files get a MySQL database),
beside an `out/` that must stay untouched, a secret file outside the spec directory and a
symlink to it inside (`.symlink` files hold the target of a spec file that is a symlink).
`validate` and `generate` must both exit 2, print only located errors
(`slos/FILE:LINE:COLUMN: path: message`), no traceback and no secret, and the first error must
be the one EXPECTED names. Files ending in `.gen` describe large inputs built at test time.

Limits are measured: CPU time of the in-process runs (YAML and encoding files within 2 s),
and for the `limits/` class, which used to crash or run for minutes, a child process that reads
them all, whose peak memory (its own VmHWM and its reaped children's) must stay under 200 MiB
and where each file must be refused within 5 s of wall-clock time on a busy machine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import cli
from generator.specfile import jsonnet_sandbox
from tests.conftest import ROOT, SPECS_DIR, TESTDATA

CORPUS = Path(__file__).with_name("hostile")
GOOD = TESTDATA / "spec" / "good"
EXPECTED_FILE = CORPUS / "EXPECTED"
# Text planted in secrets, the file outside the spec tree, and its contents: never printed.
MARKERS = ("hunter2", "S3CR3T", "XXXXXXXXXXXXXXXXXXXXXXXX", "e93facc04764012d", "TOPSECRETFILE")
LOCATED = re.compile(r"^slos/[^:\s]+:\d+:\d+: \S")
JSONNET_LIMITS = jsonnet_sandbox.JsonnetLimits(seconds=2.0, memory_mib=256)
CPU_SECONDS = {"limits": 2.0, "yaml": 2.0, "encoding": 2.0}


def _cases() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "EXPECTED")


def _expected() -> dict[str, tuple[str, str]]:
    out = {}
    for line in EXPECTED_FILE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, where, fragment = line.split("\t")
            out[name] = (where, fragment)
    return out


def _content(case: Path) -> bytes:
    if case.suffix != ".gen":
        return case.read_bytes()
    recipe = json.loads(case.read_text(encoding="utf-8"))
    text = (recipe["prefix"] + recipe["repeat"] * recipe["count"] + recipe["suffix"]
            + recipe.get("tail", "") * recipe.get("tail_count", 0) + recipe.get("end", ""))
    return text.encode("utf-8")


def _target(case: Path) -> str:
    name = case.name.removesuffix(".gen").removesuffix(".symlink")
    if name.startswith("_global--"):
        return "_global.yaml"
    return "hostile" + Path(name).suffix


def _setup(tmp_path: Path, case: Path) -> tuple[Path, dict[str, bytes]]:
    spec_dir = tmp_path / "slos"
    shutil.copytree(GOOD, spec_dir)
    shutil.copytree(SPECS_DIR / "lib", spec_dir / "lib")
    (tmp_path / "secret.txt").write_text("TOPSECRETFILE\n", encoding="utf-8")
    (spec_dir / "link.txt").symlink_to(tmp_path / "secret.txt")
    if case.name.startswith("mysql--"):
        text = (spec_dir / "_global.yaml").read_text(encoding="utf-8")
        (spec_dir / "_global.yaml").write_text(text.replace(
            "${MAIN_DB_URL}", "mysql://exporter@127.0.0.1:3306/test"), encoding="utf-8")
    if case.suffix == ".symlink":  # the file holds where the spec file links to
        (spec_dir / _target(case)).symlink_to(case.read_text(encoding="utf-8").strip())
    else:
        (spec_dir / _target(case)).write_bytes(_content(case))
    out = tmp_path / "out"
    (out / "prometheus").mkdir(parents=True)
    (out / "prometheus" / "checkout.rules.yaml").write_text("groups: []\n", encoding="utf-8")
    (out / ".slogen-manifest").write_text("keep\n", encoding="utf-8")
    return spec_dir, _snapshot(out)


def _snapshot(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in out.rglob("*") if p.is_file()}


@pytest.fixture(autouse=True)
def _jsonnet_limits(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tighter Jsonnet limits keep the corpus fast; the CLI reads them from the environment."""
    monkeypatch.setenv("SLOGEN_JSONNET_TIMEOUT", str(JSONNET_LIMITS.seconds))
    monkeypatch.setenv("SLOGEN_JSONNET_MEMORY", str(JSONNET_LIMITS.memory_mib))
    yield
    jsonnet_sandbox.configure(jsonnet_sandbox.JsonnetLimits())


def _check_output(case: Path, code: int, err: str) -> list[str]:
    assert code == cli.EXIT_SPEC, err[-2000:]
    assert "Traceback" not in err and "internal error" not in err
    lines = err.splitlines()
    assert lines and re.fullmatch(r"\d+ spec errors?; nothing was written\.", lines[-1]), err[-500:]
    unlocated = [line for line in lines[:-1] if not LOCATED.match(line)]
    assert unlocated == []
    for marker in MARKERS:
        assert marker not in err
    return lines[:-1]


def _check_expected(case: Path, errors: list[str]) -> None:
    """The error EXPECTED names is among those printed (others may come with it)."""
    name = str(case.relative_to(CORPUS))
    where, fragment = _expected()[name]
    prefix = f"slos/{_target(case)}:{where}: "
    assert [e for e in errors if e.startswith(prefix) and fragment in e], errors


@pytest.mark.parametrize("case", _cases(), ids=lambda p: str(p.relative_to(CORPUS)))
def test_hostile_file_is_refused_with_a_location(
        case: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _, before = _setup(tmp_path, case)
    monkeypatch.chdir(tmp_path)
    commands = [["generate", "--specs", "slos", "--out", "out", "--skip-checks"]]
    if case.parent.name != "jsonnet":  # the same load, and a Jsonnet child each time
        commands.insert(0, ["validate", "--specs", "slos"])
    for command in commands:
        started = time.process_time()
        code = cli.main(command)
        cpu = time.process_time() - started
        errors = _check_output(case, code, capsys.readouterr().err)
        _check_expected(case, errors)
        limit = CPU_SECONDS.get(case.parent.name)
        if limit is not None:
            assert cpu < limit, f"{command[0]} took {cpu:.2f} s of CPU"
    after = _snapshot(tmp_path / "out")
    assert after == before
    for content in after.values():
        for marker in MARKERS:
            assert marker.encode() not in content


LIMIT_CASES = [p for p in _cases() if p.parent.name == "limits"]
_CHILD = """
import contextlib, io, json, os, sys, time
from generator import cli
results = []
for directory in json.loads(sys.argv[1]):
    os.chdir(directory)
    err = io.StringIO()
    started = time.monotonic()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = cli.main(["generate", "--specs", "slos", "--out", "out", "--skip-checks"])
    results.append({"code": code, "err": err.getvalue(), "seconds": time.monotonic() - started})
# The peak of this process (VmHWM starts afresh at exec) and of the Jsonnet children it reaped.
# wait4's figure in the parent would not do: a child started from a large pytest process
# inherits that process's high-water mark at exec.
with open("/proc/self/status") as status:
    own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
import resource
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"results": results, "peak_kib": max(own, children)}))
"""


def test_limit_files_neither_crash_nor_pass_the_time_and_memory_limits(tmp_path: Path) -> None:
    """One child process reads every `limits/` file (one interpreter start, not sixteen).

    A crash would end the child; its peak memory (VmHWM, and its Jsonnet children's) bounds
    each file's.
    """
    directories, snapshots = [], []
    for index, case in enumerate(LIMIT_CASES):
        directory = tmp_path / str(index)
        directory.mkdir()
        snapshots.append(_setup(directory, case)[1])
        directories.append(str(directory))
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": str(ROOT),
           "SLOGEN_JSONNET_TIMEOUT": "2", "SLOGEN_JSONNET_MEMORY": "256"}
    with (tmp_path / "stderr").open("wb") as stderr:
        proc = subprocess.Popen([sys.executable, "-c", _CHILD, json.dumps(directories)],
                                cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=stderr)
        assert proc.stdout is not None
        out = proc.stdout.read()
        proc.wait()
    assert proc.returncode == 0, (tmp_path / "stderr").read_text()[-2000:]
    report = json.loads(out)
    results, peak_kib = report["results"], report["peak_kib"]
    for case, result, directory, before in zip(LIMIT_CASES, results, directories, snapshots,
                                               strict=True):
        _check_expected(case, _check_output(case, result["code"], result["err"]))
        assert result["seconds"] < 5, f"{case.name} took {result['seconds']:.1f} s"
        assert _snapshot(Path(directory) / "out") == before
    assert peak_kib < 200 * 1024, f"peak memory {peak_kib // 1024} MiB"


def test_the_corpus_is_large_and_every_file_has_an_expectation() -> None:
    cases = {str(p.relative_to(CORPUS)) for p in _cases()}
    assert len(cases) >= 150
    assert cases == set(_expected())
