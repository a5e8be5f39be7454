"""SLO status from live data: SLI over the window, budget left, burn rates, firing alerts.

Computed from the model's SLI queries (errors and total over a window), so the answer does not
depend on slogen's recording rules being loaded. `measure_*` query Prometheus; the rest is pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from generator.core.durations import format_duration
from generator.core.model import BurnWindow, Service, Slo
from generator.live.client import PrometheusClient

FIRING_ALERTS = 'ALERTS{alertstate="firing"}'


@dataclass(frozen=True)
class Ratio:
    """Bad and all events over one window, as measured (None: the query returned nothing)."""

    errors: float | None
    total: float | None

    @property
    def error_ratio(self) -> float | None:
        """errors / total; None without traffic. No error series at all counts as no errors."""
        if self.total is None or self.total <= 0:
            return None
        return max(0.0, (self.errors or 0.0) / self.total)


@dataclass(frozen=True)
class BurnStatus:
    """One multiwindow burn condition evaluated on live data."""

    window: BurnWindow
    long_burn: float | None
    short_burn: float | None

    @property
    def active(self) -> bool | None:
        """True when both windows burn faster than the factor, False when either is known not
        to (a quiet short window cannot make a burn), None when that depends on missing data."""
        factor = self.window.factor
        burns = (self.long_burn, self.short_burn)
        if any(b is not None and b <= factor for b in burns):
            return False
        return None if any(b is None for b in burns) else True


@dataclass(frozen=True)
class SloStatus:
    """Where one SLO stands at the evaluation time."""

    slo: Slo
    error_ratio: float | None
    burn_rates: Mapping[timedelta, float | None]
    burns: tuple[BurnStatus, ...]
    firing: tuple[str, ...]

    @property
    def sli(self) -> float | None:
        """Share of good events over the SLO window."""
        return None if self.error_ratio is None else 1.0 - self.error_ratio

    @property
    def budget_remaining(self) -> float | None:
        """Share of the error budget left over the window; negative once overspent."""
        if self.error_ratio is None:
            return None
        return 1.0 - self.error_ratio / self.slo.error_budget

    @property
    def budget_remaining_minutes(self) -> float | None:
        """Budget left as minutes of full outage within the window."""
        left = self.budget_remaining
        window_minutes = self.slo.window.total_seconds() / 60.0
        return None if left is None else left * self.slo.error_budget * window_minutes

    def level_active(self, level: str) -> bool | None:
        """Whether any burn condition of `level` (page, ticket) holds; None if unknown."""
        states = [b.active for b in self.burns if b.window.level == level]
        if any(states):
            return True
        return None if any(s is None for s in states) else False


def windows_of(slo: Slo) -> list[timedelta]:
    """Every window the status of `slo` needs: the SLO window and each burn window."""
    found = {slo.window}
    for bw in slo.burn_windows:
        found.update((bw.long, bw.short))
    return sorted(found)


def compute(slo: Slo, ratios: Mapping[timedelta, Ratio], firing: Sequence[str]) -> SloStatus:
    """The status of `slo` from measured ratios per window and its firing alert names."""
    budget = slo.error_budget

    def burn(window: timedelta) -> float | None:
        ratio = ratios.get(window, Ratio(None, None)).error_ratio
        return None if ratio is None else ratio / budget

    rates = {w: burn(w) for w in windows_of(slo)}
    burns = tuple(BurnStatus(bw, rates[bw.long], rates[bw.short]) for bw in slo.burn_windows)
    main = ratios.get(slo.window, Ratio(None, None)).error_ratio
    return SloStatus(slo, main, rates, burns, tuple(sorted(set(firing))))


def alerts_for(slo: Slo, firing: Iterable[Mapping[str, str]]) -> list[str]:
    """Names of the firing alerts that belong to `slo` (its burn alert, or its slo_id label)."""
    return [
        a.get("alertname", "")
        for a in firing
        if a.get("alertname") == slo.alert_name or a.get("slo_id") == slo.id
    ]


def other_alerts(service: Service, firing: Iterable[Mapping[str, str]]) -> list[str]:
    """Firing non-SLO alerts declared by `service`."""
    names = {a.name for a in service.alerts}
    return sorted({a["alertname"] for a in firing if a.get("alertname") in names})


# --- measuring (network) -----------------------------------------------------------------------


def measure_ratio(client: PrometheusClient, slo: Slo, window: timedelta, at: float) -> Ratio:
    """Query bad and all events of `slo` over `window` at time `at`."""
    text = format_duration(window)
    return Ratio(
        _scalar(client, slo.sli.errors(text), at), _scalar(client, slo.sli.total(text), at)
    )


def measure_firing(client: PrometheusClient, at: float) -> list[dict[str, str]]:
    """Label sets of the alerts firing at `at` (from the ALERTS series)."""
    return [dict(s.labels) for s in client.query(FIRING_ALERTS, at)]


def measure_slo(
    client: PrometheusClient, slo: Slo, at: float, firing: Sequence[Mapping[str, str]]
) -> SloStatus:
    """Query everything the status of `slo` needs and compute it."""
    ratios = {w: measure_ratio(client, slo, w, at) for w in windows_of(slo)}
    return compute(slo, ratios, alerts_for(slo, firing))


def _scalar(client: PrometheusClient, expr: str, at: float) -> float | None:
    """The value of a query meant to return one series; several are summed, none is None."""
    samples = client.query(expr, at)
    if not samples:
        return None
    return sum(s.value for s in samples)
