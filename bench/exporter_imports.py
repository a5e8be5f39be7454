"""What each import of the exporter process costs: resident memory and Python allocations.

Run in a fresh interpreter (`python bench/exporter_imports.py [--tracemalloc]`): imports the
modules a `slogen exporter` process loads, in the order it loads them, and prints one JSON list
of {module, rss_mib (after), rss_delta_mib, python_kib (tracemalloc, with --tracemalloc)}.
"""

from __future__ import annotations

import importlib
import json
import sys
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# The entry point, then what serving pulls in, then each driver on its own.
STEPS = (
    "generator.__main__",
    "generator.commands.exporter",
    "http.server",
    "prometheus_client",
    "ruamel.yaml",
    "generator.exporter.config",
    "generator.exporter.database",
    "generator.exporter.collector",
    "generator.exporter.server",
    "generator.exporter.scheduler",
    "psycopg",
    "pymysql",
)


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(trace: bool) -> None:
    """Import every step and print its cost."""
    if trace:
        tracemalloc.start()
    rows = [{"module": "(interpreter)", "rss_mib": round(_rss_mib(), 1)}]
    for name in STEPS:
        before_rss = _rss_mib()
        before_py = tracemalloc.get_traced_memory()[0] if trace else 0
        importlib.import_module(name)
        row: dict[str, object] = {"module": name, "rss_mib": round(_rss_mib(), 1),
                                  "rss_delta_mib": round(_rss_mib() - before_rss, 1)}
        if trace:
            row["python_kib"] = round((tracemalloc.get_traced_memory()[0] - before_py) / 1024)
        rows.append(row)
    print(json.dumps(rows))


if __name__ == "__main__":
    main("--tracemalloc" in sys.argv[1:])
