"""Runs every check on its own interval in its own thread, so a slow one never delays the others."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from generator.exporter.checks import Outcome, run_check
from generator.exporter.config import CheckConfig, ExporterConfig
from generator.exporter.database import Databases
from generator.exporter.store import ResultStore

LOG = logging.getLogger("slogen.exporter")


def open_databases(config: ExporterConfig, env: Mapping[str, str]) -> Databases:
    """Engines for the config's databases; pool waits are bounded by the longest check timeout."""
    longest: dict[str, float] = {}
    for check in config.checks:
        for name in check.databases:
            longest[name] = max(longest.get(name, 0.0), check.timeout_seconds)
    return Databases(config.databases, env, longest)


class Scheduler:
    """Background threads, one per check; `stop()` ends them within a moment."""

    def __init__(self, checks: Sequence[CheckConfig], dbs: Databases, store: ResultStore) -> None:
        self._checks = checks
        self._dbs = dbs
        self._store = store
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        """Start every check now; each then repeats on its interval."""
        for check in self._checks:
            thread = threading.Thread(
                target=self._loop, args=(check,), daemon=True, name=f"check-{check.id}"
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, wait: float = 5.0) -> None:
        """Ask every loop to end and wait up to `wait` seconds in total."""
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=wait / max(1, len(self._threads)))

    def _loop(self, check: CheckConfig) -> None:
        every = check.every / timedelta(seconds=1)
        while not self._stop.is_set():
            outcome = run_check(check, self._dbs)
            _log(check, outcome)
            self._store.record(check.id, outcome)
            # Wait for the rest of the interval; a run longer than the interval starts the next now.
            self._stop.wait(max(0.0, every - outcome.duration))


def run_once(checks: Sequence[CheckConfig], dbs: Databases, workers: int = 8) -> dict[str, Outcome]:
    """Run every check once, in parallel; outcomes by check id."""
    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(checks)))) as pool:
        outcomes = pool.map(lambda c: run_check(c, dbs), checks)
        return {c.id: o for c, o in zip(checks, outcomes, strict=True)}


def _log(check: CheckConfig, outcome: Outcome) -> None:
    if outcome.error is not None:
        LOG.warning(
            "check %s failed (%s): %s", check.id, outcome.error.reason.value, outcome.error.message
        )
    else:
        LOG.debug("check %s ran in %.3fs", check.id, outcome.duration)
