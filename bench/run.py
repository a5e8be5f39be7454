"""Run every benchmark (bench/bench_*.py); each writes its figures to bench/results/<name>.json."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    """Run the benchmarks named in argv (default: all), in name order."""
    wanted = set(argv)
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    for script in scripts:
        name = script.stem.removeprefix("bench_")
        if wanted and name not in wanted:
            continue
        print(f"== bench {name}", flush=True)
        runpy.run_path(str(script), run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
