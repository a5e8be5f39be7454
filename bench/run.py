"""Run every benchmark (bench/bench_*.py); each writes its figures to bench/results/<name>.json.

Each result file is stamped afterwards with the machine it ran on (CPU count, 1-minute load
average before and after the bench) and, when the bench wrote no `how` of its own, the bench's
docstring: every JSON says how its figures were measured.
"""

from __future__ import annotations

import ast
import json
import os
import runpy
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results"
METHOD_KEYS = ("how", "method")


def main(argv: list[str]) -> int:
    """Run the benchmarks named in argv (default: all), in name order."""
    wanted = set(argv)
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"== bench {name}", flush=True)
        result = RESULTS / f"{name}.json"
        before = result.stat().st_mtime_ns if result.exists() else None
        load_before = os.getloadavg()[0]
        # Each bench parses its own argv and ends in sys.exit: give it none, and go on after.
        sys.argv = [str(script)]
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as done:
            if done.code not in (None, 0):
                return int(done.code) if isinstance(done.code, int) else 1
        if result.exists() and result.stat().st_mtime_ns != before:
            stamp(result, script, load_before, os.getloadavg()[0])
    return 0


def stamp(result: Path, script: Path, load_before: float, load_after: float) -> None:
    """Add the machine and the method to a result file the bench just wrote."""
    data: Any = json.loads(result.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        return
    machine = data.get("machine") if isinstance(data.get("machine"), dict) else {}
    data["machine"] = {**machine, "cpus": os.cpu_count(),
                       "load_1m_before": round(load_before, 2),
                       "load_1m_after": round(load_after, 2)}
    if not any(key in data for key in METHOD_KEYS):
        doc = ast.get_docstring(ast.parse(script.read_text(encoding="utf-8"))) or ""
        data["how"] = " ".join(doc.split())
    result.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
