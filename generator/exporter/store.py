"""The last result of every check, shared by the scheduler (writer) and scrapes (readers)."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from generator.exporter.checks import Outcome
from generator.exporter.database import Reason

DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


@dataclass(frozen=True)
class CheckState:
    """Everything exported about one check: last outcome, error counts, latency histogram."""

    outcome: Outcome | None = None
    last_success: float | None = None
    errors: Mapping[Reason, int] = field(default_factory=dict)
    # Non-cumulative counts per bucket; the last slot is +Inf.
    buckets: tuple[int, ...] = (0,) * (len(DURATION_BUCKETS) + 1)
    duration_sum: float = 0.0

    def recorded(self, outcome: Outcome) -> CheckState:
        """A new state with `outcome` added."""
        slot = bisect.bisect_left(DURATION_BUCKETS, outcome.duration)
        buckets = tuple(n + (i == slot) for i, n in enumerate(self.buckets))
        errors = dict(self.errors)
        if outcome.error is not None:
            errors[outcome.error.reason] = errors.get(outcome.error.reason, 0) + 1
        return replace(
            self,
            outcome=outcome,
            errors=errors,
            buckets=buckets,
            duration_sum=self.duration_sum + outcome.duration,
            last_success=outcome.finished_at if outcome.ok else self.last_success,
        )


class ResultStore:
    """Thread-safe map of check id -> CheckState, with a version that changes on every write."""

    def __init__(self, check_ids: Iterable[str]) -> None:
        self._states: dict[str, CheckState] = {cid: CheckState() for cid in check_ids}
        self._version = 0
        self._lock = threading.Lock()

    def record(self, check_id: str, outcome: Outcome) -> None:
        """Store the newest outcome of a check."""
        with self._lock:
            self._states[check_id] = self._states[check_id].recorded(outcome)
            self._version += 1

    def snapshot(self) -> tuple[int, dict[str, CheckState]]:
        """The version and a consistent copy of every state (states themselves are frozen)."""
        with self._lock:
            return self._version, dict(self._states)

    @property
    def version(self) -> int:
        """Increases whenever a result is recorded."""
        with self._lock:
            return self._version
