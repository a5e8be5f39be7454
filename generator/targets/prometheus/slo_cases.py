"""Generated unit-test cases for SLOs: burn-rate alerts, and long windows against raw queries.

Burn-rate cases feed the two recorded 5m series directly (their recording rules yield nothing
because the raw SLI series are not fed), so every longer window is computed by the rules under
test. Window cases feed raw counters instead and compare each recorded long-window ratio with
the same ratio computed from the raw counters over the whole window.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from generator.core import naming
from generator.core.model import BurnWindow, Service, SliKind, Slo
from generator.core.promql import dur, selector
from generator.core.windows import BASE, recorded_windows, slo_window_ratio, window_ratio
from generator.targets.dump import FlowList, FlowMap
from generator.targets.prometheus.rules import Rule
from generator.targets.prometheus.slo_rules import (
    LEVELS,
    absent_alerts,
    level_windows,
    slo_alerts,
    slo_labels,
)
from generator.targets.prometheus.testseries import (
    INTERVAL,
    Case,
    check,
    constant,
    expected,
    metric_names,
    piecewise,
    range_selectors,
    samples,
    sequence,
    series_key,
    series_name,
    spell_once,
)

SPIKE_START = timedelta(minutes=10)
# No errors this long before the fast tier's case jumps, so that no other window fires.
FAST_QUIET = timedelta(hours=6)
SPIKE_SAMPLES = 5
# Raw counters for the window proof: rates change at these times, away from every window edge
# at the check time, so the 5m averages at the edges are exact.
WINDOW_CHECK_AT = timedelta(days=1, hours=2)
RATE_CHANGES = (timedelta(hours=8), timedelta(hours=22))
WINDOW_TOLERANCE = "1e-9"
PARTIAL_TOLERANCE = "1e-3"
_ACTION = re.compile(r"{{.*?}}")


def rule_shape(slo: Slo, service: Service, alerts: list[Rule] | None = None,
               text: Hashable | None = None) -> Hashable:
    """What an SLO's alert rules (`alerts`, computed if not given) look like without its names
    and numbers: SLI kind, burn-rate tiers, and each rule's `for`, label names and the template
    actions of its labels and annotations. SLOs of one shape differ only in what their rules
    spell out literally (`text`: their `text_shape`, when known)."""
    if text is None:
        text = text_shape(slo_alerts(slo, service) if alerts is None else alerts)
    return (slo.sli.kind, tuple((w.level, w.factor, w.long, w.short, w.for_, w.severity,
                                 w.keep_firing_for, w.sustained) for w in slo.burn_windows),
            text)


def text_shape(alerts: list[Rule]) -> Hashable:
    """What alerting rules render, their literal text left out: each rule's `for`,
    `keep_firing_for`, label names and the template actions of its labels and annotations.
    Alerts of one text shape render their labels and texts from the same templates (numbers
    such as the objective or the factors are literal text)."""
    return tuple((r.get("for"), r.get("keep_firing_for"), _actions(r.get("labels", {})),
                  _actions(r.get("annotations", {}))) for r in alerts)


def _actions(texts: Mapping[str, str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Each key with the template actions of its text, the literal text left out."""
    return tuple((k, tuple(_ACTION.findall(v)) if "{{" in v else ())
                 for k, v in sorted(texts.items()))


def slo_cases(slo: Slo, service: Service, step: timedelta, full: bool = True,
              edges: bool = True, alerts: list[Rule] | None = None,
              spell: bool | None = None) -> list[Case]:
    """The burn-rate and SLI-absent cases of an SLO (`burn_cases`, `absent_cases`), on its
    alerting rules `alerts` (computed if not given).

    Each alert's labels and texts are spelled out once, in the first case that shows it firing,
    and only with `spell` (default: `full`; no earlier SLO has the `text_shape`): every other
    check counts the firing alerts per severity, and a case that spells out no alert feeds
    series that carry only the SLO id the rules select them by (their other labels only reach
    the alerts' labels and texts)."""
    spell = full if spell is None else spell
    rules = slo_alerts(slo, service) if alerts is None else alerts
    if not spell:  # counted: only each alert's name and severity are read
        rules = [{"alert": r["alert"], "labels": {"severity": r["labels"]["severity"]}}
                 for r in rules]
    burn = {r["labels"]["severity"]: r for r in rules if r["alert"] == slo.alert_name}
    absent = [r for r in rules if slo.absent is not None and r["alert"] == slo.absent.name]
    cases = burn_cases(slo, service, step, full, edges, absent[0] if absent else None, burn)
    hosted = any(absent and absent[0]["alert"] in c.alertnames() for c in cases)
    cases += absent_cases(slo, service, step, silent=not hosted,
                          rule=absent[0] if absent else None)
    cases = spell_once(cases) if spell else [c.counting() for c in cases]
    return _reading(slo, service, cases)


def burn_cases(slo: Slo, service: Service, step: timedelta, full: bool = True,
               edges: bool = True, absent: Rule | None = None,
               rules: dict[str, Rule] | None = None) -> list[Case]:
    """Each level fires after exactly its `for` above its lowest factor and not just under it;
    a 5-minute spike and missing data stay silent; the SLI-absent alert `absent` stays silent
    in the first level's case, whose feed runs past its `for`.

    The fast page tier and keep_firing_for are checked by counting the firing alerts, whose
    labels and texts the level cases spell out. Without `full` (another SLO of the same rule
    shape has the full cases), the spike and missing data, which depend on the shape alone,
    are left to that SLO. Without `edges` (another SLO has the same rules but for its id),
    only the firing is checked, a level that fires in an earlier level's case in that case
    alone: staying silent under the factor, the fast page tier and keep_firing_for are left to
    that SLO."""
    if not slo.burn_windows:
        return []
    if rules is None:
        rules = {r["labels"]["severity"]: r for r in slo_alerts(slo, service)
                 if r.get("alert") == slo.alert_name}
    feeds: list[_Level] = []
    under: _Level | None = None  # the previous level's feed just under its factor
    shown: set[str] = set()  # severities an earlier level's case shows firing
    for level in LEVELS:
        windows = level_windows(slo, level)
        # Without edges, a level that fires in an earlier level's case needs no case of its own.
        if not windows or (not edges and windows[0].severity.value in shown):
            continue
        floor = min(w.factor for w in windows) * slo.error_budget
        over = min(1.0, _round(floor * 1.5))
        at = windows[0].for_
        claim = f"{slo.alert_name} {level} fires after exactly {dur(at)}"
        if over > floor and under is not None and under.ratio > floor:
            # The previous level's feed just under its factor is above this level's: this
            # level fires there, after exactly its `for`.
            under.until = max(under.until, at + step)
            under.checks += _timed_checks(slo, service, rules, under.ratio, at, step)
            under.name += f"; {claim}"
        elif over > floor:
            feed = _Level(over, at + step, _timed_checks(slo, service, rules, over, at, step),
                          claim)
            if absent is not None and not feeds and slo.absent is not None:
                feed.until = max(feed.until, slo.absent.for_ + step)
                feed.checks.append(check(slo.absent.for_ + step, absent["alert"], []))
                feed.name += f"; {absent['alert']} stays silent while the SLI has data"
            feeds.append(feed)
            shown |= {str(a["exp_labels"]["severity"])
                      for a in _firing(slo, service, rules, over, at)}
        if not edges:
            continue
        ratio = _round(floor * 0.9)
        under = _Level(ratio, at + step, [check(at + step, slo.alert_name,
                                                _firing(slo, service, rules, ratio, at + step))],
                       f"{slo.alert_name} {level} stays silent just under its factor")
        feeds.append(under)
    cases = [Case(f.name, _feed(slo, service, constant(f.ratio, f.until), samples(f.until)),
                  f.checks) for f in feeds]
    if full:
        cases += _spike_case(slo, service, step)
    if edges:
        cases += [*_fast_tier_case(slo, service, rules, step),
                  *_keep_firing_cases(slo, service, rules)]
    if full:
        cases.append(Case(f"{slo.alert_name} stays silent without data", [],
                          [check(max(w.for_ for w in slo.burn_windows) + step, slo.alert_name,
                                 [])]))
    return cases


@dataclass
class _Level:
    """A level case's feed: a constant error ratio until a time, the checks made on it."""

    ratio: float
    until: timedelta
    checks: list[dict[str, Any]]
    name: str


def _round(ratio: float) -> float:
    """A fed ratio to 6 significant digits: exact enough for every threshold a case tests
    (half a factor away or more), and short to write."""
    return float(f"{ratio:.6g}")


def _reading(slo: Slo, service: Service, cases: list[Case]) -> list[Case]:
    """`cases` reading the recorded 5m series they feed, and the raw SLI metrics: a case
    feeding those records the series these cases feed. A case that spells out no alert's
    labels feeds series carrying the SLO id alone."""
    fed = [s["series"] for s in _feed(slo, service, "0", 1)]
    short = {name: series_name(name.split("{", 1)[0], {naming.LABEL_SLO_ID: slo.id})
             for name in fed}
    for case in cases:
        if not any(a["exp_alerts"] for a in case.alerts):
            case.series = [{**s, "series": short.get(s["series"], s["series"])}
                           for s in case.series]
    reads = {series_key(name) for name in fed}
    reads |= metric_names(slo.sli.errors("5m")) | metric_names(slo.sli.total("5m"))
    for case in cases:
        case.reads = set(reads)
    return cases


def absent_cases(slo: Slo, service: Service, step: timedelta, silent: bool = True,
                 rule: Rule | None = None) -> list[Case]:
    """The SLI-absent alert (`rule`, computed if not given) fires after exactly its `for`
    without data, and (`silent`) stays silent while the SLI has data."""
    rules = absent_alerts(slo, service) if rule is None else [rule]
    if not rules or slo.absent is None:
        return []
    rule, after = rules[0], slo.absent.for_
    name = rule["alert"]
    fired = check(after, name, [expected(rule, {naming.LABEL_SLO_ID: slo.id}, 1.0)])
    checks = [fired] if after < step else [check(after - step, name, []), fired]
    cases = [Case(f"{name} fires after exactly {dur(after)} without data", [], checks)]
    if silent:
        cases.append(Case(f"{name} stays silent while the SLI has data",
                          _feed(slo, service, constant(0.0, after + step), samples(after + step)),
                          [check(after + step, name, [])]))
    return cases


def _feed(slo: Slo, service: Service, errors: str, count: int) -> list[dict[str, str]]:
    """Bad events per second as given, one event per second in all, for `count` samples."""
    errors_name, total_name = _fed_names(slo.id, slo.name, service.name, service.team)
    return [{"series": errors_name, "values": errors},
            {"series": total_name, "values": f"1+0x{count}"}]


@functools.lru_cache(maxsize=256)
def _fed_names(slo_id: str, slo: str, service: str, team: str) -> tuple[str, str]:
    """The recorded 5m error and total series of an SLO (its `slo_labels`), as fed."""
    labels = {naming.LABEL_SLO_ID: slo_id, naming.LABEL_SLO: slo,
              naming.LABEL_SERVICE: service, naming.LABEL_TEAM: team}
    return (series_name(naming.errors_record(BASE), labels),
            series_name(naming.total_record(BASE), labels))


def _firing(slo: Slo, service: Service, rules: dict[str, Rule], ratio: float,
            at: timedelta) -> list[dict[str, Any]]:
    """Alerts firing at `at` when every window's error ratio has been `ratio` from time 0."""
    out = []
    for level in LEVELS:
        windows = level_windows(slo, level)
        if windows and any(ratio > w.factor * slo.error_budget for w in windows) \
                and at >= windows[0].for_:
            out.append(_expected(rules[windows[0].severity.value], slo, service, ratio))
    return out


def _expected(rule: Rule, slo: Slo, service: Service, ratio: float) -> dict[str, Any]:
    """The alert `rule` fires for the SLO's series with `ratio`; a counted rule (its name and
    severity alone, `slo_cases`) gives its severity alone, all a count reads."""
    if "annotations" not in rule:
        return {"exp_labels": FlowMap(severity=rule["labels"]["severity"]),
                "exp_annotations": {}}
    return expected(rule, slo_labels(slo, service), ratio)


def _timed_checks(slo: Slo, service: Service, rules: dict[str, Rule], ratio: float,
                  at: timedelta, step: timedelta) -> list[dict[str, Any]]:
    checks = [check(at, slo.alert_name, _firing(slo, service, rules, ratio, at))]
    if at >= step:
        checks.insert(0, check(at - step, slo.alert_name,
                               _firing(slo, service, rules, ratio, at - step)))
    return checks


def _keep_firing_cases(slo: Slo, service: Service, rules: dict[str, Rule]) -> list[Case]:
    """A level with `keep_firing_for` still fires that long after its condition last held, and
    resolves after it. The burn stops with the traffic: windows holding burning samples keep
    their ratio (no new events dilute it), windows holding none read 0/0 and stop matching, so
    the condition ends when the level's longest matching short window has passed the burn, and
    the alert's value (that of its last true evaluation) is the burn's ratio."""
    cases = []
    for level in LEVELS:
        windows = level_windows(slo, level)
        keep = windows[0].keep_firing_for if windows else timedelta(0)
        # Below this the check times could not tell the hold from the condition's own end.
        if keep <= BASE + 2 * INTERVAL:
            continue
        ratio = min(1.0, round(min(w.factor for w in windows) * slo.error_budget * 1.5, 6))
        burning = [w for w in windows if ratio > w.factor * slo.error_budget]
        if not burning:
            continue
        stop = max(windows[0].for_, *(w.short for w in slo.burn_windows))
        low, high = _condition_end(burning, stop)
        still, gone = low + keep - INTERVAL, high + keep + INTERVAL
        others = [w for w in slo.burn_windows if w.level != level]
        other = _kept_firing(slo, service, rules, others, ratio, stop, (still, gone))
        if other is None:
            continue  # the other level resolves too close to a check time to predict
        rule = rules[windows[0].severity.value]
        fired = _expected(rule, slo, service, ratio)
        after = samples(gone + INTERVAL) - samples(stop)
        labels = slo_labels(slo, service)
        feed = [{"series": series_name(naming.errors_record(BASE), labels),
                 "values": f"{constant(ratio, stop)} 0+0x{after}"},
                {"series": series_name(naming.total_record(BASE), labels),
                 "values": f"{constant(1.0, stop)} 0+0x{after}"}]
        cases.append(Case(
            f"{slo.alert_name} {level} keeps firing {dur(keep)} after its burn stops",
            feed, [check(still, slo.alert_name, [fired, *other[0]]),
                   check(gone, slo.alert_name, other[1])]))
    return cases


def _condition_end(burning: list[BurnWindow], stop: timedelta) -> tuple[timedelta, timedelta]:
    """Bounds of the last time the condition of `burning` holds when the burn and the traffic
    stop at `stop`: a short window of 5m or less stops at once; a longer one once it has passed
    the burn, which its 5m rates reach up to 5m early, or, sustained (the median of its 5m
    rates, windows.sustained_ratio), once more than half of its samples are from after it."""
    ends = [(stop, stop)]
    for w in burning:
        if w.short > BASE and w.sustained:
            ends.append((stop + w.short / 2 - 2 * INTERVAL, stop + w.short / 2 + 2 * INTERVAL))
        elif w.short > BASE:
            ends.append((stop + w.short - BASE - INTERVAL, stop + w.short + INTERVAL))
    return max(low for low, _ in ends), max(high for _, high in ends)


def _kept_firing(slo: Slo, service: Service, rules: dict[str, Rule], windows: list[BurnWindow],
                 ratio: float, stop: timedelta, times: tuple[timedelta, timedelta],
                 ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]] | None:
    """The alerts of the other level firing at each of `times` in _keep_firing_cases' feed;
    None when that level could resolve around either time."""
    burning = [w for w in windows if ratio > w.factor * slo.error_budget]
    if not burning or burning[0].for_ > stop:
        return [], []
    low, high = _condition_end(burning, stop)
    keep = burning[0].keep_firing_for
    if any(low + keep < t <= high + keep for t in times):
        return None
    fired = [_expected(rules[burning[0].severity.value], slo, service, ratio)]
    firing = [fired if t <= low + keep else [] for t in times]
    return firing[0], firing[1]


def _fast_tier_case(slo: Slo, service: Service, rules: dict[str, Rule],
                    step: timedelta) -> list[Case]:
    """A page tier whose long window is the 5m base fires at the first evaluation after the 5m
    error ratio jumps past its factor, after quiet hours, while no longer window could yet."""
    found = _fast_tier(slo.burn_windows, slo.error_budget, step)
    if found is None:
        return []
    tier, ratio = found
    at = FAST_QUIET + tier.for_
    rule = rules[tier.severity.value]
    feed = f"0+0x{samples(FAST_QUIET - INTERVAL) - 1} {constant(ratio, tier.for_ + step)}"
    count = samples(FAST_QUIET - INTERVAL) + samples(tier.for_ + step)
    return [Case(f"{slo.alert_name} page fires {dur(at - FAST_QUIET)} after the 5m ratio "
                 f"passes {tier.factor:g}x, before the longer windows fill",
                 _feed(slo, service, feed, count),
                 [check(FAST_QUIET - step, slo.alert_name, []),
                  check(at, slo.alert_name, [_expected(rule, slo, service, ratio)])])]


@functools.lru_cache(maxsize=1024)
def _fast_tier(windows: tuple[BurnWindow, ...], budget: float,
               step: timedelta) -> tuple[BurnWindow, float] | None:
    """The fast page tier and the ratio its case feeds, or None when it has none or another
    pair would fire on that feed too. It depends on the burn policy alone: computed once per
    policy, budget and step, whichever SLOs share them."""
    fast = [w for w in windows if w.level == "page" and w.long <= BASE]
    if not fast:
        return None
    tier = fast[0]
    ratio = min(1.0, round(tier.factor * budget * 1.2, 6))
    if ratio <= tier.factor * budget:
        return None
    values = [0.0] * samples(FAST_QUIET - INTERVAL) + [ratio] * samples(tier.for_ + step)
    replay = _Replay(values)
    last = replay.last(FAST_QUIET + tier.for_)
    # The long window here is the mean of its last samples, the window's length in samples.
    if any(_holds(w, budget, replay, last, replay.mean(last, int(w.long / INTERVAL)))
           for w in windows if w is not tier):
        return None
    return tier, ratio


class _Replay:
    """5m error ratios (one event per second) and what the burn conditions read from them:
    means from running sums, medians from a sliding sorted window, each computed once."""

    def __init__(self, values: list[float]) -> None:
        self.values = values
        self.sums = [0.0, *itertools.accumulate(values)]
        self._medians: dict[int, list[float]] = {}

    def last(self, t: timedelta) -> int:
        """Index of the sample read at `t`."""
        return min(int(t / INTERVAL), len(self.values) - 1)

    def mean(self, last: int, count: int) -> float:
        """Mean of the `count` samples up to `last` (fewer at the start)."""
        first = max(0, last - count + 1)
        return (self.sums[last + 1] - self.sums[first]) / (last + 1 - first)

    def median(self, last: int, count: int) -> float:
        """Median of the `count` samples up to `last`, as statistics.median computes it."""
        medians = self._medians.get(count)
        if medians is None:
            medians = self._medians[count] = _rolling_medians(self.values, count)
        return medians[last]


def _rolling_medians(values: list[float], count: int) -> list[float]:
    """The median of each run of `count` values ending at each index (fewer at the start)."""
    window: list[float] = []
    out = []
    for i, v in enumerate(values):
        bisect.insort(window, v)
        if i >= count:
            del window[bisect.bisect_left(window, values[i - count])]
        half = len(window) // 2
        out.append(window[half] if len(window) % 2 else (window[half - 1] + window[half]) / 2)
    return out


def _holds(w: BurnWindow, budget: float, replay: _Replay, last: int, long: float) -> bool:
    """Whether pair `w` holds at sample `last` of the replayed 5m ratios, its long window's
    ratio given: a short window of 5m or less is the 5m ratio then; a longer one the mean over
    it, or sustained the median, with a page pair's long window's median above the budget."""
    limit = w.factor * budget
    if not long > limit:
        return False
    if w.short <= BASE:
        short = replay.values[last]
    elif not w.sustained:
        short = replay.mean(last, int(w.short / INTERVAL))
    else:
        short = replay.median(last, int(w.short / INTERVAL))
        if w.level == "page" and replay.median(last, int(w.long / INTERVAL)) <= budget:
            return False
    return short > limit


def _spike_case(slo: Slo, service: Service, step: timedelta) -> list[Case]:
    spike = _spike(slo.burn_windows, slo.error_budget, step)
    if spike is None:
        return []
    feed, count, horizon = spike
    peak = SPIKE_START + INTERVAL * SPIKE_SAMPLES
    return [Case(f"{slo.alert_name} stays silent on a 5-minute spike",
                 _feed(slo, service, feed, count),
                 [check(peak, slo.alert_name, []), check(horizon, slo.alert_name, [])])]


@functools.lru_cache(maxsize=1024)
def _spike(windows: tuple[BurnWindow, ...], budget: float,
           step: timedelta) -> tuple[str, int, timedelta] | None:
    """The spike case's error series, its sample count and last check time, or None when some
    pair fires on it. It depends on the burn policy alone: replayed once per policy, budget and
    step, whichever SLOs share them."""
    top = max(w.factor for w in windows)
    height = min(1.0, 2 * top * budget)
    short = max(w.short for w in windows)
    peak = SPIKE_START + INTERVAL * SPIKE_SAMPLES
    first = int(SPIKE_START / INTERVAL)
    values = [height if first <= i < first + SPIKE_SAMPLES else 0.0
              for i in range(samples(peak + short + step))]
    # Replayed in Python until the spike has left every short window (after which no pair can
    # fire); promtool checks the peak and the longest `for` after it, which keeps the test short.
    if _ever_fires(windows, budget, values, peak + short + step, step):
        return None
    horizon = peak + max(w.for_ for w in windows) + step
    return sequence(values), len(values), horizon


def _ever_fires(windows: tuple[BurnWindow, ...], budget: float, values: list[float],
                horizon: timedelta, step: timedelta) -> bool:
    """Replay the rules: a long window's ratio at t is the mean of the samples in [t - w, t],
    a short window's as `_holds` reads it."""
    replay = _Replay(values)
    t = timedelta(0)
    while t <= horizon:
        last = replay.last(t)
        for w in windows:
            if _holds(w, budget, replay, last, replay.mean(last, int(w.long / INTERVAL) + 1)):
                return True
        t += step
    return False


def window_cases(slo: Slo, service: Service, inline: bool,
                 full: bool = True) -> tuple[list[Case], str | None]:
    """The long-window ratios, recorded or (`inline`) computed as the alerts and dashboards do,
    equal the raw queries over the window, or a note why the SLO cannot be checked that way.
    Without `full`, only the windows `proved_windows` keeps for it."""
    if slo.sli.kind is SliKind.TIMESLICES:
        return [], f"{slo.id}: time-slice ratios are averaged over long windows"
    if slo.sli.kind is SliKind.THRESHOLD:
        return [], f"{slo.id}: threshold samples are averaged over long windows"
    if slo.sli.kind is SliKind.RAW:
        # By design: a raw ratio's long windows average 5m ratios, the raw query does not.
        return [], f"{slo.id}: raw error ratios are time-averaged over long windows"
    if slo.sli.kind is SliKind.AVAILABILITY:
        # count_over_time ranges are closed at both ends, so adjacent 5m windows share a sample.
        return [], f"{slo.id}: availability ratios count boundary samples twice in 5m windows"
    if "_over_time(" in slo.sli.errors("5m") + slo.sli.total("5m"):
        # Same reason: sum_over_time, avg_over_time and kin read a sample on each edge, which
        # two adjacent 5m windows share (imported gauges and Pyrra's bool gauges use them).
        return [], f"{slo.id}: _over_time ratios count boundary samples twice in 5m windows"
    if "histogram_count(" in slo.sli.total("5m"):
        return [], f"{slo.id}: native histograms cannot be written as promtool test series"
    selectors = range_selectors(slo.sli.errors("5m")) + range_selectors(slo.sli.total("5m"))
    if not selectors or not all(s.exact for s in selectors):
        return [], f"{slo.id}: its SLI matchers have no sample value slogen can pick"
    series = _raw_series(selectors)
    sel = selector({naming.LABEL_SLO_ID: slo.id})
    exprs = []
    recorded = recorded_windows(slo, inline)
    for w in proved_windows(slo, inline, full):
        raw = f"({slo.sli.errors(dur(w))}) / ({slo.sli.total(dur(w))})"
        ours = _ours(slo, w, sel, recorded, inline)
        # A window longer than the test's history holds only part of its span: the raw query
        # averages what there is, the derived ratio lets the older part's average stand for
        # the whole older span (see core/windows.py), a slightly different weight for the
        # newest 5m. Exact where the window is full; within a relative bound where it is not.
        check = (f"abs({ours} - on() ({raw})) < {WINDOW_TOLERANCE}" if w <= WINDOW_CHECK_AT
                 else f"abs({ours} / on() ({raw}) - 1) < {PARTIAL_TOLERANCE}")
        exprs.append({
            "expr": f"count({check})",
            "eval_time": dur(WINDOW_CHECK_AT),
            "exp_samples": FlowList([FlowMap(labels="{}", value=1)]),
        })
    reads = {s.metric for s in selectors} | {
        series_key(series_name(naming.errors_record(BASE), slo_labels(slo, service))),
        series_key(series_name(naming.total_record(BASE), slo_labels(slo, service)))}
    return [Case(f"{slo.id}: long-window ratios equal the raw queries", series,
                 exprs=exprs, reads=reads)], None


def proved_windows(slo: Slo, inline: bool, full: bool = True) -> list[timedelta]:
    """Every window the alerts or dashboards read, whether the rules record it or not; without
    `full` (another SLO's proof covers the same expressions, `window_shape`), only those the
    rules record for this SLO, or else the shortest, so its own rules still meet raw counters."""
    # A calendar SLO's own window covers the current period, not a rolling range.
    windows = [w for w in recorded_windows(slo, inline=False)
               if w != BASE and not (slo.calendar is not None and w == slo.window)]
    if full:
        return windows
    # The SLO window is always recorded: as its ratio, or (inline) in budget remaining.
    recorded = {*recorded_windows(slo, inline), slo.window}
    return [w for w in windows if w in recorded] or windows[:1]


def window_shape(slo: Slo, inline: bool) -> Hashable:
    """The long-window expressions of an SLO with its selector left out: SLOs of one window
    shape compute every window alike, so one proof of the inline ones stands for all. The SLO
    window is left out too: every SLO proves its own (`proved_windows`), so SLOs whose budgets
    or SLO windows differ share the proof of the windows the burn rates read."""
    recorded = recorded_windows(slo, inline)
    return (slo.sli.kind, tuple(_ours(slo, w, "{}", recorded, inline)
                                for w in proved_windows(slo, inline) if w != slo.window))


def _ours(slo: Slo, window: timedelta, sel: str, recorded: list[timedelta], inline: bool) -> str:
    """The error ratio over `window` as alerts and dashboards read it (the SLO window's from
    budget remaining when inline)."""
    if window == slo.window:
        return slo_window_ratio(slo, sel, inline)
    return _window_ratio(window, sel, tuple(recorded), slo.step)


# The same windows read alike in every SLO of a window shape: built once per selector.
_window_ratio = functools.lru_cache(maxsize=4096)(window_ratio)


def _raw_series(selectors: list[Any]) -> list[dict[str, str]]:
    by_metric: dict[str, list[dict[str, str]]] = {}
    for s in selectors:
        sets = by_metric.setdefault(s.metric, [])
        if dict(s.labels) not in sets:
            sets.append(dict(s.labels))
    out: list[dict[str, str]] = []
    for metric, sets in sorted(by_metric.items()):
        names = sorted({k for labels in sets for k in labels})
        # One series per matcher set, and one that only the matcher-less selectors see.
        wanted = [labels for labels in sets if labels] + [{k: "other" for k in names}]
        for labels in wanted:
            out.append(_counter(metric, labels, len(out)))
    return out


def _counter(metric: str, labels: dict[str, str], index: int) -> dict[str, str]:
    return {"series": series_name(metric, labels), "values": _counter_values(index)}


@functools.lru_cache(maxsize=64)
def _counter_values(index: int) -> str:
    """The samples of the `index`th raw counter of a window proof (its rates change at
    RATE_CHANGES)."""
    bounds = [timedelta(0), *RATE_CHANGES, WINDOW_CHECK_AT]
    counts = [int((b - a) / INTERVAL) for a, b in zip(bounds, bounds[1:], strict=False)]
    rates = (10 * (index + 1), 25 * (index + 1) + 3, 5 * (index + 1) + 7)
    return piecewise(1_000_000, list(zip(rates, counts, strict=True)))
