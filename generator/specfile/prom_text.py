"""Texts that Prometheus, Alertmanager and Grafana parse: templates, label values, annotation names.

`promtool check rules` (run by `generate`) rejects an alert whose labels or annotations do not
parse as Go templates, or whose annotation names are not label names; Alertmanager and Grafana
break on label values with line breaks. Checked here on the parsed spec, so `validate` refuses
them first, at the line of the spec that wrote them.
"""

from __future__ import annotations

import functools
import re
import zoneinfo
from collections.abc import Iterator
from typing import Any

from generator.core.errors import Loc, SpecError
from generator.specfile.gotemplate_check import GRAFANA_VARIABLES, TemplateError, check_template
from generator.specfile.yamlread import Locator

_LABEL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")

# Patterns by length and first part (never `*`): every string of every spec is tested against
# three sets of them, and nearly all are told apart by those two alone.
_Index = dict[tuple[int, str], tuple[tuple[str, ...], ...]]


def _index(patterns: tuple[tuple[str, ...], ...]) -> _Index:
    found: dict[tuple[int, str], tuple[tuple[str, ...], ...]] = {}
    for p in patterns:
        assert p and p[0] != "*", p
        found[len(p), p[0]] = (*found.get((len(p), p[0]), ()), p)
    return found


# Paths (with `*` for any index or key) whose strings end up in Prometheus alerting rules.
_PROMETHEUS_TEMPLATES = _index((
    ("alerts", "*", "summary"), ("alerts", "*", "description"), ("alerts", "*", "runbook"),
    ("alerts", "*", "annotations", "*"), ("alerts", "*", "labels", "*"),
    ("slos", "*", "description"), ("slos", "*", "labels", "*"),
    ("slos", "*", "alerting", "annotations", "*"), ("slos", "*", "alerting", "labels", "*"),
    ("slos", "*", "alerting", "page", "labels", "*"),
    ("slos", "*", "alerting", "ticket", "labels", "*"),
    ("health_checks", "*", "description"), ("health_checks", "*", "alert", "summary"),
    ("labels", "*"), ("runbook",),
))
_GRAFANA_TEMPLATES = _index((
    ("grafana_alerts", "*", "summary"), ("grafana_alerts", "*", "description"),
    ("grafana_alerts", "*", "annotations", "*"), ("grafana_alerts", "*", "labels", "*"),
))
_TIME_ZONES = _index((("routing", "time_intervals", "*", "*", "location"),))
# Annotation maps: their keys become Prometheus annotation names.
_ANNOTATION_MAPS = _index((("alerts", "*", "annotations"),
                           ("slos", "*", "alerting", "annotations")))


def text_errors(data: Any, locator: Locator) -> list[SpecError]:
    """Located errors for templates that do not parse, and unusable label and annotation texts."""
    errors: list[SpecError] = []
    for loc, value in _walk(data):
        if not isinstance(value, str):
            if isinstance(value, dict) and loc and loc[-1] == "labels" and "__name__" in value:
                errors.append(locator.error((*loc, "__name__"), "label __name__ is the metric "
                                            "name; Prometheus does not let rules set it",
                                            key=True))
            if isinstance(value, dict) and _matches(loc, _ANNOTATION_MAPS):
                errors.extend(
                    locator.error((*loc, key), f"annotation name {key!r} is not valid: it "
                                               "needs letters, digits and '_', and no leading "
                                               "digit", key=True)
                    for key in value if isinstance(key, str) and not _LABEL_NAME.match(key))
            continue
        if _matches(loc, _TIME_ZONES) and not _known_zone(value):
            errors.append(locator.error(loc, f"unknown time zone {value!r}; use an IANA name "
                                             "like Europe/Berlin, or UTC"))
            continue
        if _in_labels(loc) and _CONTROL.search(value):
            found = _CONTROL.search(value)
            assert found is not None
            errors.append(locator.error(loc, f"label value contains the control character "
                                             f"U+{ord(found.group()):04X} (a line break or "
                                             "similar); labels are one line of text"))
            continue
        grafana = _matches(loc, _GRAFANA_TEMPLATES)
        if not grafana and not _matches(loc, _PROMETHEUS_TEMPLATES):
            continue
        try:
            if grafana:
                check_template(value, functions=None, variables=GRAFANA_VARIABLES)
            else:
                check_template(value)
        except TemplateError as exc:
            where = "Grafana" if grafana else "Prometheus"
            problem = str(exc) if "\n" in value else re.sub(r"^line \d+: ", "", str(exc))
            errors.append(locator.error(loc, f"invalid {where} template: {problem} (in "
                                             f"{_excerpt(value)}); fix the {{{{ }}}} action or "
                                             "write the text without braces"))
    return errors


def _known_zone(name: str) -> bool:
    """Alertmanager loads zones from the IANA database, as zoneinfo does (`Local` too)."""
    if name in ("UTC", "Local"):
        return True
    if not _zones():
        return True  # no zone database on this machine: nothing to check against
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@functools.cache
def _zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _walk(data: Any) -> Iterator[tuple[Loc, Any]]:
    stack: list[tuple[Loc, Any]] = [((), data)]
    while stack:
        loc, node = stack.pop()
        yield loc, node
        if isinstance(node, dict):
            stack.extend(((*loc, str(k)), v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(node))


def _matches(loc: Loc, patterns: _Index) -> bool:
    if not loc or type(loc[0]) is not str:
        return False
    return any(all(a == "*" or a == b for a, b in zip(p, loc, strict=True))
               for p in patterns.get((len(loc), loc[0]), ()))


def _in_labels(loc: Loc) -> bool:
    return len(loc) >= 2 and loc[-2] in ("labels", "match") and isinstance(loc[-1], str)


def _excerpt(text: str) -> str:
    one_line = " ".join(text.split())
    return repr(one_line if len(one_line) <= 60 else one_line[:57] + "...")
