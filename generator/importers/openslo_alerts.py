"""OpenSLO AlertPolicy and AlertCondition burn rates as slogen burn-rate levels.

A `burnrate` condition alerts when the budget burns `threshold` times faster than sustainable
over `lookbackWindow`, after `alertAfter`. slogen alerts on a long and a short window both
burning (the SRE workbook's multiwindow rule), so the lookback becomes the long window and the
short window is a twelfth of it (1h -> 5m, as in the workbook). Conditions with severity
page/critical become the page level, every other severity the ticket level; a level with no
condition is turned off, so only the alerts the policy asks for are generated.
"""

from __future__ import annotations

from typing import Any

from generator.importers import durations
from generator.importers.openslo_index import Index
from generator.importers.report import Report, Severity
from generator.importers.source import Invalid, Node

PAGE_SEVERITIES = frozenset({"page", "critical", "high", "p1"})
SHORT_WINDOW_SHARE = 12
MIN_SHORT_SECONDS = 60


def alerting(spec: Node, index: Index, report: Report) -> dict[str, Any]:
    """The `alerting:` of a slogen SLO from the SLO's alertPolicies (empty: defaults)."""
    policies = spec.get("alertPolicies")
    if policies is None:
        return {}
    levels: dict[str, dict[str, Any]] = {"page": {"windows": []}, "ticket": {"windows": []}}
    for item in policies.elements() or [policies]:
        policy = _resolve(item, "AlertPolicy", "alertPolicyRef", index, report)
        if policy is not None:
            _policy(policy, index, report, levels)
    if not any(level["windows"] for level in levels.values()):
        report.add(Severity.NOTE, policies.where(), "the alert policies hold no burnrate "
                   "condition; slogen's default burn-rate alerts are used")
        return {}
    out: dict[str, Any] = {}
    for name, level in levels.items():
        if not level["windows"]:
            out[name] = {"enabled": False}
            report.add(Severity.NOTE, policies.where(), f"no {name}-level condition in the "
                       f"alert policies; slogen's {name} alert is turned off")
            continue
        level["windows"].sort(key=lambda w: (-w["burn_rate"], w["long"]))
        out[name] = {k: v for k, v in level.items() if v}
    return out


def _resolve(item: Node, kind: str, ref_key: str, index: Index, report: Report) -> Node | None:
    """An inline document, or the one a reference (or a bare name) points at."""
    ref = item.text() or item.str_at(ref_key)
    if ref is None and kind == "AlertCondition":
        ref = item.str_at("conditionRef")
    if ref is None:
        if item.has("spec"):
            return item
        report.add(Severity.SKIPPED, item.where(), f"neither an inline {kind} nor a "
                   f"{ref_key}; ignored")
        return None
    found = index.find(kind, ref)
    if found is None:
        report.add(Severity.SKIPPED, item.where(), f"{kind} {ref!r} is not in the input; import "
                   "the file that defines it together with this one (slogen's default alerts "
                   "are used meanwhile)")
    return found


def _policy(policy: Node, index: Index, report: Report,
            levels: dict[str, dict[str, Any]]) -> None:
    spec = policy.get("spec")
    if spec is None:
        raise Invalid(policy, "the AlertPolicy has no spec")
    targets = spec.get("notificationTargets")
    if targets is not None:
        report.add(Severity.NOTE, targets.where(), "notification targets are not converted: "
                   "slogen routes alerts by severity to the receivers in _global.yaml")
    conditions = spec.get("conditions")
    for item in (conditions.elements() if conditions is not None else []):
        condition = _resolve(item, "AlertCondition", "conditionRef", index, report)
        if condition is not None:
            _condition(condition, report, levels)


def _condition(doc: Node, report: Report, levels: dict[str, dict[str, Any]]) -> None:
    spec = doc.get("spec")
    body = spec.get("condition") if spec is not None else None
    if spec is None or body is None:
        raise Invalid(doc, "the AlertCondition needs spec.condition")
    kind = (body.str_at("kind") or "").lower()
    if kind != "burnrate":
        report.add(Severity.SKIPPED, body.where(), f"condition kind {kind!r}: only burnrate "
                   "conditions convert")
        return
    threshold, lookback = body.get("threshold"), body.get("lookbackWindow")
    if threshold is None or lookback is None:
        raise Invalid(body, "a burnrate condition needs threshold and lookbackWindow")
    rate = threshold.number()
    if rate <= 0:
        raise Invalid(threshold, "the burn-rate threshold must be above 0")
    long = durations.duration(lookback)
    seconds = durations.seconds(long) or 0
    short = durations.prometheus(max(seconds / SHORT_WINDOW_SHARE, MIN_SHORT_SECONDS))
    if (durations.seconds(short) or 0) >= seconds:
        raise Invalid(lookback, f"lookbackWindow {long} is too short for a burn-rate alert "
                                "(want 2m or more)")
    op = (body.str_at("op") or "gt").lower()
    if op not in ("gt", "gte"):
        report.add(Severity.NOTE, body.where(), f"op {op!r}: slogen alerts when the burn rate "
                   "is above the threshold")
    severity = (spec.str_at("severity") or "").lower()
    level = levels["page" if severity in PAGE_SEVERITIES else "ticket"]
    level["windows"].append({"long": long, "short": short, "burn_rate": rate})
    after = body.get("alertAfter")
    if after is not None:
        wait = durations.duration(after)
        if level.get("for") and level["for"] != wait:
            report.add(Severity.NOTE, after.where(), f"alertAfter {wait} differs from "
                       f"{level['for']} of another condition of the same level; the longer "
                       "one is used")
            wait = max(wait, level["for"], key=lambda d: durations.seconds(d) or 0)
        level["for"] = wait
