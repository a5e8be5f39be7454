"""Error-budget policies in service specs: parsed, resolved, and located errors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from generator import pipeline
from generator.core.errors import SpecErrors
from generator.core.model import Op

BASE = """\
version: slogen/v1
service: shop
team: web
slos:
  - name: errors
    objective: 99.9
    sli:
      events:
        bad: sum(rate(e[{{window}}]))
        total: sum(rate(t[{{window}}]))
policies:
  - name: deploy
"""


def test_policy_resolves_with_defaults(write_spec: Callable[..., Path]) -> None:
    path = write_spec(
        BASE
        + """\
    block_when: {budget_remaining_below: 10, page_burn: true}
    rollback:
      triggers:
        - {name: errors, expr: e, above: 0.1, for: 2m}
"""
    )
    (policy,) = pipeline.compile_specs(path.parent, None).service("shop").policies
    assert policy.slos == ("shop-errors",)
    assert (policy.budget_remaining_below, policy.page_burn) == (10.0, True)
    assert policy.watch == timedelta(hours=48)
    (trigger,) = policy.triggers
    assert (trigger.condition.op, trigger.condition.threshold, trigger.for_) == (
        Op.ABOVE,
        0.1,
        timedelta(minutes=2),
    )


@pytest.mark.parametrize(
    "tail, message",
    [
        pytest.param(
            "    slos: [latency]\n",
            "svc.yaml:13:12: policies[0].slos[0]: unknown SLO 'latency'; known: errors",
            id="policy names an unknown SLO",
        ),
        pytest.param(
            "    rollback:\n      triggers:\n        - {name: a, expr: e, above: 1, below: 2}\n",
            "svc.yaml:15:11: policies[0].rollback.triggers[0]: give exactly one of above or below",
            id="trigger needs one threshold",
        ),
        pytest.param(
            "    rollback:\n      triggers:\n        - {name: a, expr: e, above: 1}\n"
            "        - {name: a, expr: e, below: 1}\n",
            "svc.yaml:16:18: policies[0].rollback.triggers[1].name: duplicate rollback "
            "trigger name 'a'; triggers[0] has it already",
            id="trigger names are unique",
        ),
        pytest.param(
            "    block_when: {budget_remaining_below: 120}\n",
            "svc.yaml:13:42: policies[0].block_when.budget_remaining_below: must be <= 100.0 "
            "(got 120)",
            id="budget share is a percentage",
        ),
    ],
)
def test_bad_policy(write_spec: Callable[..., Path], tail: str, message: str) -> None:
    path = write_spec(BASE + tail)
    with pytest.raises(SpecErrors) as info:
        pipeline.compile_specs(path.parent, None, path.parent.parent)
    assert [str(e) for e in info.value.errors] == ["slos/" + message]
