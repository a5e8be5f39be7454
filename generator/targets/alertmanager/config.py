"""Alertmanager configuration (route tree, receivers, inhibitions) and its routing tests.

Secrets stay out: every receiver reads its credential from a `*_file` field, which Alertmanager
0.25 supports for Slack, PagerDuty, email and webhook bearer tokens (not webhook URLs, so a
webhook URL is written out and must hold no secret; the spec refuses credentials in it).
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import PurePath
from typing import Any

from generator.core.durations import format_duration
from generator.core.model import Inhibition, Matcher, Model, Receiver, Route, RouteTree
from generator.core.routing import inhibitions
from generator.core.timeintervals import interval_items
from generator.targets.alertmanager.routing_cases import routing_cases
from generator.targets.dump import FlowList, FlowMap, sort_keys, yaml_list_text, yaml_text

CONFIG_PATH = PurePath("alertmanager") / "alertmanager.yml"
ROUTING_TESTS_PATH = PurePath("alertmanager") / "tests" / "routes.yaml"


def render(model: Model) -> dict[PurePath, str]:
    """`alertmanager.yml` and the routing tests that `slogen generate` runs with amtool."""
    tree = model.route_tree
    if tree is None:
        return {}
    sources = [model.global_file] + [s.source_file for s in model.services if s.routing]
    config = {
        "route": _root(tree),
        "receivers": [_receiver(r) for r in model.receivers],
        "inhibit_rules": [_inhibit_rule(i) for i in inhibitions(model)],
        "time_intervals": [{"name": name, "time_intervals": interval_items(parts)}
                           for name, parts in tree.time_intervals.items()],
    }
    tests = [{"name": c.name, "labels": FlowMap(c.labels), "receivers": FlowList(c.receivers)}
             for c in routing_cases(model, tree)]
    return {
        CONFIG_PATH: yaml_text(sort_keys({k: v for k, v in config.items() if v}), sources),
        # Tens of thousands of cases at scale: written a few at a time.
        ROUTING_TESTS_PATH: yaml_list_text("tests", sort_keys(tests), sources),
    }


def matcher_text(name: str, op: str, value: str) -> str:
    """A matcher in Alertmanager's string syntax, with the value quoted and escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'{name}{op}"{escaped}"'


def _root(tree: RouteTree) -> dict[str, Any]:
    return {
        "receiver": tree.receiver,
        "group_by": list(tree.group_by),
        "group_wait": format_duration(tree.group_wait),
        "group_interval": format_duration(tree.group_interval),
        "repeat_interval": format_duration(tree.repeat_interval),
        "routes": [_route(r) for r in tree.routes],
    }


def _route(route: Route) -> dict[str, Any]:
    node: dict[str, Any] = {
        "matchers": [matcher_text(k, "=", v) for k, v in route.matchers],
        "receiver": route.receivers[0],
    }
    if route.continue_:
        node["continue"] = True
    if route.group_by is not None:
        node["group_by"] = list(route.group_by)
    node.update(_timings(route))
    leaves = [_leaf(r, route, last=i == len(route.receivers) - 1)
              for i, r in enumerate(route.receivers)]
    if len(leaves) > 1:
        node["routes"] = leaves
    elif route.active_during is not None:
        node["active_time_intervals"] = [route.active_during]
    return node


def _leaf(receiver: str, route: Route, last: bool) -> dict[str, Any]:
    # Children without matchers catch everything their parent matched; `continue` on all but
    # the last lets each receiver get the alert. Time intervals are set on the leaves because
    # that is where notifications leave.
    leaf: dict[str, Any] = {"receiver": receiver}
    if not last:
        leaf["continue"] = True
    if route.active_during is not None:
        leaf["active_time_intervals"] = [route.active_during]
    return leaf


def _timings(route: Route) -> dict[str, str]:
    values: dict[str, timedelta | None] = {
        "group_wait": route.group_wait,
        "group_interval": route.group_interval,
        "repeat_interval": route.repeat_interval,
    }
    return {k: format_duration(v) for k, v in values.items() if v is not None}


def _inhibit_rule(rule: Inhibition) -> dict[str, Any]:
    out: dict[str, Any] = {
        "source_matchers": _matchers(rule.source),
        "target_matchers": _matchers(rule.target),
    }
    if rule.equal:
        out["equal"] = list(rule.equal)
    return out


def _matchers(matchers: tuple[Matcher, ...]) -> list[str]:
    return [matcher_text(*m) for m in matchers]


def _receiver(receiver: Receiver) -> dict[str, Any]:
    resolved = {"send_resolved": receiver.send_resolved}
    if receiver.slack is not None:
        s = receiver.slack
        slack = {"channel": s.channel, "api_url_file": s.api_url_file, "title": s.title,
                 "text": s.text}
        return {"name": receiver.name, "slack_configs": [_compact({**slack, **resolved})]}
    if receiver.pagerduty is not None:
        p = receiver.pagerduty
        pd = {"routing_key_file": p.routing_key_file, "severity": p.severity}
        return {"name": receiver.name, "pagerduty_configs": [_compact({**pd, **resolved})]}
    if receiver.email is not None:
        e = receiver.email
        email = {"to": e.to, "from": e.from_, "smarthost": e.smarthost,
                 "auth_username": e.auth_username, "auth_password_file": e.auth_password_file,
                 "require_tls": e.require_tls}
        return {"name": receiver.name, "email_configs": [_compact({**email, **resolved})]}
    assert receiver.webhook is not None
    w = receiver.webhook
    hook: dict[str, Any] = {"url": w.url, "max_alerts": w.max_alerts, **resolved}
    if w.credentials_file is not None:
        hook["http_config"] = {"authorization": {"type": "Bearer",
                                                 "credentials_file": w.credentials_file}}
    return {"name": receiver.name, "webhook_configs": [hook]}


def _compact(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}
