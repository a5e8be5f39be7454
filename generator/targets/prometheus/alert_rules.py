"""Rules for the non-SLO alert kinds: threshold, tiered, absent, stale, predict, anomaly and
health-check alerts.

An alert whose input is a PromQL expression, not a plain selector, first records that input as
`alert:<service>_<name>:value` and alerts on the recorded series: same evaluation, one more
series, but predict_linear needs no subquery and the generated unit tests can feed the alert's
exact value. The service is in the name, as alert names are unique per service only.

Rule labels never overwrite a label the expression keeps: when an input aggregates by a label
the rule sets (`sum by (service) (...)` with the rule's `service`), the input's value is copied to
`exported_<label>` first, as Prometheus renames a scraped label that clashes with a target label,
and the alert's own templates read `$labels.exported_<label>` for it. Without the copy, two
series that differ only in that label become one after the rule labels apply, and Prometheus
fails the whole rule ("vector contains metrics with the same labelset").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import timedelta

from generator.core import naming, promql_syntax
from generator.core.model import (
    AbsentAlert,
    Alert,
    AnomalyAlert,
    Condition,
    HealthCheckAlert,
    Op,
    PredictAlert,
    Service,
    Severity,
    StaleAlert,
    ThresholdAlert,
    TieredAlert,
    alert_input,
)
from generator.core.promql import (
    compare,
    condition_text,
    dur,
    is_plain_selector,
    num,
    range_of,
    seconds,
)
from generator.targets.prometheus.rules import (
    Rule,
    alert,
    alert_annotations,
    alert_labels,
    exported,
    record,
)

# Subquery resolution for predict_linear over an inlined input expression.
SUBQUERY_STEP = timedelta(minutes=1)


def alert_rules(a: Alert, service: Service, inline_inputs: bool = False) -> list[Rule]:
    """The rules of one alert, in evaluation order (recorded inputs before the alert).

    With `inline_inputs`, the alert reads its input expression directly instead of a recorded
    series: for replaying alerts over a backfilled TSDB, where no rule has recorded anything.
    """
    clashing = clashing_labels(a, service)
    a = _exported_templates(a, clashing)
    if isinstance(a, AnomalyAlert):
        return _anomaly(a, service, clashing)
    raw = input_expr(a)
    series = input_series(a)
    if inline_inputs and series != raw:
        return _alert_rules(a, service, exported(raw, clashing))
    recorded = [] if series == raw else [record(series, exported(raw, clashing))]
    return [*recorded, *_alert_rules(a, service, series)]


def _alert_rules(a: Alert, service: Service, series: str) -> list[Rule]:
    """The alerting rules of every kind that reads one input series."""
    match a:
        case ThresholdAlert():
            return _threshold(a, service, series)
        case HealthCheckAlert():
            return _health_check(a, service, series)
        case TieredAlert():
            return _tiered(a, service, series)
        case AbsentAlert():
            return _absent(a, service, series)
        case StaleAlert():
            return _stale(a, service, series)
        case PredictAlert():
            return _predict(a, service, series)
    raise ValueError(f"{a.kind.value} alerts record their own inputs")


def clashing_labels(a: Alert, service: Service) -> list[str]:
    """Labels the rule sets that the alert's input keeps from its series (sorted)."""
    static = set(alert_labels(service, a.severity, a.labels))
    return sorted(static & promql_syntax.shape(input_expr(a)).kept)


def _exported_templates(a: Alert, labels: list[str]) -> Alert:
    """The alert with its templates reading `$labels.exported_<label>` for every renamed label:
    they were written against the expression's labels."""
    if not labels:
        return a
    pattern = re.compile(r"\$labels\.(" + "|".join(map(re.escape, labels)) + r")\b")

    def fix(text: str) -> str:
        return pattern.sub(lambda m: f"$labels.{naming.EXPORTED_PREFIX}{m.group(1)}", text)

    notes: Mapping[str, str] = {k: fix(v) for k, v in a.annotations.items()}
    return replace(a, summary=fix(a.summary), description=fix(a.description), annotations=notes)


def input_expr(a: Alert) -> str:
    """The PromQL the alert is about, as the spec wrote it."""
    return alert_input(a).strip()


def input_series(a: Alert) -> str:
    """The series the alert rule reads: the selector itself, or the recorded input."""
    raw = input_expr(a)
    if not isinstance(a, AnomalyAlert) and is_plain_selector(raw):
        return raw
    return naming.alert_input_record(a.service, a.name)


def _finish(a: Alert, service: Service, expr: str, value_note: str,
            severity: Severity | None = None, for_: timedelta | None = None,
            extra_notes: dict[str, str] | None = None) -> Rule:
    description = a.description
    if "$value" not in description and value_note:
        description = f"{description.rstrip('.')}. {value_note}"
    notes = alert_annotations(service, a.summary, description, a.runbook,
                              {**(extra_notes or {}), **a.annotations})
    return alert(a.name, expr, a.for_ if for_ is None else for_,
                 alert_labels(service, severity or a.severity, a.labels), notes)


def _value_note(cond: Condition) -> str:
    return f"Value {{{{ $value }}}} is {condition_text(cond)}."


def _threshold(a: ThresholdAlert, service: Service, series: str) -> list[Rule]:
    if a.condition is None:  # as in Prometheus: fires for every series the expression returns
        return [_finish(a, service, series, "Value {{ $value }}.")]
    return [_finish(a, service, compare(series, a.condition), _value_note(a.condition))]


def _health_check(a: HealthCheckAlert, service: Service, series: str) -> list[Rule]:
    # A check whose metric vanished is not running (exporter down, query erroring), which is as
    # much a failed check as a bad value: no data means alerting.
    assert a.condition is not None
    expr = f"{compare(series, a.condition)}\nor absent({series})"
    note = f"Value {{{{ $value }}}} is {condition_text(a.condition)} (1 with no labels: no data)."
    return [_finish(a, service, expr, note)]


def tier_expr(a: TieredAlert, index: int, series: str) -> str:
    """A tier's condition, minus every more severe tier's, so one value fires one tier only."""
    own = compare(series, a.tiers[index].condition)
    worse = [compare(series, t.condition) for t in a.tiers[:index]]
    return " unless ".join([own, *worse])


def _tiered(a: TieredAlert, service: Service, series: str) -> list[Rule]:
    return [_finish(a, service, tier_expr(a, i, series), _value_note(t.condition), t.severity,
                    t.for_)
            for i, t in enumerate(a.tiers)]


def _absent(a: AbsentAlert, service: Service, series: str) -> list[Rule]:
    note = f"No series matched {input_expr(a)} for {dur(a.for_)}." if a.for_ else ""
    return [_finish(a, service, f"absent({series})", note)]


def _stale(a: StaleAlert, service: Service, series: str) -> list[Rule]:
    # A timestamp that never arrived is as stale as an old one.
    ts = series if is_plain_selector(series) else f"({series})"
    expr = f"time() - {ts} > {seconds(a.stale.after)}\nor absent({series})"
    note = (f"Last update {{{{ $value | humanizeDuration }}}} ago (limit {dur(a.stale.after)}; "
            "1s with no labels: never updated).")
    return [_finish(a, service, expr, note)]


def predict_expr(a: PredictAlert, series: str) -> str:
    """Value: the predicted Unix time of the breach, to the second; fires when the prediction
    at the horizon crosses the threshold."""
    p = a.predict
    rng = range_of(series, p.lookback, SUBQUERY_STEP)
    # predict_linear(v, 0) is the regression line's value now and deriv(v) its slope, so the
    # line meets the threshold after (threshold - now) / slope seconds.
    op, threshold = p.condition.op.value, num(p.condition.threshold)
    eta = f"round(time() + ({threshold} - predict_linear({rng}, 0)) / deriv({rng}))"
    will = f"predict_linear({rng}, {seconds(p.within)}) {op} {threshold}"
    return f"{eta}\nand\n{will}"


def _predict(a: PredictAlert, service: Service, series: str) -> list[Rule]:
    p = a.predict
    word = "rise above" if p.condition.op is Op.ABOVE else "fall below"
    note = (f"Trend over {dur(p.lookback)} predicts it will {word} {num(p.condition.threshold)} "
            "at {{ $value | humanizeTimestamp }}.")
    extra = {naming.ANNOTATION_BREACH_TIME: "{{ $value | humanizeTimestamp }}"}
    return [_finish(a, service, predict_expr(a, series), note, extra_notes=extra)]


def _anomaly(a: AnomalyAlert, service: Service, clashing: list[str]) -> list[Rule]:
    an = a.anomaly
    value, mean, stddev = naming.anomaly_records(a.service, a.name, an.baseline)
    w = dur(an.baseline)
    z = f"({value} - {mean}) / {stddev}"
    expr = {"above": f"{z} > {num(an.zscore)}", "below": f"{z} < -{num(an.zscore)}",
            "both": f"abs({z}) > {num(an.zscore)}"}[an.direction]
    note = (f"z-score {{{{ $value | printf \"%.2f\" }}}} against the {w} baseline "
            f"(limit {num(an.zscore)}, {an.direction}).")
    return [
        record(value, exported(an.expr, clashing)),
        record(mean, f"avg_over_time({value}[{w}])"),
        record(stddev, f"stddev_over_time({value}[{w}])"),
        _finish(a, service, expr, note),
    ]
