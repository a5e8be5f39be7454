"""SLO status from live data: SLI over the window, budget left, burn rates, firing alerts.

Computed from the model's SLI queries (errors and total over a window), so the answer does not
depend on slogen's recording rules being loaded. `measure_*` query Prometheus; the rest is pure.

Burn conditions follow the alert rules (targets/prometheus/slo_rules.burn_expr): a sustained
pair's short window longer than 5m burns by the median of its 5m error and total rates, and a
sustained page pair's long window must also have its median above the budget's ratio
(core/windows.sustained_ratio). The medians are read from the raw SLI queries over 5m, stepped
at the SLO's evaluation step, as the rules read their recorded 5m rates. The burn rates shown
per window stay the plain means.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta

from generator.core.durations import format_duration
from generator.core.model import BurnWindow, Service, Slo
from generator.core.windows import BASE, RANGE_TRIM
from generator.live.client import PrometheusClient

FIRING_ALERTS = 'ALERTS{alertstate="firing"}'
# The step of the medians for SLIs averaged sample by sample (no rate step of their own): the
# default evaluation interval.
DEFAULT_STEP = timedelta(seconds=30)


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
    # Burn rates of the medians of the 5m rates (see `sustained`): the short window's, and the
    # long window's for a page pair; None where not measured or no data.
    short_median: float | None = None
    long_median: float | None = None

    @property
    def sustained(self) -> bool:
        """Whether the short window burns by its median, as the alert rule reads it."""
        return sustained_short(self.window)

    @property
    def long_gated(self) -> bool:
        """Whether the long window's median must also exceed the budget (burn rate 1)."""
        return self.sustained and self.window.level == "page"

    @property
    def active(self) -> bool | None:
        """True when both windows burn faster than the factor, False when either is known not
        to (a quiet short window cannot make a burn), None when that depends on missing data.
        A sustained pair compares the short window's median, and a sustained page pair also
        needs its long window's median above the budget, as the alert rule does."""
        factor = self.window.factor
        short = self.short_median if self.sustained else self.short_burn
        checks: list[tuple[float | None, float]] = [(self.long_burn, factor), (short, factor)]
        if self.long_gated:
            checks.append((self.long_median, 1.0))
        if any(b is not None and b <= limit for b, limit in checks):
            return False
        return None if any(b is None for b, _ in checks) else True


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


def sustained_short(window: BurnWindow) -> bool:
    """Whether the alert rule reads the short window of `window` as a median of 5m rates."""
    return window.sustained and window.short > BASE


def median_windows_of(slo: Slo) -> list[timedelta]:
    """Windows whose median of 5m rates the burn conditions of `slo` need."""
    found: set[timedelta] = set()
    for bw in slo.burn_windows:
        if sustained_short(bw):
            found.add(bw.short)
            if bw.level == "page":
                found.add(bw.long)
    return sorted(found)


def windows_of(slo: Slo) -> list[timedelta]:
    """Every window the status of `slo` needs: the SLO window and each burn window."""
    found = {slo.window}
    for bw in slo.burn_windows:
        found.update((bw.long, bw.short))
    return sorted(found)


def compute(slo: Slo, ratios: Mapping[timedelta, Ratio], firing: Sequence[str],
            medians: Mapping[timedelta, Ratio] | None = None) -> SloStatus:
    """The status of `slo` from measured ratios per window, the medians of the 5m rates per
    window (`median_windows_of`; missing ones are no data) and its firing alert names."""
    budget = slo.error_budget

    def burn(found: Mapping[timedelta, Ratio], window: timedelta) -> float | None:
        ratio = found.get(window, Ratio(None, None)).error_ratio
        return None if ratio is None else ratio / budget

    def median_burn(window: timedelta) -> float | None:
        # A median all-event rate of 0 (traffic stopped for half the window) is 0/0 in the
        # rule, whose condition then does not hold.
        total = (medians or {}).get(window, Ratio(None, None)).total
        return 0.0 if total is not None and total <= 0 else burn(medians or {}, window)

    rates = {w: burn(ratios, w) for w in windows_of(slo)}
    burns = tuple(
        BurnStatus(bw, rates[bw.long], rates[bw.short],
                   median_burn(bw.short) if sustained_short(bw) else None,
                   median_burn(bw.long) if sustained_short(bw) and bw.level == "page" else None)
        for bw in slo.burn_windows)
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


def median_queries(slo: Slo, window: timedelta) -> tuple[str, str]:
    """Median over `window` of the 5m bad-event and all-event rates of `slo`, from the raw SLI
    stepped at the SLO's evaluation step: what `windows.sustained_ratio` reads from the
    recorded 5m rates (the same range, one millisecond short of the window)."""
    base = format_duration(BASE)
    span = f"[{format_duration(window - RANGE_TRIM)}:{format_duration(slo.step or DEFAULT_STEP)}]"
    return (f"quantile_over_time(0.5, ({slo.sli.errors(base)}){span})",
            f"quantile_over_time(0.5, ({slo.sli.total(base)}){span})")


def measure_median(client: PrometheusClient, slo: Slo, window: timedelta, at: float) -> Ratio:
    """Medians of the 5m bad and all events of `slo` over `window` at time `at`."""
    errors, total = median_queries(slo, window)
    return Ratio(_scalar(client, errors, at), _scalar(client, total, at))


def measure_firing(client: PrometheusClient, at: float) -> list[dict[str, str]]:
    """Label sets of the alerts firing at `at` (from the ALERTS series)."""
    return [dict(s.labels) for s in client.query(FIRING_ALERTS, at)]


def measure_slo(
    client: PrometheusClient, slo: Slo, at: float, firing: Sequence[Mapping[str, str]]
) -> SloStatus:
    """Query everything the status of `slo` needs and compute it."""
    ratios = {w: measure_ratio(client, slo, w, at) for w in windows_of(slo)}
    medians = {w: measure_median(client, slo, w, at) for w in median_windows_of(slo)}
    return compute(slo, ratios, alerts_for(slo, firing), medians)


def _scalar(client: PrometheusClient, expr: str, at: float) -> float | None:
    """The value of a query meant to return one series; several are summed, none is None."""
    samples = client.query(expr, at)
    if not samples:
        return None
    return sum(s.value for s in samples)
