"""SLO specs: the SLI (events, latency, availability, raw or threshold), time-slice budgets
and burn-rate alerting."""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, ConfigDict, Field, model_validator

from generator.core.kinds import Severity
from generator.specfile.models.base import SpecModel
from generator.specfile.types import (
    AlertName,
    Duration,
    Identifier,
    LabelName,
    MetricName,
    Objective,
    PositiveDuration,
    PromQL,
    WindowQuery,
)


class EventsSli(SpecModel):
    """Ratio of events: `good` or `bad` over `total`, each a PromQL template with `{{window}}`."""

    good: WindowQuery | None = None
    bad: WindowQuery | None = None
    total: WindowQuery

    @model_validator(mode="after")
    def _good_or_bad(self) -> EventsSli:
        if (self.good is None) == (self.bad is None):
            raise ValueError("give exactly one of good or bad, beside total")
        return self


class LatencySli(SpecModel):
    """Share of requests faster than a threshold, read from a Prometheus histogram."""

    histogram: MetricName = Field(description="Histogram base name, without `_bucket`.")
    selector: str = Field(default="", description='Label matchers, like `{job="checkout"}`.')
    below: PositiveDuration = Field(description="Latency threshold; must be one of the buckets.")
    le: str | None = Field(
        default=None, description="The bucket's `le` label exactly as exported; by default "
        "every spelling of `below` in seconds matches (`1`, `1.0`, `1e+00`)."
    )


class AvailabilitySli(SpecModel):
    """Share of time a target is up, from Prometheus's `up` series."""

    selector: str = Field(description='Label matchers for `up`, like `{job="checkout"}`.')


class RawSli(SpecModel):
    """A precomputed error ratio (0 to 1), as Sloth's `raw` SLI: one PromQL template.

    It carries no event counts, so windows longer than 5m are the time average of the recorded
    5m ratios: a quiet hour weighs as much as a busy one (events SLIs weight by traffic)."""

    error_ratio: WindowQuery


class ThresholdOp(StrEnum):
    """How a threshold SLI's value compares with its threshold when the sample is good."""

    LT = "lt"
    LTE = "lte"
    GT = "gt"
    GTE = "gte"


class ThresholdSli(SpecModel):
    """A value (a gauge, a quantile) compared with a threshold, as OpenSLO's thresholdMetric:
    sampled every `every` (aligned to the epoch), a sample is good when `query op value`, and
    the error ratio is the share of bad samples. Like a raw ratio it is time-averaged."""

    query: PromQL
    op: ThresholdOp
    value: float
    every: PositiveDuration = Field(default="1m", validate_default=True)


class SliSpec(SpecModel):
    """Exactly one kind of service level indicator."""

    events: EventsSli | None = None
    latency: LatencySli | None = None
    availability: AvailabilitySli | None = None
    raw: RawSli | None = None
    threshold: ThresholdSli | None = None
    group_by: list[LabelName] = Field(
        default_factory=list,
        description="One SLO value per combination of these labels (Pyrra's grouping): the "
        "rules, burn-rate alerts (one per group, labelled) and panels (a legend per group) "
        "keep them. Latency and availability SLIs aggregate `by` them; events SLIs must keep "
        "them in `bad`/`good` and `total` (`sum by (route) (...)`), which alone also groups. "
        "A group label the SLO's own rules set (service, team, slo, slo_id) is kept as "
        "`exported_<label>`.")

    @model_validator(mode="after")
    def _exactly_one(self) -> SliSpec:
        kinds = ("events", "latency", "availability", "raw", "threshold")
        given = [k for k in kinds if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of events, latency, availability, raw or "
                             "threshold")
        return self


class BurnWindowSpec(SpecModel):
    """One multiwindow burn-rate condition: long and short window, budget share or factor."""

    long: PositiveDuration
    short: PositiveDuration
    budget_percent: float | None = Field(
        default=None, gt=0, le=100, description="Share of the budget spent in `long` that alerts."
    )
    burn_rate: float | None = Field(default=None, gt=0, description="Burn-rate factor, if fixed.")

    @model_validator(mode="after")
    def _check(self) -> BurnWindowSpec:
        if (self.budget_percent is None) == (self.burn_rate is None):
            raise ValueError("give exactly one of budget_percent or burn_rate")
        if self.short >= self.long:
            raise ValueError("short window must be shorter than the long window")
        return self


class BurnAlertSpec(SpecModel):
    """A burn-rate alert level (page or ticket)."""

    enabled: bool = True
    severity: Severity | None = None
    windows: list[BurnWindowSpec] | None = Field(
        default=None, description="Override the Google SRE workbook windows."
    )
    for_: Duration | None = Field(default=None, alias="for")
    keep_firing_for: Duration | None = Field(
        default=None, description="Keep the alert firing this long after its condition last "
        "held (Prometheus 2.42+), so a burn that dips under the factor for a few minutes (a "
        "noisy short window at night) stays one notification; 0s turns it off. Default: "
        "slo_alerting.<level>.keep_firing_for of the global file.")
    sustained: bool | None = Field(
        default=None, description="Short windows longer than 5m read the median of their 5m "
        "rates (the burn held for half the window; a 1-2 minute spike does not count), and a "
        "page pair's long window must have burned the budget over half its span; false: plain "
        "means. Default: slo_alerting.<level>.sustained of the global file (true).")
    labels: dict[LabelName, str] = Field(
        default_factory=dict, description="Labels of this level's alert only (e.g. a routing key); "
        "they win over alerting.labels.")
    annotations: dict[str, str] = Field(
        default_factory=dict, description="Annotations of this level's alert only; they win over "
        "alerting.annotations.")
    mttd: PositiveDuration | None = Field(
        default=None, description="Mean-time-to-detect target: worst-case time to notify must fit.")

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)


class AbsentAlertSpec(SpecModel):
    """The alert for an SLI whose series disappeared (exporter gone, metric renamed): without
    it the SLO silently has no error ratio, no budget and no burn-rate alert."""

    enabled: bool = True
    for_: Duration = Field(default="10m", alias="for", validate_default=True,
                           description="How long the SLI's total series must be missing.")
    severity: Severity = Severity.WARNING

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False,
                              populate_by_name=True)


class SloAlertingSpec(SpecModel):
    """Burn-rate alerting options of one SLO."""

    name: AlertName | None = Field(default=None, description="Alert name; derived if omitted.")
    page: BurnAlertSpec = Field(default_factory=BurnAlertSpec)
    ticket: BurnAlertSpec = Field(default_factory=BurnAlertSpec)
    labels: dict[LabelName, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    absent: AbsentAlertSpec = Field(
        default_factory=AbsentAlertSpec,
        description="Alert `<Service><Slo>SLIAbsent` when the SLI's total series is missing "
                    "for `for` (on by default).")


class TimeslicesSpec(SpecModel):
    """Budget counted in time slices (OpenSLO Timeslices): the objective is the share of good
    slices, a slice being good when its own good ratio reaches `slice_objective`. Without
    `slice_objective`, the SLI is the mean of the slices' ratios (OpenSLO RatioTimeslices).
    Slices are aligned to multiples of `slice` since the Unix epoch, as Prometheus subqueries
    are; a slice without traffic counts as good (and is left out of a mean ratio). Rates over
    one slice need two samples in it: scrape at least twice per slice."""

    slice: PositiveDuration = Field(default="1m", validate_default=True)
    slice_objective: Objective | None = None

    @model_validator(mode="after")
    def _divides_base(self) -> TimeslicesSpec:
        base = 300_000
        millis = round(self.slice.total_seconds() * 1000)
        if millis > base or base % millis:
            raise ValueError("slice must divide 5m evenly, like 30s, 1m or 5m: slogen records "
                             "each 5m of slices and builds every longer window from those")
        return self


class CalendarSpec(SpecModel):
    """A budget that resets at calendar boundaries instead of rolling: calendar months (UTC),
    or periods as long as the SLO window (at most 7d) counted from `start`. The SLO-window
    ratio and the budget remaining then cover the current period only; burn-rate alerts stay
    rolling."""

    months: bool = False
    start: AwareDatetime | None = None

    @model_validator(mode="after")
    def _one(self) -> CalendarSpec:
        if self.months == (self.start is not None):
            raise ValueError("give months: true, or start: the time a period begins (like "
                             "2024-01-01T00:00:00Z), not both")
        return self


class SloSpec(SpecModel):
    """One service level objective."""

    name: Identifier
    description: str = ""
    objective: Objective
    window: PositiveDuration = Field(default="30d", validate_default=True)
    sli: SliSpec
    timeslices: TimeslicesSpec | None = None
    calendar: CalendarSpec | None = None

    @model_validator(mode="after")
    def _calendar_fits(self) -> SloSpec:
        days = self.window.total_seconds() / 86400
        if self.calendar is not None and self.calendar.months and not 28 <= days <= 31:
            raise ValueError("calendar months need a window of 28d to 31d (the budget's "
                             "nominal length), like 30d")
        if self.calendar is not None and not self.calendar.months and days > 7:
            raise ValueError("calendar periods longer than 7d are not offered: the ratio since "
                             "the period began reads every 5m block of it per evaluation; use "
                             "calendar months or a rolling window")
        return self
    alerting: SloAlertingSpec = Field(default_factory=SloAlertingSpec)
    labels: dict[LabelName, str] = Field(default_factory=dict)
