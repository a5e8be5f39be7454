"""Backtest the shipped scenario set: writes bench/results/backtest.{json,md} and the run time."""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scenarios  # noqa: E402
from generator.cli import main as slogen  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def run(name: str) -> dict[str, object]:
    """Generate scenario `name`, backtest it, and return the report with the elapsed time."""
    with tempfile.TemporaryDirectory() as tmp:
        series, incidents = scenarios.write(scenarios.SCENARIOS[name], Path(tmp))
        started = time.monotonic()
        code = slogen(["backtest", "--series", str(series), "--incidents", str(incidents),
                       "--specs", str(scenarios.SPECS_DIR), "--json", str(Path(tmp) / "r.json"),
                       "--markdown", str(RESULTS / f"backtest-{name}.md")])
        elapsed = time.monotonic() - started
        if code != 0:
            raise SystemExit(f"backtest of {name} failed with exit code {code}")
        report = json.loads((Path(tmp) / "r.json").read_text())
    return {"scenario": name, "seconds": round(elapsed, 1), "report": report}


if __name__ == "__main__":
    RESULTS.mkdir(parents=True, exist_ok=True)
    figures = {name: run(name) for name in ("small", "standard")}
    (RESULTS / "backtest.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(json.dumps({k: v["seconds"] for k, v in figures.items()}))
