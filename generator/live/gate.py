"""The deploy gate: evaluate a service's error-budget policy on live data into a verdict.

Verdicts and exit codes: go 0, hold 2, roll back 3, and 4 when data is missing or Prometheus
cannot answer: the gate never says go on missing data. Several findings combine by severity:
roll back, then no data, then hold, then go.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from enum import Enum

from generator.core.durations import format_duration
from generator.core.model import Condition, Op, Policy, RollbackTrigger, Service
from generator.live.client import PrometheusClient
from generator.live.status import SloStatus, measure_firing, measure_slo

MAX_STEP_SECONDS = 15.0


class Verdict(Enum):
    """A gate outcome: its exit code and its rank when findings combine."""

    GO = (0, 0, "go")
    HOLD = (1, 1, "hold")  # 1, not 2: a typo (usage error, 2) must not read as "retry later"
    NO_DATA = (4, 2, "no data")
    ROLLBACK = (3, 3, "roll back")

    @property
    def code(self) -> int:
        """Process exit code."""
        return self.value[0]

    @property
    def label(self) -> str:
        """How the verdict is printed."""
        return self.value[2]


@dataclass(frozen=True)
class Finding:
    """One piece of evidence and what it alone would decide."""

    verdict: Verdict
    message: str
    source: str = ""


def combine(findings: Sequence[Finding]) -> Verdict:
    """The overall verdict: the most severe finding; no findings at all is no data."""
    if not findings:
        return Verdict.NO_DATA
    return max((f.verdict for f in findings), key=lambda v: v.value[1])


def budget_findings(statuses: Sequence[SloStatus], below: float | None) -> list[Finding]:
    """Hold when an SLO has less than `below` percent of its budget left."""
    if below is None:
        return []
    out = []
    for st in statuses:
        left, where = st.budget_remaining, st.slo.source.prefix()
        if left is None:
            out.append(
                Finding(
                    Verdict.NO_DATA,
                    f"{st.slo.id}: no data over {format_duration(st.slo.window)}",
                    where,
                )
            )
        elif left * 100 < below:
            out.append(
                Finding(
                    Verdict.HOLD,
                    f"{st.slo.id}: {left * 100:.1f}% of the error budget "
                    f"left (policy holds below {below:g}%)",
                    where,
                )
            )
        else:
            out.append(
                Finding(
                    Verdict.GO, f"{st.slo.id}: {left * 100:.1f}% of the error budget left", where
                )
            )
    return out


def page_burn_findings(statuses: Sequence[SloStatus]) -> list[Finding]:
    """Hold while any page-level burn condition holds."""
    out = []
    for st in statuses:
        where = st.slo.source.prefix()
        active = [b for b in st.burns if b.window.level == "page" and b.active]
        unknown = [b for b in st.burns if b.window.level == "page" and b.active is None]
        if active:
            b = active[0]
            long, short = format_duration(b.window.long), format_duration(b.window.short)
            if b.long_gated:
                # As the alert reads it: the short window's median, the long window's median
                # above the budget.
                text = (f"{long} {b.long_burn or 0:.1f}x > {b.window.factor:g}x (median "
                        f"{b.long_median or 0:.1f}x > 1x) and {short} median "
                        f"{b.short_median or 0:.1f}x > {b.window.factor:g}x")
            else:
                text = (f"{long} {b.long_burn or 0:.1f}x and {short} "
                        f"{b.short_burn or 0:.1f}x > {b.window.factor:g}x")
            out.append(Finding(Verdict.HOLD, f"{st.slo.id}: page-level burn: {text}", where))
        elif unknown:
            out.append(
                Finding(Verdict.NO_DATA, f"{st.slo.id}: no data for the page burn windows", where)
            )
        else:
            out.append(Finding(Verdict.GO, f"{st.slo.id}: no page-level burn", where))
    return out


def meets(condition: Condition, value: float) -> bool:
    """Whether `value` meets the trigger condition (NaN never does)."""
    if math.isnan(value):
        return False
    if condition.op is Op.ABOVE:
        return value > condition.threshold
    if condition.op is Op.BELOW:
        return value < condition.threshold
    if condition.op is Op.EQUALS:
        return value == condition.threshold
    return value < condition.threshold or value > (condition.high or condition.threshold)


def trigger_finding(
    trigger: RollbackTrigger,
    points: Sequence[tuple[float, float]],
    at: float,
    step: float,
    since: float,
) -> Finding:
    """Judge one trigger from its values between `since` and `at` (sampled every `step`)."""
    where, need = trigger.source.prefix(), trigger.for_.total_seconds()
    cond = f"{trigger.condition.op.value} {trigger.condition.threshold:g}"
    last = points[-1] if points else None
    if last is None or at - last[0] > step / 2 or math.isnan(last[1]):
        return Finding(
            Verdict.NO_DATA, f"trigger {trigger.name}: no value at the evaluation time", where
        )
    if not meets(trigger.condition, last[1]):
        return Finding(
            Verdict.GO,
            f"trigger {trigger.name}: {last[1]:.4g} (rolls back when "
            f"{cond} for {format_duration(trigger.for_)})",
            where,
        )
    held_since = last[0]
    for t, v in reversed(points[:-1]):
        if held_since - t > step * 1.5 or not meets(trigger.condition, v):
            break
        held_since = t
    held = format_duration(timedelta(seconds=round(at - held_since)))
    text = f"trigger {trigger.name}: {last[1]:.4g} {cond}"
    if at - held_since >= need and held_since >= since - step / 2:
        return Finding(Verdict.ROLLBACK, f"{text}, held for {format_duration(trigger.for_)}", where)
    return Finding(
        Verdict.HOLD,
        f"{text} for {held} since the deploy, of the "
        f"{format_duration(trigger.for_)} that roll back: pending",
        where,
    )


# --- evaluating (network) ------------------------------------------------------------------


def deployed_at(client: PrometheusClient, policy: Policy, at: float) -> float | None:
    """Unix time of the last deploy from the policy's `deployed_at` query, None if unknown."""
    if policy.deployed_at is None:
        return None
    samples = client.query(policy.deployed_at, at)
    values = [s.value for s in samples if math.isfinite(s.value)]
    return max(values) if values else None


def rollback_findings(
    client: PrometheusClient, policy: Policy, at: float, deploy: float | None
) -> list[Finding]:
    """Evaluate the rollback triggers when the last deploy is inside the watch window."""
    if not policy.triggers:
        return []
    where = policy.source.prefix()
    if deploy is None and policy.deployed_at is not None:
        return [
            Finding(
                Verdict.NO_DATA,
                f"cannot tell when the last deploy was: {policy.deployed_at} returned nothing",
                where,
            )
        ]
    watch = policy.watch.total_seconds()
    out = []
    if deploy is not None:
        age = format_duration(timedelta(seconds=max(0, round(at - deploy))))
        if at - deploy > watch:
            return [
                Finding(
                    Verdict.GO,
                    f"last deploy {age} ago, outside the "
                    f"{format_duration(policy.watch)} watch: rollback "
                    "triggers not evaluated",
                    where,
                )
            ]
        out.append(
            Finding(
                Verdict.GO,
                f"last deploy {age} ago, inside the {format_duration(policy.watch)} watch",
                where,
            )
        )
    since = deploy if deploy is not None else at - watch
    for trigger in policy.triggers:
        out.append(_evaluate_trigger(client, trigger, at, since))
    return out


def _evaluate_trigger(
    client: PrometheusClient, trigger: RollbackTrigger, at: float, since: float
) -> Finding:
    need = trigger.for_.total_seconds()
    step = max(1.0, min(MAX_STEP_SECONDS, need / 10)) if need else 1.0
    start = at - need
    series = client.query_range(trigger.expr, start, at, step)
    if len(series) > 1:
        return Finding(
            Verdict.NO_DATA,
            f"trigger {trigger.name}: the query returned {len(series)} series; it must return one",
            trigger.source.prefix(),
        )
    points = series[0].points if series else ()
    return trigger_finding(trigger, points, at, step, since)


def evaluate(
    client: PrometheusClient,
    service: Service,
    policy: Policy,
    at: float,
    deploy_override: float | None = None,
) -> list[Finding]:
    """Every finding of `policy` for `service` at unix time `at`."""
    firing = measure_firing(client, at)
    wanted = set(policy.slos)
    statuses = [measure_slo(client, slo, at, firing) for slo in service.slos if slo.id in wanted]
    findings = budget_findings(statuses, policy.budget_remaining_below)
    if policy.page_burn:
        findings += page_burn_findings(statuses)
    deploy = deploy_override if deploy_override is not None else deployed_at(client, policy, at)
    return findings + rollback_findings(client, policy, at, deploy)
