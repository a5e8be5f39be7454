"""Checks on generated Grafana documents: panel PromQL parses and names only series that rules or
specs define, and every panel, query and alert rule uses a declared datasource."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson

from generator.core import model as m
from generator.core import naming
from generator.validate import promtool
from generator.validate.results import Problem, Tools

CHECK = "grafana-references"
EXPR_UID = "__expr__"
# Exporter series that exist whenever a service declares health checks.
EXPORTER_SERIES = (naming.CHECK_UP, naming.CHECK_ERRORS, naming.CHECK_LAST_SUCCESS,
                   naming.CHECK_DIFFERENCE, naming.CHECK_DURATION,
                   *(f"{naming.CHECK_DURATION}_{s}" for s in ("bucket", "count", "sum")))
_KEYWORDS = frozenset({"and", "or", "unless", "by", "without", "on", "ignoring", "group_left",
                       "group_right", "bool", "offset", "inf", "nan", "atan2", "start", "end"})
_STRINGS = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'|`[^`]*`')
_NOISE = re.compile(r"\{[^}]*\}|\[[^\]]*\]|\boffset\s+\S+|"
                    r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_NAME = re.compile(r"(?<![\w.$:])([a-zA-Z_:][a-zA-Z0-9_:]*)(?![\w:])(?!\s*\()")
_VARIABLE = re.compile(r"\$\{?(\w+)(?::\w+)?\}?")


@lru_cache(maxsize=4096)
def series_names(expr: str) -> frozenset[str]:
    """Metric names an expression selects (functions, keywords and label names excluded)."""
    text = _NOISE.sub(" ", _STRINGS.sub('""', _VARIABLE.sub("x", expr)))
    return frozenset(n for n in _NAME.findall(text) if n not in _KEYWORDS and not n.isdigit())


def for_promtool(expr: str) -> str:
    """Grafana variables replaced by values promtool parses: ranges by 5m, others by `x`."""
    return _VARIABLE.sub(lambda mt: "5m" if mt.group(1).startswith("__") else "x", expr)


def panels(dashboard: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """Every panel, including those nested in rows."""
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])


def panel_exprs(dashboard: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(panel title, PromQL) of every Prometheus query."""
    for panel in panels(dashboard):
        for target in panel.get("targets", []):
            if target.get("expr"):
                yield str(panel.get("title", "")), str(target["expr"])


def datasource_refs(dashboard: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(panel title, datasource uid) of panels and queries, variables resolved to their default."""
    defaults = {v["name"]: (v.get("current") or {}).get("value")
                for v in dashboard.get("templating", {}).get("list", [])
                if v.get("type") == "datasource"}
    for panel in panels(dashboard):
        refs = [panel.get("datasource"), *(t.get("datasource") for t in panel.get("targets", []))]
        for ref in refs:
            if isinstance(ref, Mapping) and ref.get("uid"):
                uid = str(ref["uid"])
                var = _VARIABLE.fullmatch(uid)
                yield str(panel.get("title", "")), str(defaults.get(var.group(1))) if var else uid


_RECORD_LINE = re.compile(
    r"^[ \t]*(?:-[ \t]+)?record:[ \t]*['\"]?([a-zA-Z_:][a-zA-Z0-9_:]*)['\"]?[ \t]*$", re.MULTILINE)


def recorded_series(rule_files: Iterable[Path]) -> set[str]:
    """Names recorded by slogen's rule files, whatever their layout (plain, operator, mimir).

    Read line by line: in our own output a record name is always a plain metric-name scalar
    on its `record:` line, and building YAML objects for thousands of rules only to read one
    key was most of this check's time.
    """
    found: set[str] = set()
    for path in rule_files:
        found.update(_RECORD_LINE.findall(path.read_text(encoding="utf-8")))
    return found


def spec_series(model: m.Model) -> set[str]:
    """Series the specs define or select outside dashboards: SLIs, alerts, recordings, checks."""
    exprs = [e for src, e in model.expressions if not src.path.startswith("dashboard.")]
    names = {"up"} | {r.record for s in model.services for r in s.recordings}
    names |= {name for s in model.services for name in s.dashboard.series}
    for service in model.services:
        exprs += [q for slo in service.slos for q in (slo.sli.errors_query, slo.sli.total_query)]
        for check in service.health_checks:
            names |= {naming.check_metric(check.name, v) for v in check.values}
            names |= set(EXPORTER_SERIES)
    return names | {n for e in exprs for n in series_names(e)}


def _declared_titles(model: m.Model) -> dict[str, set[str]]:
    return {s.dashboard.uid: {p.title for p in s.dashboard.panels} for s in model.services}


def _dashboard_problems(rel: str, board: Mapping[str, Any], titles: Mapping[str, set[str]],
                        uids: set[str], known: set[str]) -> Iterator[Problem]:
    """The datasource and series problems of one dashboard; `titles`: `_declared_titles`,
    `uids`: the declared datasources (both read once for every dashboard)."""
    declared = titles.get(str(board.get("uid")), set())
    for title, uid in datasource_refs(board):
        if uid not in uids:
            yield Problem(CHECK, rel, f'panel "{title}": datasource {uid!r} is not declared '
                                      f'({", ".join(sorted(uids))})')
    for title, expr in panel_exprs(board):
        unknown = sorted(series_names(expr) - known)
        if unknown:
            # A declared panel may read a raw metric the rest of the spec never mentions (worth
            # a warning), but a recording-rule name (level:metric:op) must be recorded.
            warning = title in declared and all(":" not in n for n in unknown)
            hint = " (list it in dashboard.series if it is expected)" if warning else ""
            yield Problem(CHECK, rel, f'panel "{title}": no rule or spec defines '
                                      f'{", ".join(unknown)} in: {expr}{hint}', warning=warning)


def _rule_problems(group: Mapping[str, Any], uids: set[str]) -> Iterator[str]:
    for rule in group.get("rules", []):
        for query in rule.get("data", []):
            uid = query.get("datasourceUid")
            if uid != EXPR_UID and uid not in uids:
                yield f'rule "{rule.get("title")}": datasource {uid!r} is not declared'


@dataclass(frozen=True)
class Known:
    """What an incremental generate knows about output it did not render again.

    `recorded`: every series the rule files record; `dashboards`: dashboard file -> the series
    its panels read, for dashboards carried over unchanged (with the datasources they name and
    their queries' syntax already checked: both depend only on inputs that did not change);
    `parse_only`: the files whose panel queries promtool parses."""

    recorded: frozenset[str]
    dashboards: Mapping[str, frozenset[str]]
    parse_only: frozenset[str]


def check_grafana(staged: Path, model: m.Model, tools: Tools, known_output: Known | None = None,
                  read: dict[str, frozenset[str]] | None = None) -> list[Problem]:
    """Datasource and series references everywhere; PromQL syntax when promtool is installed.

    With `known_output`, a carried-over dashboard is not read again unless a series its panels
    read is no longer defined. `read` receives, for every dashboard read, the series its panels
    read."""
    problems: list[Problem] = []
    recorded = (known_output.recorded if known_output is not None
                else recorded_series(sorted((staged / "prometheus").rglob("*.yaml"))))
    known = spec_series(model) | recorded
    exprs: list[tuple[str, str, str]] = []
    # Read from the model once, not per dashboard: every service's titles, per dashboard, made
    # the check quadratic in the number of services.
    titles = _declared_titles(model)
    uids = {d.uid for d in model.grafana.datasources}
    for path in sorted((staged / "grafana" / "provisioning" / "dashboards").rglob("*.json")):
        rel = path.relative_to(staged).as_posix()
        if known_output is not None:
            names = known_output.dashboards.get(rel)
            if names is not None and names <= known:
                continue
        board = orjson.loads(path.read_bytes())
        problems += _dashboard_problems(rel, board, titles, uids, known)
        panel_queries = list(panel_exprs(board))
        if read is not None:
            read[rel] = frozenset(n for _, e in panel_queries for n in series_names(e))
        if known_output is None or rel in known_output.parse_only:
            exprs += [(rel, title, expr) for title, expr in panel_queries]
    for path in sorted((staged / "grafana" / "api" / "rule-groups").rglob("*.json")):
        group = json.loads(path.read_text(encoding="utf-8"))
        problems += [Problem(CHECK, str(path.relative_to(staged)), p)
                     for p in _rule_problems(group, uids)]
    if tools.promtool is not None and exprs:
        # Services with SLOs alike have the same panel queries (their SLO is a variable):
        # each distinct query is parsed once, and its verdict goes to every panel with it.
        converted = {e: for_promtool(e) for e in dict.fromkeys(e for _, _, e in exprs)}
        queries = [converted[e] for _, _, e in exprs]
        distinct = list(dict.fromkeys(queries))
        bad = promtool.parse_errors(distinct, tools.promtool)
        verdict = {distinct[i]: msg for i, msg in bad.items()}
        problems += [Problem("promql", rel, f'panel "{title}": {verdict[query]}')
                     for (rel, title, _), query in zip(exprs, queries, strict=True)
                     if query in verdict]
    return problems
