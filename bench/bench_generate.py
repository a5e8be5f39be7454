"""`slogen generate` as a user runs it, on synthetic specs (bench/synth.py).

At 1,000 SLOs: a full generate with its promtool and amtool checks beside a bare
`promtool check rules` of the same rule files (as installed, and with the Go runtime settings
generate gives its own promtool runs), measured in the same run, alternating, five of each
(each full generate into a fresh directory with no cache); a no-op rerun (three
runs); a one-spec edit (one SLO objective changed in one service file, three different edits)
with the files it rewrote and the rule files promtool was given, beside a bare
`promtool check rules` of those changed files; `generate --check`; bytes written; peak RSS.
At 10,000 SLOs: a full generate with the output checks skipped (promtool on 10,000 SLOs' rules
takes minutes on a shared machine), for peak RSS and time.

Every figure is one `python -m generator ...`-equivalent process (start-up included) timed by
wall clock. Peak RSS is that process's own ru_maxrss (RUSAGE_SELF, read as it exits);
the tools it ran (promtool, amtool) are reported apart (RUSAGE_CHILDREN). Writes
bench/results/generate.json.

    python bench/bench_generate.py              # 1,000 and 10,000 SLOs
    python bench/bench_generate.py 1000         # one size
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RESULTS = ROOT / "bench" / "results" / "generate.json"
SIZES = (1_000, 10_000)
REPEATS = 3
# The full generate against bare promtool: the ratio the issue names, so more pairs.
PAIRS = 5
# Above this many SLOs only the full generate runs (with checks skipped): its peak RSS is the
# figure wanted there.
FULL_ONLY_ABOVE = 1_000
CACHE_SUFFIX = ".slogen-cache"
# Runs the CLI in-process and reports its own peak RSS and its children's on stderr's last line.
_RUNNER = (
    "import json, resource, sys\n"
    "from generator.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "mib = lambda who: round(resource.getrusage(who).ru_maxrss / 1024, 1)\n"
    "print(json.dumps({'self': mib(resource.RUSAGE_SELF), "
    "'children': mib(resource.RUSAGE_CHILDREN)}), file=sys.stderr)\n"
    "sys.exit(code)\n"
)


CPU_SECONDS: list[float] = []  # CPU (user + system) of the last process run, its tools included


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str], cwd: Path, env: dict[str, str] | None = None
         ) -> tuple[float, str, str]:
    """(wall seconds, stdout, stderr) of one process (`env` added to the environment); raises
    if it exits non-zero. Its CPU seconds (with every process it ran) go to CPU_SECONDS."""
    start, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    wall = time.perf_counter() - start
    CPU_SECONDS[:] = [_cpu() - cpu]
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} exited {proc.returncode}:\n{proc.stderr}")
    return wall, proc.stdout, proc.stderr


def _generate(cwd: Path, out: str = "out", *extra: str) -> tuple[float, dict[str, float]]:
    """(wall seconds, {"self": MiB, "children": MiB}) of one `slogen generate`."""
    wall, _, err = _run([sys.executable, "-c", _RUNNER, "generate", "--specs", "slos",
                         "--out", out, "--quiet", *extra], cwd)
    return wall, json.loads(err.strip().splitlines()[-1])


def _fresh(cwd: Path, out: str) -> None:
    shutil.rmtree(cwd / out, ignore_errors=True)
    (cwd / f".{out}{CACHE_SUFFIX}").unlink(missing_ok=True)


def _edit_one_spec(spec_dir: Path, n: int) -> str:
    """Change one SLO's objective in the first service file (a new value each time)."""
    path = sorted(p for p in spec_dir.glob("svc-*.yaml"))[0]
    text = path.read_text(encoding="utf-8")
    old = "objective: 99.5" if n == 0 else f"objective: 99.5{n}"
    path.write_text(text.replace(old, f"objective: 99.5{n + 1}", 1), encoding="utf-8")
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


def _stamps(out: Path) -> dict[Path, tuple[int, int]]:
    return {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}


def _spread(values: list[float]) -> dict[str, Any]:
    return {"runs": [round(v, 3) for v in values], "median": round(statistics.median(values), 3),
            "min": round(min(values), 3), "max": round(max(values), 3)}


def _full_vs_promtool(cwd: Path, promtool: str) -> dict[str, Any]:
    """Full generate+check and bare promtool, alternating, PAIRS each; bare promtool both as
    installed (the yardstick) and with the Go runtime settings generate gives its own runs
    (CHECK_RUNTIME), so what those settings are worth is seen apart."""
    from generator.validate.promtool import CHECK_RUNTIME

    full: list[float] = []
    bare: list[float] = []
    tuned: list[float] = []
    full_cpu: list[float] = []
    bare_cpu: list[float] = []
    tuned_cpu: list[float] = []
    rss: list[dict[str, float]] = []
    for i in range(PAIRS):
        out = f"full{i}"
        _fresh(cwd, out)
        wall, peak = _generate(cwd, out)
        full.append(wall)
        full_cpu += CPU_SECONDS
        rss.append(peak)
        rules = sorted(str(p) for p in (cwd / out / "prometheus").glob("*.rules.yaml"))
        bare.append(_run([promtool, "check", "rules", *rules], cwd)[0])
        bare_cpu += CPU_SECONDS
        tuned.append(_run([promtool, "check", "rules", *rules], cwd, CHECK_RUNTIME)[0])
        tuned_cpu += CPU_SECONDS
        if i:
            _fresh(cwd, out)
    ratios = [f / b for f, b in zip(full, bare, strict=True)]
    return {"full_generate_seconds": _spread(full), "promtool_check_rules_seconds": _spread(bare),
            "full_vs_promtool": _spread(ratios),
            "full_generate_cpu_seconds": _spread(full_cpu),
            "promtool_check_rules_cpu_seconds": _spread(bare_cpu),
            "full_vs_promtool_cpu": _spread(
                [f / b for f, b in zip(full_cpu, bare_cpu, strict=True)]),
            "promtool_generate_runtime_seconds": _spread(tuned),
            "promtool_generate_runtime_cpu_seconds": _spread(tuned_cpu),
            "full_vs_promtool_generate_runtime": _spread(
                [f / b for f, b in zip(full, tuned, strict=True)]),
            "full_generate_peak_rss_mib": max(r["self"] for r in rss),
            "full_generate_tools_peak_rss_mib": max(r["children"] for r in rss)}


def _one_edits(cwd: Path, promtool: str) -> dict[str, Any]:
    """REPEATS one-spec edits, each followed by generate; files rewritten and promtool input."""
    walls: list[float] = []
    cpus: list[float] = []
    bare: list[float] = []
    rewritten: list[str] = []
    checked: list[str] = []
    edited = ""
    for n in range(REPEATS):
        edited = _edit_one_spec(cwd / "slos", n)
        before = _stamps(cwd / "out")
        wall, _ = _generate(cwd)
        walls.append(wall)
        cpus += CPU_SECONDS
        after = _stamps(cwd / "out")
        rewritten = sorted(p.relative_to(cwd / "out").as_posix() for p in after
                           if before.get(p) != after[p])
        checked = [p for p in rewritten if p.startswith("prometheus/")
                   and p.endswith(".rules.yaml") and "/" not in p.removeprefix("prometheus/")]
        bare.append(_run([promtool, "check", "rules", *checked], cwd / "out")[0])
    return {"one_edit_generate_seconds": _spread(walls), "one_edit_spec": edited,
            "one_edit_generate_cpu_seconds": _spread(cpus),
            "one_edit_files_rewritten": rewritten, "one_edit_rule_files_changed": checked,
            "one_edit_promtool_on_changed_seconds": _spread(bare),
            "one_edit_minus_promtool_seconds": _spread(
                [w - b for w, b in zip(walls, bare, strict=True)])}


def measure(total_slos: int) -> dict[str, Any]:
    """All figures for one size."""
    from bench.synth import write_specs

    promtool = shutil.which("promtool")
    result: dict[str, Any] = {"slos": total_slos, "load_1m_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory(prefix="slogen-bench-") as tmp:
        cwd = Path(tmp)
        result["services"] = write_specs(total_slos, cwd / "slos")
        full_only = total_slos > FULL_ONLY_ABOVE or promtool is None
        if full_only:
            wall, peak = _generate(cwd, "out", "--skip-checks")
            result |= {"full_generate_checks": "skipped",
                       "full_generate_seconds": round(wall, 2),
                       "full_generate_cpu_seconds": round(CPU_SECONDS[0], 2),
                       "peak_rss_mib": peak["self"], "tools_peak_rss_mib": peak["children"]}
        else:
            assert promtool is not None
            result["full_generate_checks"] = "promtool and amtool"
            result |= _full_vs_promtool(cwd, promtool)
            result["peak_rss_mib"] = result["full_generate_peak_rss_mib"]
            _fresh(cwd, "out")
            shutil.copytree(cwd / "full0", cwd / "out")
            shutil.copy(cwd / f".full0{CACHE_SUFFIX}", cwd / f".out{CACHE_SUFFIX}")
        files, size = _out_bytes(cwd / "out")
        result |= {"files_written": files, "bytes_written": size,
                   "bytes_per_slo": round(size / total_slos),
                   "bytes_per_slo_by_kind": _bytes_by_kind(cwd / "out", total_slos)}
        if not full_only:
            assert promtool is not None
            noop, noop_cpu = [], []
            for _ in range(REPEATS):
                noop.append(_generate(cwd)[0])
                noop_cpu += CPU_SECONDS
            result["noop_generate_seconds"] = _spread(noop)
            result["noop_generate_cpu_seconds"] = _spread(noop_cpu)
            result |= _one_edits(cwd, promtool)
            result["check_seconds"] = round(_generate(cwd, "out", "--check")[0], 2)
    result["load_1m_after"] = os.getloadavg()[0]
    return result


def compile_bytecode() -> None:
    """Compile slogen's modules as pip does when it installs a package. A checkout run where
    PYTHONDONTWRITEBYTECODE is set would otherwise compile every module it imports on every
    run (about 0.1 s of each generate), which an installed slogen never pays."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "generator")],
                   check=True, stdout=subprocess.DEVNULL)


def main(argv: list[str]) -> int:
    """Measure each size and write the figures."""
    sizes = [int(a) for a in argv] or list(SIZES)
    compile_bytecode()
    runs = []
    for size in sizes:
        runs.append(measure(size))
        print(json.dumps(runs[-1]), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "what": "slogen generate on bench/synth.py specs, each figure one CLI process",
        "how": (
            "slogen's bytecode compiled first, as pip does on install (compile_bytecode); "
            "wall clock per process, start-up included; peak_rss_mib = the generate process's "
            "own ru_maxrss (RUSAGE_SELF), tools_peak_rss_mib = the largest tool it ran "
            "(RUSAGE_CHILDREN); full generate = into a fresh directory with no cache, running "
            "promtool check rules and amtool on its output (checks skipped above "
            f"{FULL_ONLY_ABOVE} SLOs); promtool_check_rules_seconds = one bare "
            "`promtool check rules` over the same rule files with promtool's default Go "
            "runtime settings (the yardstick), and promtool_generate_runtime_seconds = the same "
            "run with the settings generate gives its own promtool runs (GOGC and GOMAXPROCS, "
            "CHECK_RUNTIME in generator/validate/promtool.py), alternating with the full "
            f"generate, {PAIRS} of each (runs, median, min, max; full_vs_promtool and "
            "full_vs_promtool_generate_runtime per pair); *_cpu_seconds = user + system CPU "
            "of the process and every process it ran "
            "(RUSAGE_CHILDREN deltas), less sensitive to the machine's load than wall time; "
            f"no-op = generate again with nothing changed ({REPEATS} runs); one edit = "
            "one SLO objective changed in one service file, then generate (promtool and amtool "
            f"checks on the changed files included; {REPEATS} successive edits), beside a bare "
            "promtool check rules of the rule files that edit changed; files_rewritten = files "
            "whose inode or modification time changed; check = generate --check (a full "
            "compile and compare); bytes = every file under out/ (manifest included; the cache "
            "beside out/ is not part of the output), bytes_per_slo_by_kind splits them by "
            "artefact kind (path prefix, KINDS)"),
        "machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0],
                    "note": "shared machine: load_1m_before/after are 1-minute load averages"},
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
