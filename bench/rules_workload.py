"""Workload of the rules benchmark: synthetic SLO specs, the same SLOs as Sloth-style rules,
their history in OpenMetrics (raw counters, and the recorded series the rules read back over
time), and an exporter that continues the counters live.

Every SLO reads one of SOURCES sets of raw counters (10 instances x 2 status codes = 20 series);
SLO i reads set i % SOURCES, so 1,000 SLOs evaluate against as many raw samples per rule as 100
do, without a thousand-fold backfill. Counter values are a function of time, so history and live
scrapes join up.
"""

from __future__ import annotations

import http.server
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SOURCES = 100
INSTANCES = 10
RATES = {"200": 10.0, "500": 0.02}  # events per second per instance
EPOCH = 1_600_000_000
METRIC = "bench_requests_total"
JOB = "bench"
OBJECTIVE = 99.9
SLOTH_WINDOWS = ("5m", "30m", "1h", "2h", "6h", "1d", "3d")


def slo_name(i: int) -> str:
    """Name of synthetic SLO i."""
    return f"s{i:04d}"


def source(i: int) -> str:
    """Raw-counter set SLO i reads."""
    return f"src{i % SOURCES:03d}"


def write_specs(spec_dir: Path, count: int) -> None:
    """A global file and one service file declaring `count` event SLOs."""
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "_global.yaml").write_text("version: slogen/v1\n", encoding="utf-8")
    lines = ["version: slogen/v1", "service: bench", "team: bench", "slos:"]
    for i in range(count):
        sel = f'source="{source(i)}"'
        lines += [
            f"  - name: {slo_name(i)}",
            f"    objective: {OBJECTIVE}",
            "    sli:",
            "      events:",
            f"        bad: 'sum(rate({METRIC}{{{sel}, code=\"500\"}}[{{{{window}}}}]))'",
            f"        total: 'sum(rate({METRIC}{{{sel}}}[{{{{window}}}}]))'",
        ]
    (spec_dir / "bench.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def sloth_rules(count: int) -> str:
    """The same SLOs as Sloth's documented output: every alert window's error ratio from the raw
    counters, the 30d ratio from the recorded 5m ratio, metadata rules and two alerts."""
    out = ["groups:"]
    budget = round(1 - OBJECTIVE / 100, 6)
    for i in range(count):
        name, sel = slo_name(i), f'source="{source(i)}"'
        labels = (f'{{sloth_id: "bench-{name}", sloth_service: "bench", sloth_slo: "{name}"}}')
        ids = f'sloth_id="bench-{name}", sloth_service="bench", sloth_slo="{name}"'
        out += [f"  - name: sloth-slo-sli-recordings-bench-{name}", "    rules:"]
        for w in SLOTH_WINDOWS:
            out += [
                f"      - record: slo:sli_error:ratio_rate{w}",
                f"        expr: (sum(rate({METRIC}{{{sel}, code=\"500\"}}[{w}])))"
                f" / (sum(rate({METRIC}{{{sel}}}[{w}])))",
                f'        labels: {labels[:-1]}, sloth_window: "{w}"}}',
            ]
        out += [
            "      - record: slo:sli_error:ratio_rate30d",
            f"        expr: sum_over_time(slo:sli_error:ratio_rate5m{{{ids}}}[30d])"
            f" / ignoring (sloth_window) count_over_time(slo:sli_error:ratio_rate5m{{{ids}}}[30d])",
            f'        labels: {labels[:-1]}, sloth_window: "30d"}}',
            f"  - name: sloth-slo-meta-recordings-bench-{name}",
            "    rules:",
        ]
        meta = [
            ("slo:objective:ratio", f"vector({OBJECTIVE / 100})"),
            ("slo:error_budget:ratio", f"vector(1-{OBJECTIVE / 100})"),
            ("slo:time_period:days", "vector(30)"),
            ("slo:current_burn_rate:ratio",
             f"slo:sli_error:ratio_rate5m{{{ids}}} / on(sloth_id, sloth_slo, sloth_service) "
             f"group_left slo:error_budget:ratio{{{ids}}}"),
            ("slo:period_burn_rate:ratio",
             f"slo:sli_error:ratio_rate30d{{{ids}}} / on(sloth_id, sloth_slo, sloth_service) "
             f"group_left slo:error_budget:ratio{{{ids}}}"),
            ("slo:period_error_budget_remaining:ratio",
             f"1 - slo:period_burn_rate:ratio{{{ids}}}"),
            ("sloth_slo_info", "vector(1)"),
        ]
        for record, expr in meta:
            out += [f"      - record: {record}", f"        expr: {expr}",
                    f"        labels: {labels}"]
        out += [f"  - name: sloth-slo-alerts-bench-{name}", "    rules:"]
        for severity, pairs in (("page", ((14.4, "1h", "5m"), (6, "6h", "30m"))),
                                ("ticket", ((3, "1d", "2h"), (1, "3d", "6h")))):
            cond = " or ".join(
                f"(max(slo:sli_error:ratio_rate{lg}{{{ids}}} > ({f} * {budget})) without "
                f"(sloth_window) and max(slo:sli_error:ratio_rate{sh}{{{ids}}} > ({f} * {budget}))"
                f" without (sloth_window))" for f, lg, sh in pairs)
            out += [f"      - alert: BenchHighErrorRate{name}", f"        expr: {cond}",
                    f"        labels: {{sloth_severity: {severity}}}"]
    return "\n".join(out) + "\n"


def raw_series() -> list[tuple[str, float]]:
    """(series, rate per second) of every raw counter, as the exporter serves it."""
    return [(f'{METRIC}{{source="src{k:03d}",instance="i{n}",code="{code}"}}', rate * (1 + n / 10))
            for k in range(SOURCES) for n in range(INSTANCES) for code, rate in RATES.items()]


def live_error_ratio() -> float:
    """The error ratio every SLO sees: bad / total events of one source."""
    weights = sum(1 + n / 10 for n in range(INSTANCES))
    return RATES["500"] * weights / (sum(RATES.values()) * weights)


@dataclass(frozen=True)
class Recorded:
    """The history of one recorded series: `name{labels}`, the interval its rule writes it at,
    and values to cycle through (a recorded rate is not constant, and constant samples would
    compress, and decode, unrealistically well)."""

    series: str
    step: int
    values: tuple[str, ...]

    @property
    def name(self) -> str:
        return self.series.split("{", 1)[0]


def jittered(value: float, count: int = 61) -> tuple[str, ...]:
    """`count` values within +-5% of `value`, as sample text."""
    return tuple(f"{value * (1 + 0.05 * (((j * 7919) % 101) - 50) / 50):.6g}"
                 for j in range(count))


def write_history(path: Path, start: int, end: int, step: int,
                  recorded: Sequence[Recorded]) -> int:
    """OpenMetrics text of the history from `start` (a multiple of `step`) to `end`: the raw
    counters as a scrape at `step` would have stored them (the target's job label included),
    and every recorded series at its own interval. Returns the number of samples."""
    raw = [(f"{name[:-1]},job=\"{JOB}\"}} ", rate) for name, rate in raw_series()]
    families: dict[str, list[Recorded]] = {}
    for rec in recorded:
        families.setdefault(rec.name, []).append(rec)
    samples = 0
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"# TYPE {METRIC.removesuffix('_total')} counter\n")
        for t in range(start, end, step):
            ts, age = f" {t}\n", t - EPOCH
            fh.write("".join([f"{prefix}{int(rate * age)}{ts}" for prefix, rate in raw]))
            samples += len(raw)
        for family, members in families.items():
            fh.write(f"# TYPE {family} gauge\n")
            for t in range(start, end, step):
                ts = f" {t}\n"
                due = [r for r in members if t % r.step == 0]
                fh.write("".join([f"{r.series} {r.values[(t // r.step) % len(r.values)]}{ts}"
                                  for r in due]))
                samples += len(due)
        fh.write("# EOF\n")
    return samples


class Exporter:
    """Serves the raw counters at their current values on a loopback port."""

    def __init__(self, port: int) -> None:
        series = raw_series()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                now = time.time()
                body = "".join(f"{name} {int(rate * (now - EPOCH))}\n" for name, rate in series)
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                return

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> Exporter:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
