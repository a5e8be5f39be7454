"""`slogen generate` as a user runs it, on synthetic specs: a full generate with its promtool and
amtool checks beside a bare `promtool check rules` of the same output, a no-op rerun, a one-spec
edit, `generate --check`, the bytes written per SLO, and peak RSS.

Every figure is one `python -m generator ...` process (start-up included), timed by wall clock;
peak RSS is that process's ru_maxrss from wait4 (the largest of it and the tools it ran). Sizes
run in order, each in a fresh temporary directory. Writes bench/results/generate.json.

    python bench/bench_generate.py              # 100, 1,000 and 10,000 SLOs
    python bench/bench_generate.py 1000         # one size
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "generate.json"
SIZES = (100, 1_000, 10_000)
# Above this many SLOs only the full generate runs (with checks skipped): its peak RSS is the
# figure wanted there, and promtool on 10,000 SLOs' rules would take minutes on a shared machine.
FULL_ONLY_ABOVE = 1_000


def _timed(argv: list[str], cwd: Path) -> tuple[float, float, str]:
    """(wall seconds, peak RSS MiB, stdout) of one process; raises if it exits non-zero."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None and proc.stderr is not None
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{err.decode()}")
    return wall, usage.ru_maxrss / 1024, out.decode()


def _generate(cwd: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "generator", "generate", "--specs", "slos", "--out", "out",
            "--quiet", *extra]


def _edit_one_spec(spec_dir: Path) -> str:
    """Change one SLO's objective in the first service file; return that file's name."""
    path = sorted(p for p in spec_dir.glob("svc-*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("objective: 99.5", "objective: 99.6", 1), encoding="utf-8")
    return path.name


def _out_bytes(out: Path) -> tuple[int, int]:
    files = [p for p in out.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


# Artefact kinds by path prefix under out/, first match wins.
KINDS = (("prometheus/tests/", "prometheus_unit_tests"), ("prometheus/", "prometheus_rules"),
         ("grafana/provisioning/dashboards/", "dashboards"), ("grafana/", "grafana_other"),
         ("alertmanager/tests/", "alertmanager_routing_tests"),
         ("alertmanager/", "alertmanager_config"), ("docs/", "docs"))


def _bytes_by_kind(out: Path, slos: int) -> dict[str, int]:
    """Bytes per SLO of each artefact kind (everything else, manifest included, is "other")."""
    found: dict[str, int] = {}
    for path in (p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        kind = next((k for prefix, k in KINDS if rel.startswith(prefix)), "other")
        found[kind] = found.get(kind, 0) + path.stat().st_size
    return {k: round(v / slos) for k, v in sorted(found.items())}


def measure(total_slos: int) -> dict[str, Any]:
    """All figures for one size."""
    from bench.synth import write_specs

    promtool = shutil.which("promtool")
    result: dict[str, Any] = {"slos": total_slos, "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="slogen-bench-") as tmp:
        cwd = Path(tmp)
        result["services"] = write_specs(total_slos, cwd / "slos")
        full_only = total_slos > FULL_ONLY_ABOVE or promtool is None
        extra = ("--skip-checks",) if full_only else ()
        wall, peak, _ = _timed(_generate(cwd, *extra), cwd)
        result |= {"full_generate_seconds": round(wall, 2), "peak_rss_mib": round(peak, 1),
                   "full_generate_checks": "skipped" if full_only else "promtool and amtool"}
        files, size = _out_bytes(cwd / "out")
        result |= {"files_written": files, "bytes_written": size,
                   "bytes_per_slo": round(size / total_slos),
                   "bytes_per_slo_by_kind": _bytes_by_kind(cwd / "out", total_slos)}
        if not full_only:
            assert promtool is not None
            rules = sorted(str(p) for p in (cwd / "out" / "prometheus").glob("*.rules.yaml"))
            wall, _, _ = _timed([promtool, "check", "rules", *rules], cwd)
            result["promtool_check_rules_seconds"] = round(wall, 2)
            result["full_vs_promtool"] = round(
                result["full_generate_seconds"] / result["promtool_check_rules_seconds"], 2)
            noop = [_timed(_generate(cwd), cwd)[0] for _ in range(3)]
            result["noop_generate_seconds"] = [round(w, 3) for w in noop]
            edited = _edit_one_spec(cwd / "slos")
            before = {p: p.stat().st_mtime_ns for p in (cwd / "out").rglob("*") if p.is_file()}
            wall, _, _ = _timed(_generate(cwd), cwd)
            rewritten = sorted(str(p.relative_to(cwd / "out")) for p in before
                               if p.exists() and p.stat().st_mtime_ns != before[p])
            result |= {"one_edit_generate_seconds": round(wall, 2), "one_edit_spec": edited,
                       "one_edit_files_rewritten": rewritten}
            wall, _, _ = _timed(_generate(cwd, "--check"), cwd)
            result["check_seconds"] = round(wall, 2)
    result["load_after"] = os.getloadavg()[0]
    return result


def main(argv: list[str]) -> int:
    """Measure each size and write the figures."""
    sizes = [int(a) for a in argv] or list(SIZES)
    runs = []
    for size in sizes:
        runs.append(measure(size))
        print(json.dumps(runs[-1]), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "what": "slogen generate on bench/synth.py specs, each figure one CLI process",
        "how": ("wall clock per process, start-up included; peak RSS = ru_maxrss from wait4 "
                "(the generate process or a tool it ran, whichever was larger); full generate "
                "runs promtool check rules and amtool on its output (checks skipped above "
                f"{FULL_ONLY_ABOVE} SLOs); promtool_check_rules_seconds is one bare "
                "`promtool check rules` over the same rule files; no-op = generate again with "
                "nothing changed (3 runs); one edit = one SLO objective changed in one service "
                "file, then generate; check = generate --check (always a full compile and "
                "compare); bytes = every file under out/ (manifest included), "
                "bytes_per_slo_by_kind splits them by artefact kind (path prefix, KINDS)"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "note": "shared machine: load_before/after are 1-minute load averages"},
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
