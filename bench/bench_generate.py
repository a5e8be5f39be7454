"""Time and peak memory of load + validate + generate for 100, 1,000 and 10,000 synthetic SLOs.

Each size runs in a fresh interpreter so its peak RSS is its own. Writes
bench/results/generate.json. `python bench/bench_generate.py 100 1000` runs only those sizes.
"""

from __future__ import annotations

import json
import resource
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


def measure(total_slos: int) -> dict[str, Any]:
    """Synthesise specs, then time each stage of `slogen generate` in this process."""
    from bench.synth import write_specs
    from generator import outdir, pipeline
    from generator.commands.generate import gc_exempt
    from generator.specfile.build import build_model
    from generator.specfile.loader import load_specs
    from generator.validate import promtool

    with tempfile.TemporaryDirectory(prefix="slogen-bench-") as tmp:
        spec_dir, out = Path(tmp) / "slos", Path(tmp) / "out"
        files_in = write_specs(total_slos, spec_dir)
        clock: dict[str, float] = {}
        start = time.perf_counter()
        loaded = load_specs(spec_dir, Path(tmp))
        clock["load_seconds"] = time.perf_counter() - start
        mark = time.perf_counter()
        model = build_model(loaded)
        clock["build_seconds"] = time.perf_counter() - mark
        mark = time.perf_counter()
        with gc_exempt():  # as `slogen generate` renders
            files = pipeline.render(model)
        clock["render_seconds"] = time.perf_counter() - mark
        mark = time.perf_counter()
        outdir.swap_in(outdir.stage(out, files), out)
        clock["write_seconds"] = time.perf_counter() - mark
        total = time.perf_counter() - start
        mark = time.perf_counter()
        unchanged = not outdir.compare(out, files)
        clock["check_compare_seconds"] = time.perf_counter() - mark
        tool = promtool.find_promtool()
        if tool is not None:
            mark = time.perf_counter()
            pipeline.check_promql(model, tool)
            clock["promql_check_seconds"] = time.perf_counter() - mark
        peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return {
            "slos": total_slos, "services": files_in,
            "alerts": sum(len(s.alerts) for s in model.services),
            "files_written": len(files),
            "bytes_written": sum(len(t.encode()) for t in files.values()),
            "wall_seconds": round(total, 3),
            **{k: round(v, 3) for k, v in clock.items()},
            "peak_rss_mib": round(peak_mib, 1),
            "rerun_identical": unchanged,
        }


def main(argv: list[str]) -> int:
    """Run each size in its own interpreter and write the figures."""
    if argv[:1] == ["--one"]:
        print(json.dumps(measure(int(argv[1]))))
        return 0
    sizes = [int(a) for a in argv] or list(SIZES)
    runs = []
    for size in sizes:
        result = subprocess.run([sys.executable, __file__, "--one", str(size)], cwd=ROOT,
                                capture_output=True, text=True, check=True)
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
        print(json.dumps(runs[-1]), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    report = {
        "what": "slogen generate on synthetic specs: load + validate + build + render + "
                "atomic write (PromQL check by promtool timed separately)",
        "python": sys.version.split()[0],
        "yaml_c_extension": _has_yaml_clib(),
        "runs": runs,
    }
    RESULTS.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")
    return 0


def _has_yaml_clib() -> bool:
    try:
        import _ruamel_yaml  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
