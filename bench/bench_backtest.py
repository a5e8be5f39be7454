"""Backtest the shipped scenario set: writes bench/results/backtest.{json,md} and the run time.

Also prints the detection-speed comparison of issue 17: SLO alerts against the naive
`error ratio > 1% for 5m` alert (ErrorRateElevated in bench/scenarios/specs) on fast outages.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import scenarios  # noqa: E402
from generator.cli import main as slogen  # noqa: E402

RESULTS = ROOT / "bench" / "results"
SHIPPED = ("standard",)
NAIVE = "shop/ErrorRateElevated/warning"


def run(names: tuple[str, ...], markdown: Path) -> tuple[dict[str, Any], float]:
    """Generate the scenarios, backtest them together, return the report and elapsed time."""
    with tempfile.TemporaryDirectory() as tmp:
        argv = ["backtest", "--specs", str(scenarios.SPECS_DIR), "--json",
                str(Path(tmp) / "r.json"), "--markdown", str(markdown)]
        for name in names:
            series, incidents = scenarios.write(scenarios.SCENARIOS[name], Path(tmp) / name)
            argv += ["--series", str(series), "--incidents", str(incidents)]
        started = time.monotonic()
        code = slogen(argv)
        elapsed = time.monotonic() - started
        if code != 0:
            raise SystemExit(f"backtest of {names} failed with exit code {code}")
        return json.loads((Path(tmp) / "r.json").read_text()), elapsed


def speed(report: dict[str, Any]) -> dict[str, Any]:
    """Median delay on outages: the SLO alerts (earliest of them) against the naive alert."""
    slo: dict[str, float] = {}
    naive: dict[str, float] = {}
    for s in report["scenarios"]:
        for a in s["alerts"]:
            key = f"{a['service']}/{a['alert']}/{a['severity']}"
            for e in a["episodes"]:
                if e["delay_s"] is None or not e["incident"].startswith("outage"):
                    continue
                name = f"{s['name']}/{e['incident']}"
                if a["approach"] == "SLO burn rate":
                    slo[name] = min(slo.get(name, e["delay_s"]), e["delay_s"])
                elif key == NAIVE:
                    naive[name] = e["delay_s"]
    return {"slo_median_s": statistics.median(slo.values()) if slo else None,
            "naive_median_s": statistics.median(naive.values()) if naive else None,
            "outages": len(slo), "slo_delays_s": slo, "naive_delays_s": naive}


if __name__ == "__main__":
    RESULTS.mkdir(parents=True, exist_ok=True)
    report, seconds = run(SHIPPED, RESULTS / "backtest.md")
    figures = {"scenarios": list(SHIPPED), "seconds": round(seconds, 1),
               "fast_outages": speed(report), "by_approach": report["by_approach"],
               "by_approach_and_kind": report["by_approach_and_kind"]}
    (RESULTS / "backtest.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    print(json.dumps({"seconds": figures["seconds"], **{
        k: v for k, v in figures["fast_outages"].items() if k.endswith("median_s")}}))
