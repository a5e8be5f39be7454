"""Concurrent keep-alive scrapes of one URL: wrk when installed, else a threaded Python client."""

from __future__ import annotations

import http.client
import re
import shutil
import statistics
import subprocess
import threading
import time
from typing import Any
from urllib.parse import urlsplit

_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def run_load(
    url: str, connections: int, seconds: float, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    """p50/p99 latency in ms, scrapes per second and the scrape count over `seconds` with
    `connections` keep-alive clients sending `headers`."""
    wrk = shutil.which("wrk")
    if wrk is not None:
        return _wrk(wrk, url, connections, seconds, headers or {})
    return _python(url, connections, seconds, headers or {})


def _wrk(
    wrk: str, url: str, connections: int, seconds: float, headers: dict[str, str]
) -> dict[str, Any]:
    extra = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
    out = subprocess.run([wrk, "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                          "--latency", *extra, url],
                         capture_output=True, text=True, check=True).stdout
    percentiles = {int(p): float(v) * _UNITS_MS[u]
                   for p, v, u in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)}
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), "
                              r"timeout (\d+)", out)
    errors = int(bad.group(1)) if bad else 0
    if socket_errors:
        errors += sum(int(x) for x in socket_errors.groups())
    if rate is None or total is None or 50 not in percentiles or 99 not in percentiles:
        raise RuntimeError(f"cannot read wrk output:\n{out}")
    return {"p50_ms": round(percentiles[50], 3), "p99_ms": round(percentiles[99], 3),
            "scrapes_per_second": round(float(rate.group(1)), 1), "scrapes": int(total.group(1)),
            "errors": errors, "load_generator": "wrk"}


def _python(
    url: str, connections: int, seconds: float, headers: dict[str, str]
) -> dict[str, Any]:
    parts = urlsplit(url)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def scraper() -> None:
        conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            start = time.perf_counter()
            try:
                conn.request("GET", parts.path or "/", headers=headers)
                reply = conn.getresponse()
                reply.read()
                if reply.status != 200:
                    raise OSError(f"status {reply.status}")
            except (OSError, http.client.HTTPException):
                with lock:
                    errors[0] += 1
                conn.close()
                continue
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=scraper) for _ in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cuts = statistics.quantiles(latencies, n=100)
    return {"p50_ms": round(cuts[49] * 1000, 3), "p99_ms": round(cuts[98] * 1000, 3),
            "scrapes_per_second": round(len(latencies) / seconds, 1), "scrapes": len(latencies),
            "errors": errors[0],
            "load_generator": "python-threads"}
