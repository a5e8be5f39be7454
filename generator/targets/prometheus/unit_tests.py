"""promtool unit tests for the generated rules, two files per service.

promtool evaluates every group at every step of the test file's evaluation_interval, whatever
the group's own interval. `<service>.test.yaml` steps at the coarsest step that divides the
input interval and every `for` and staleness limit (usually 1m, which keeps the tests fast), so
"fires after exactly its `for`" is checked one step before and at that time.
`<service>.long.test.yaml` steps every 5m for what spans hours or days: the proof that long SLO
windows equal the raw queries, anomaly baselines and staleness limits of an hour or more (when
their durations are multiples of the step), which would otherwise cost thousands of
evaluations each.

What is proved once and what per SLO: every SLO's alerts are shown to fire on their own
series, and its SLI-absent alert to fire without them and stay silent with them; their labels
and annotations are spelled out once, in the first check of the first SLO of each text shape
(`slo_cases.text_shape`), as the others render the same templates: every other check counts
the firing alerts per name and severity, on series that carry only the SLO id the rules select
them by. A spike and missing data stay silent for the first SLO of each rule shape
(`slo_cases.rule_shape`: the text shape, SLI kind and burn-rate tiers). Timing, staying
silent just under each threshold, the fast page tier and
`keep_firing_for` are shown for the first SLO of each rule shape and error budget: a later
one's rules are the same but for its id (its burn condition is the same recorded series,
selected by its slo_id). The long-window proofs cover every window of the first SLO of each
set of window expressions, and each SLO's own recorded windows (`slo_cases.proved_windows`).
"""

from __future__ import annotations

import math
from collections.abc import Hashable
from datetime import timedelta
from pathlib import PurePath
from typing import Any

from generator.core import naming
from generator.core.model import Alert, AnomalyAlert, Model, Service, StaleAlert, alert_tiers
from generator.core.promql import dur
from generator.targets.dump import yaml_text
from generator.targets.prometheus.alert_cases import alert_cases
from generator.targets.prometheus.rule_files import (
    OUT_DIR,
    layout,
    rule_groups,
    rules_path,
    slo_parts,
)
from generator.targets.prometheus.slo_cases import (
    rule_shape,
    slo_cases,
    text_shape,
    window_cases,
    window_shape,
)
from generator.targets.prometheus.slo_rules import slo_alerts
from generator.targets.prometheus.testseries import INTERVAL, Case, bundle, merged

TESTS_DIR = OUT_DIR / "tests"
LONG_STEP = timedelta(minutes=5)
LONG_SPAN = timedelta(hours=1)


def alert_tests_path(service: str) -> PurePath:
    """The alert unit tests of a service."""
    return TESTS_DIR / f"{service}.test.yaml"


def long_tests_path(service: str) -> PurePath:
    """The unit tests of a service that span hours or days."""
    return TESTS_DIR / f"{service}.long.test.yaml"


def render(model: Model) -> dict[PurePath, str]:
    """Unit-test files for every service that has rules."""
    inline = model.prometheus.windows == "inline"
    files = {}
    for service in model.services:
        groups = [g["name"] for g in rule_groups(service, layout(model.prometheus))]
        if not groups:
            continue
        # Alert cases feed the recorded 5m series, so the day-long windows read them best
        # first; window cases feed raw counters, whose 5m series the main SLO group records.
        slow = {naming.slo_window_group(service.name, part)
                for part in range(len(slo_parts(service)) + 1)}
        windows_first = sorted(groups, key=lambda g: g not in slow)
        step = test_step(service)
        cases, notes = _alert_cases(service, step, inline, long=False)
        if cases:
            files[alert_tests_path(service.name)] = _file(service, step, cases, notes,
                                                          windows_first)
        cases, notes = _window_cases(service, inline)
        more, more_notes = _alert_cases(service, LONG_STEP, inline, long=True)
        if cases or more:
            files[long_tests_path(service.name)] = _file(service, LONG_STEP, cases + more,
                                                         notes + more_notes, groups)
    return files


def is_long(a: Alert) -> bool:
    """Whether an alert's cases go to the 5m-step file."""
    spans = [a.for_]
    if isinstance(a, AnomalyAlert):
        spans.append(a.anomaly.baseline)
    elif isinstance(a, StaleAlert) and a.stale.after >= LONG_SPAN:
        spans.append(a.stale.after)
    else:
        return False
    return all(s % LONG_STEP == timedelta(0) for s in spans)


def test_step(service: Service) -> timedelta:
    """Evaluation step of a service's tests: the gcd of the input interval and every duration
    an alert waits for."""
    spans = [INTERVAL, *(w.for_ for s in service.slos for w in s.burn_windows)]
    for a in service.alerts:
        spans += [a.for_, *(t.for_ for t in alert_tiers(a))]
        spans += [a.stale.after] if isinstance(a, StaleAlert) else []
    millis = [int(v / timedelta(milliseconds=1)) for v in spans if v]
    return timedelta(milliseconds=math.gcd(*millis))


def _alert_cases(service: Service, step: timedelta, inline: bool,
                 long: bool) -> tuple[list[Case], list[str]]:
    cases: list[Case] = []
    notes: list[str] = []
    if not long:
        shapes: set[Hashable] = set()
        texts: set[Hashable] = set()
        twins: set[Hashable] = set()
        for slo in service.slos:
            # The first SLO of each rule shape shows what depends on the shape alone (a spike
            # and missing data stay silent); the first of each text shape (the same templates)
            # checks its alerts' labels and texts in full.
            alerts = slo_alerts(slo, service)
            text = text_shape(alerts)
            shape = rule_shape(slo, service, alerts, text)
            full, spell = shape not in shapes, text not in texts
            shapes.add(shape)
            texts.add(text)
            # An SLO with the rule shape and budget of an earlier one has its rules but for
            # its id: it shows that its series reach its alerts, the earlier one the edges.
            twin = (shape, slo.error_budget, slo.window)
            cases += slo_cases(slo, service, step, full, twin not in twins, alerts, spell)
            twins.add(twin)
    for a in service.alerts:
        if is_long(a) != long:
            continue
        found, note = alert_cases(a, service, step)
        cases += found
        notes += [note] if note else []
    return cases, notes


def _window_cases(service: Service, inline: bool) -> tuple[list[Case], list[str]]:
    """The long-window proofs of a service's SLOs, in as few cases as their input series allow:
    each proof compares two readings of the same input, so others' series do not disturb it.
    The first SLO of each window shape proves every window; the others the windows their rules
    record (`slo_cases.proved_windows`)."""
    packs: list[tuple[dict[str, str], list[Case]]] = []
    notes: list[str] = []
    shapes: set[Hashable] = set()
    for slo in service.slos:
        shape = window_shape(slo, inline)
        found, note = window_cases(slo, service, inline, full=shape not in shapes)
        if note is None:
            shapes.add(shape)
        notes += [note] if note else []
        for case in found:
            fed = {s["series"]: s["values"] for s in case.series}
            home = next((p for p in packs
                         if all(p[0].get(k, v) == v for k, v in fed.items())), None)
            if home is None:
                home = ({}, [])
                packs.append(home)
            home[0].update(fed)
            home[1].append(case)
    return [merged(members) for _, members in packs], notes


def _file(service: Service, step: timedelta, cases: list[Case], notes: list[str],
          order: list[str]) -> str:
    data: dict[str, Any] = {
        "rule_files": [f"../{rules_path(service.name).name}"],
        "evaluation_interval": dur(step),
        "group_eval_order": order,
        "tests": [c.as_dict() for c in bundle(cases)],
    }
    text = yaml_text(data, [service.source_file])
    if not notes:
        return text
    head, _, body = text.partition("\nrule_files:")
    lines = "".join(f"\n# Not covered: {n}" for n in notes)
    return f"{head}{lines}\nrule_files:{body}"
