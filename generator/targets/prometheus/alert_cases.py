"""Generated unit-test cases for non-SLO alerts: each fires after exactly its `for`, stays silent
at the threshold, while flapping and (unless missing data is what it detects) without data.

Inputs feed the series the alert rule reads: the selector itself, or the recorded
`alert:<name>:value` input, whose recording rule yields nothing because its raw series are not fed.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from datetime import timedelta

from generator.core.model import (
    AbsentAlert,
    Alert,
    AnomalyAlert,
    AnomalyRule,
    Condition,
    HealthCheckAlert,
    Op,
    PredictAlert,
    Service,
    StaleAlert,
    ThresholdAlert,
    TieredAlert,
)
from generator.core.promql import dur
from generator.targets.prometheus.alert_rules import alert_rules, input_expr, input_series
from generator.targets.prometheus.gotemplate import Unsupported
from generator.targets.prometheus.rules import Rule
from generator.targets.prometheus.testseries import (
    INTERVAL,
    Case,
    check,
    constant,
    expected,
    metric_names,
    parse_selector,
    samples,
    sequence,
    series_name,
    spell_once,
    template_labels,
)

# The flapping case spells out every sample; past about a month of `for` at the input interval
# it would cost seconds and megabytes per alert (a hostile `for: 200y`, hours), so it is left
# out there: the fire-after-`for` and silent-at-threshold cases still run.
MAX_FLAP_SAMPLES = 50_000


@dataclass(frozen=True)
class Subject:
    """An alert under test: its rules, the series it reads, labels to feed, the eval step."""

    alert: Alert
    rules: list[Rule]
    metric: str
    labels: dict[str, str]
    step: timedelta

    @property
    def alert_rules(self) -> list[Rule]:
        """Only the alerting rules (tiers give several)."""
        return [r for r in self.rules if "alert" in r]

    def feed(self, values: str) -> dict[str, str]:
        """An input series of the alert's input with `values`."""
        return {"series": series_name(self.metric, self.labels), "values": values}

    def fires(self, rule: Rule, value: float,
              labels: dict[str, str] | None = None) -> dict[str, object]:
        """The alert `rule` fires for the fed series with `value`."""
        return expected(rule, self.labels if labels is None else labels, value)


def alert_cases(a: Alert, service: Service, step: timedelta) -> tuple[list[Case], str | None]:
    """Test cases for one alert, or a note saying why it has none."""
    rules = alert_rules(a, service)
    selector = parse_selector(input_series(a))
    if selector is None or not selector.exact:
        return [], (f"{a.name}: its input {input_series(a)} has matchers no sample value "
                    "slogen can pick satisfies")
    texts = [v for r in rules for v in r.get("annotations", {}).values()]
    labels = dict(selector.labels)
    for name in sorted(template_labels(texts) - set(labels)):
        labels[name] = f"test-{name}"
    subject = Subject(a, rules, selector.metric, labels, step)
    try:
        cases = spell_once(_cases(subject, a))
    except Unsupported as exc:
        return [], f"{a.name}: {exc}"
    reads = {selector.metric} | metric_names(input_expr(a))
    for rec in service.recordings:  # an alert on a user recording depends on its inputs too
        if rec.record == selector.metric:
            reads |= metric_names(rec.expr)
    for case in cases:
        case.reads = set(reads)
    return cases, None


def _firing_checks(s: Subject, rule: Rule, active: timedelta, for_: timedelta, value: float,
                   labels: dict[str, str] | None = None) -> list[dict[str, object]]:
    name = s.alert.name
    fired = check(active + for_, name, [s.fires(rule, value, labels)])
    if for_ < s.step:
        return [fired]
    return [check(active + for_ - s.step, name, []), fired]


def _fire_value(cond: Condition) -> float:
    if cond.op is Op.ABOVE:
        return cond.threshold * 2 if cond.threshold > 0 else cond.threshold + 1
    if cond.op is Op.BELOW:
        return cond.threshold / 2 if cond.threshold > 0 else cond.threshold - 1
    if cond.op is Op.EQUALS:
        return cond.threshold
    assert cond.high is not None
    return cond.high * 2 if cond.high > 0 else cond.high + 1


def _quiet_value(cond: Condition) -> float:
    # The threshold itself: `> t` and `< t` are false there, the tightest silent value.
    if cond.op is Op.EQUALS:
        return cond.threshold + 1
    return cond.threshold


def _common(s: Subject, cond: Condition, for_: timedelta, fire: float,
            rule: Rule) -> list[Case]:
    name, horizon = s.alert.name, for_ + s.step
    cases = [
        Case(f"{name} fires after exactly {dur(for_)}",
             [s.feed(constant(fire, horizon))], _firing_checks(s, rule, timedelta(0), for_, fire)),
        Case(f"{name} stays silent at the threshold",
             [s.feed(constant(_quiet_value(cond), horizon))], [check(horizon, name, [])]),
    ]
    if for_ >= INTERVAL and samples(horizon) <= MAX_FLAP_SAMPLES:
        flap = [fire if i % 2 == 0 else _quiet_value(cond) for i in range(samples(horizon))]
        cases.append(Case(f"{name} stays silent while flapping",
                          [s.feed(sequence(flap))], [check(horizon, name, [])]))
    return cases


def _cases(s: Subject, a: Alert) -> list[Case]:
    match a:
        case ThresholdAlert():
            return _threshold(s, a)
        case HealthCheckAlert():
            return _health_check(s, a)
        case TieredAlert():
            return _tiered(s, a)
        case AbsentAlert():
            return _absent(s, a)
        case StaleAlert():
            return _stale(s, a)
        case PredictAlert():
            return _predict(s, a)
        case AnomalyAlert():
            return _anomaly(s, a)


def _threshold(s: Subject, a: ThresholdAlert) -> list[Case]:
    cond = a.condition
    if cond is None:  # fires for any series the expression returns
        rule = s.alert_rules[0]
        cases = [Case(f"{s.alert.name} fires after exactly {dur(s.alert.for_)}",
                      [s.feed(constant(1.0, s.alert.for_ + s.step))],
                      _firing_checks(s, rule, timedelta(0), s.alert.for_, 1.0))]
    else:
        cases = _common(s, cond, s.alert.for_, _fire_value(cond), s.alert_rules[0])
    # Without data the condition is never true, so one evaluation shows it.
    return [*cases, Case(f"{s.alert.name} stays silent without data", [],
                         [check(timedelta(0), s.alert.name, [])])]


def _health_check(s: Subject, a: HealthCheckAlert) -> list[Case]:
    cond = a.condition
    assert cond is not None
    rule = s.alert_rules[0]
    cases = _common(s, cond, s.alert.for_, _fire_value(cond), rule)
    parsed = parse_selector(input_series(s.alert))
    absent_labels = dict(parsed.equal) if parsed else {}
    return [*cases, Case(f"{s.alert.name} fires without data after exactly {dur(s.alert.for_)}",
                         [], _firing_checks(s, rule, timedelta(0), s.alert.for_, 1.0,
                                            absent_labels))]


def _tiered(s: Subject, a: TieredAlert) -> list[Case]:
    cases = []
    horizon = max(t.for_ for t in a.tiers) + s.step
    for i, (tier, rule) in enumerate(zip(a.tiers, s.alert_rules, strict=True)):
        worse = [t.condition.threshold for t in a.tiers[:i]]
        value = _fire_value(tier.condition)
        if worse:  # inside this tier's band, between its threshold and the next worse one
            value = (tier.condition.threshold + worse[-1]) / 2
        checks = _firing_checks(s, rule, timedelta(0), tier.for_, value)
        # Still alone once every other tier's `for` has passed too.
        checks.append(check(horizon, a.name, [s.fires(rule, value)]))
        cases.append(Case(f"{a.name} {tier.severity.value} fires alone after exactly "
                          f"{dur(tier.for_)}", [s.feed(constant(value, horizon))], checks))
    mildest = a.tiers[-1]
    cases.append(Case(f"{a.name} stays silent at the mildest threshold",
                      [s.feed(constant(_quiet_value(mildest.condition), horizon))],
                      [check(horizon, a.name, [])]))
    cases.append(Case(f"{a.name} stays silent without data", [],
                      [check(timedelta(0), a.name, [])]))
    return cases


def _absent(s: Subject, a: AbsentAlert) -> list[Case]:
    rule = s.alert_rules[0]
    parsed = parse_selector(input_series(a))
    labels = dict(parsed.equal) if parsed else {}
    horizon = a.for_ + s.step
    return [
        Case(f"{a.name} fires after exactly {dur(a.for_)} without data", [],
             _firing_checks(s, rule, timedelta(0), a.for_, 1.0, labels)),
        Case(f"{a.name} stays silent while data arrives", [s.feed(constant(1, horizon))],
             [check(horizon, a.name, [])]),
    ]


def _stale(s: Subject, a: StaleAlert) -> list[Case]:
    rule = s.alert_rules[0]
    after = a.stale.after
    active = after + s.step  # time() - 0 first exceeds `after` at the next evaluation
    horizon = active + a.for_
    parsed = parse_selector(input_series(a))
    absent_labels = dict(parsed.equal) if parsed else {}
    fresh = f"0+{int(INTERVAL.total_seconds())}x{samples(horizon)}"
    return [
        Case(f"{a.name} fires {dur(a.for_)} after the timestamp is {dur(after)} old",
             [s.feed(constant(0, horizon))],
             _firing_checks(s, rule, active, a.for_, horizon.total_seconds())),
        Case(f"{a.name} stays silent while the timestamp is fresh", [s.feed(fresh)],
             [check(horizon, a.name, [])]),
        Case(f"{a.name} fires after exactly {dur(a.for_)} without data", [],
             _firing_checks(s, rule, timedelta(0), a.for_, 1.0, absent_labels)),
    ]


def _predict(s: Subject, a: PredictAlert) -> list[Case]:
    rule = s.alert_rules[0]
    p = a.predict
    threshold, within = p.condition.threshold, p.within.total_seconds()
    slope = 1.0 if p.condition.op is Op.ABOVE else -1.0  # per second
    # Start half a horizon short of the threshold: the trend crosses it at time within/2, and
    # predict_linear says so from the second sample on (one minute in).
    start = threshold - slope * within / 2
    active = INTERVAL
    horizon = active + a.for_ + s.step
    step = slope * INTERVAL.total_seconds()
    rising = f"{_num(start)}{'+' if step > 0 else '-'}{_num(abs(step))}x{samples(horizon)}"
    flat = threshold - slope
    return [
        Case(f"{a.name} fires after exactly {dur(a.for_)} on a trend crossing within "
             f"{dur(p.within)}", [s.feed(rising)],
             _firing_checks(s, rule, active, a.for_, within / 2)),
        Case(f"{a.name} stays silent on a flat series just short of the threshold",
             [s.feed(constant(flat, horizon))], [check(horizon, a.name, [])]),
        Case(f"{a.name} stays silent without data", [], [check(timedelta(0), a.name, [])]),
    ]


def _anomaly(s: Subject, a: AnomalyAlert) -> list[Case]:
    rule = s.alert_rules[0]
    an = a.anomaly
    # The jump comes a full baseline in, at a time both the input interval and step divide.
    jump_at = an.baseline + _lcm(INTERVAL, s.step)
    base = int(jump_at / INTERVAL)
    normal = [1.0 if i % 2 == 0 else 3.0 for i in range(base)]
    check_at = jump_at + a.for_
    values = _runaway(normal, s, an, check_at)
    if values is None:
        raise Unsupported("no test input keeps its z-score above the limit for its `for`")
    z = _zscore(values, check_at, an.baseline)
    cases = [Case(f"{a.name} fires after exactly {dur(a.for_)} on a run away from its baseline",
                  [s.feed(sequence(values))],
                  _firing_checks(s, rule, jump_at, a.for_, z))]
    if an.zscore > 1:  # the alternating baseline itself has a z-score of 1
        cases.append(Case(f"{a.name} stays silent on its usual variation",
                          [s.feed(sequence(normal + normal[:samples(a.for_ + s.step)]))],
                          [check(check_at, a.name, [])]))
    return cases


def _runaway(normal: list[float], s: Subject, an: AnomalyRule,
             until: timedelta) -> list[float] | None:
    """Normal values followed by a geometric run that keeps the z-score above the limit at every
    step until `until` (a constant jump soon becomes part of its own baseline)."""
    sign = -1.0 if an.direction == "below" else 1.0
    start = int((until - s.alert.for_) / INTERVAL)
    count = samples(s.alert.for_ + s.step)
    for growth in (2.0, 4.0, 8.0, 16.0):
        values = normal + [2.0 + sign * 10 * an.zscore * growth ** i for i in range(count)]
        t = INTERVAL * start
        while t <= until and sign * _zscore(values, t, an.baseline) > an.zscore:
            t += s.step
        if t > until:
            return values
    return None


def _zscore(values: list[float], at: timedelta, baseline: timedelta) -> float:
    # Prometheus ranges are closed at both ends in version 2: [at - baseline, at].
    last = int(at / INTERVAL)
    first = max(0, last - int(baseline / INTERVAL))
    window = values[first:last + 1]
    mean = statistics.fmean(window)
    return (values[last] - mean) / statistics.pstdev(window)


def _lcm(a: timedelta, b: timedelta) -> timedelta:
    x, y = int(a / _MS), int(b / _MS)
    return _MS * (x * y // math.gcd(x, y))


def _num(value: float) -> str:
    return f"{value:g}" if abs(value) < 1e15 else repr(value)


_MS = timedelta(milliseconds=1)
