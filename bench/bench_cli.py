"""Start-up time of the `slogen` command: --version, --help and one subcommand's --help.

Each figure is the median wall time of fresh `python -m generator ...` processes (what a user
or a pre-commit hook pays before any work starts), plus the modules imported, from
`-X importtime`. Writes bench/results/cli.json. Target: --version and --help under 0.3 s.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "cli.json"
COMMANDS = (("--version",), ("--help",), ("generate", "--help"), ("status", "--help"))
RUNS = 15
TARGET_SECONDS = 0.3


def _env() -> dict[str, str]:
    return dict(os.environ) | {"PYTHONPATH": str(ROOT)}


def _time(args: tuple[str, ...]) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "generator", *args], env=_env(), cwd=ROOT,
                   capture_output=True, check=True)
    return time.perf_counter() - start


def _imports(args: tuple[str, ...]) -> int:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "generator", *args],
                          env=_env(), cwd=ROOT, capture_output=True, text=True, check=True)
    return sum(1 for line in done.stderr.splitlines() if line.startswith("import time:")) - 1


def measure(args: tuple[str, ...]) -> dict[str, Any]:
    """Median and spread of RUNS start-ups, after one warm-up (bytecode cached)."""
    _time(args)
    times = [_time(args) for _ in range(RUNS)]
    return {"command": " ".join(("slogen", *args)),
            "median_seconds": round(statistics.median(times), 3),
            "min_seconds": round(min(times), 3), "max_seconds": round(max(times), 3),
            "modules_imported": _imports(args)}


def baseline() -> float:
    """The bare interpreter start-up on this machine, for scale."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times), 3)


def main() -> int:
    """Measure, write the results, fail when --version or --help misses the target."""
    runs = [measure(args) for args in COMMANDS]
    startup = baseline()
    for run in runs:  # what slogen adds to a bare interpreter, less sensitive to machine load
        run["times_python_startup"] = round(run["median_seconds"] / startup, 2)
    result = {"python": sys.version.split()[0], "runs_per_command": RUNS,
              "python_startup_seconds": startup, "target_seconds": TARGET_SECONDS,
              # A shared two-core machine: the load says how much the medians are inflated.
              "load_average_1m": round(os.getloadavg()[0], 2), "cpus": os.cpu_count(),
              "commands": runs}
    RESULTS.write_text(json.dumps(result, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    for run in runs:
        print(f"{run['command']}: {run['median_seconds']:.3f} s median, "
              f"{run['modules_imported']} modules")
    slow = [r for r in runs[:2] if r["median_seconds"] > TARGET_SECONDS]
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
