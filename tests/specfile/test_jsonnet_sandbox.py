"""Jsonnet sandbox: imports stay below the spec directory, evaluation stays within its limits."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.core.errors import SpecErrors
from generator.specfile import jsonnet_sandbox
from generator.specfile.loader import load_specs
from tests.conftest import ROOT, SPECS_DIR

HEAD = "{version: 'slogen/v1', team: 't', service: "


def _errors(tmp_path: Path, files: dict[str, str]) -> list[str]:
    spec_dir = tmp_path / "slos"
    shutil.copytree(SPECS_DIR / "lib", spec_dir / "lib")
    (tmp_path / "secret.txt").write_text("hunter2", encoding="utf-8")
    for name, text in files.items():
        (spec_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (spec_dir / name).write_text(text, encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        load_specs(spec_dir, tmp_path)
    return [str(e) for e in caught.value.errors]


@pytest.mark.parametrize(("target", "reason"), [
    ("/etc/passwd", "absolute import paths are not allowed"),
    ("/proc/self/environ", "absolute import paths are not allowed"),
    ("../secret.txt", "it leaves the spec directory"),
    ("lib/../../secret.txt", "it leaves the spec directory"),
])
def test_imports_outside_the_spec_directory_are_refused(tmp_path: Path, target: str,
                                                         reason: str) -> None:
    errors = _errors(tmp_path, {"a.jsonnet": HEAD + f"importstr '{target}'}}\n"})
    assert len(errors) == 1
    assert errors[0].startswith("slos/a.jsonnet:1:44: (document): Jsonnet evaluation failed: "
                                f"couldn't open import \"{target}\": {reason}")
    assert "hunter2" not in errors[0]


def test_symlinks_out_of_the_spec_directory_are_refused(tmp_path: Path) -> None:
    (tmp_path / "slos").mkdir()
    (tmp_path / "slos" / "link.txt").symlink_to(tmp_path / "secret.txt")
    errors = _errors(tmp_path, {"a.jsonnet": HEAD + "importstr 'link.txt'}\n"})
    assert "it is a symlink to a file outside the spec directory" in errors[0]


def test_imports_below_the_spec_directory_and_library_work(tmp_path: Path) -> None:
    errors = _errors(tmp_path, {
        "sub/parts.libsonnet": "{name: 'x'}",
        "a.jsonnet": "local s = import 'slogen.libsonnet';\n"
                     "local p = import 'sub/parts.libsonnet';\n"
                     "s.service(p.name, 't', {}) + {objective: 1}\n",
    })
    assert errors == ["slos/a.jsonnet:3:31: objective: unknown key 'objective'; known keys: "
                      "alerts, dashboard, datasource, description, grafana_alerts, "
                      "health_checks, labels, mttd, policies, recording, routing, rule_groups, "
                      "runbook, scrape, service, slos, team, tier, version"]


def test_endless_evaluation_is_stopped_at_the_time_limit(tmp_path: Path) -> None:
    jsonnet_sandbox.configure(jsonnet_sandbox.JsonnetLimits(seconds=1.0))
    try:
        started = time.monotonic()
        errors = _errors(tmp_path, {
            "a.jsonnet": "local s(n) = if n == 0 then 'x' else s(n-1) + s(n-1);\n"
                         + HEAD + "s(40)}\n",
            "b.jsonnet": HEAD + "error 'second file still evaluated'}\n"})
        elapsed = time.monotonic() - started
    finally:
        jsonnet_sandbox.configure(jsonnet_sandbox.JsonnetLimits())
    assert errors[0].startswith("slos/a.jsonnet:1:1: (document): Jsonnet evaluation took "
                                "longer than 1 s and was stopped")
    assert errors[1] == ("slos/b.jsonnet:1:44: (document): Jsonnet evaluation failed: "
                         "second file still evaluated")
    assert elapsed < 6


# Run in a small interpreter of its own: a child started from the large pytest process would
# inherit that process's high-water mark at exec, and RUSAGE_CHILDREN would report it.
_MEMORY_BOMB_CHILD = """
import json, resource, sys
from pathlib import Path
from generator.core.errors import SpecErrors
from generator.specfile import jsonnet_sandbox
from generator.specfile.loader import load_specs
jsonnet_sandbox.configure(jsonnet_sandbox.JsonnetLimits(memory_mib=256))
try:
    load_specs(Path(sys.argv[1]), Path(sys.argv[2]))
    errors = []
except SpecErrors as caught:
    errors = [str(e) for e in caught.errors]
with open("/proc/self/status") as status:
    own = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"errors": errors, "peak_kib": max(own, children)}))
"""


def test_memory_bomb_is_stopped_at_the_memory_limit(tmp_path: Path) -> None:
    spec_dir = tmp_path / "slos"
    shutil.copytree(SPECS_DIR / "lib", spec_dir / "lib")
    (spec_dir / "a.jsonnet").write_text(
        "local big = std.makeArray(100000000, function(i) [i]);\n"
        + HEAD + "std.toString(std.length(big))}\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _MEMORY_BOMB_CHILD, str(spec_dir), str(tmp_path)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True)
    report = json.loads(done.stdout)
    assert report["errors"] == [
        "slos/a.jsonnet:1:1: (document): Jsonnet evaluation needed more than "
        "256 MiB and was stopped (raise the limit with --jsonnet-memory or "
        "SLOGEN_JSONNET_MEMORY)"]
    assert report["peak_kib"] < 300 * 1024, f"peak memory {report['peak_kib'] // 1024} MiB"


@pytest.mark.parametrize("text", ["std.char(55296)", "'a' + std.char(57343)"])
def test_a_lone_surrogate_is_a_located_error_not_out_of_memory(tmp_path: Path,
                                                               text: str) -> None:
    # The binding's UnicodeDecodeError killed the child, and its exit code read as "needed
    # more than 512 MiB".
    assert _errors(tmp_path, {"a.jsonnet": HEAD + text + "}\n"}) == [
        "slos/a.jsonnet:1:1: (document): Jsonnet evaluation failed: the result holds a lone "
        "UTF-16 surrogate (a code point in U+D800..U+DFFF, such as std.char(55296)), which "
        "is not a character; write the character itself"]
