"""A scrape target for several services at once: request counters by route and code, an error
counter, a queue gauge, and a latency histogram whose bucket labels are spelled as client
libraries spell them (`le="1.0"`, as client_python writes), all growing with wall-clock time.

Prometheus scrapes it once per service job with `?service=NAME`; the job label comes from the
scrape config, the exposition never sets it (it would become `exported_job`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import parse_qs, urlparse

from tests.scrape_target import scrape_target

ROUTES = ("/home", "/search")
REQUESTS_PER_SECOND = 100.0
ERROR_SHARE = 0.1  # 10% of requests fail: every availability SLO burns its budget
# Share of requests at or under each bucket bound, as client_python spells the bound.
BUCKETS = (("0.5", 0.9), ("1.0", 0.97), ("2.5", 0.99), ("+Inf", 1.0))
ERRORS_PER_SECOND = 50.0
QUEUE_DEPTH = 500


def exposition(service: str, elapsed: float) -> str:
    """The text exposition of one service `elapsed` seconds after start."""
    total = REQUESTS_PER_SECOND * elapsed
    lines = ["# TYPE shop_requests_total counter"]
    for route in ROUTES:
        for code, share in (("200", 1 - ERROR_SHARE), ("500", ERROR_SHARE)):
            lines.append(f'shop_requests_total{{service="{service}",route="{route}",'
                         f'code="{code}"}} {total * share:.3f}')
    lines.append("# TYPE shop_request_duration_seconds histogram")
    count = total * len(ROUTES)
    for le, share in BUCKETS:
        lines.append(f'shop_request_duration_seconds_bucket{{service="{service}",le="{le}"}} '
                     f"{count * share:.3f}")
    lines.append(f'shop_request_duration_seconds_count{{service="{service}"}} {count:.3f}')
    lines.append(f'shop_request_duration_seconds_sum{{service="{service}"}} {count * 0.2:.3f}')
    lines.append("# TYPE shop_errors_total counter")
    lines.append(f'shop_errors_total{{service="{service}"}} {ERRORS_PER_SECOND * elapsed:.3f}')
    lines.append("# TYPE shop_queue_depth gauge")
    lines.append(f'shop_queue_depth{{service="{service}",queue="orders"}} {QUEUE_DEPTH}')
    return "\n".join(lines) + "\n"


@contextmanager
def shop_exporter() -> Iterator[int]:
    """Serve the exposition on a free loopback port while the context lasts; yield the port."""
    started = time.monotonic()

    def exposition_now(path: str) -> str:
        service = parse_qs(urlparse(path).query).get("service", ["unknown"])[0]
        return exposition(service, 1000 + time.monotonic() - started)

    with scrape_target(exposition_now) as port:
        yield port
