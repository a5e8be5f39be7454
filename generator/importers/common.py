"""Shared pieces of the spec importers: the converted SLO, its service, and name clean-up.

Every importer turns its documents into `SloDraft`s; `Collector` checks each against slogen's
own SLO model (a draft slogen would reject is skipped with the reason, never a pydantic dump),
groups them into one service spec per service, and notes every rename.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from generator.importers.durations import prometheus, seconds
from generator.importers.report import Report, Severity
from generator.specfile.models import ServiceSpec, SloSpec

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_-]*$")
_LABEL = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_]*$")
_ALERT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
SPEC_VERSION = "slogen/v1"
DEFAULT_WINDOW = "30d"
# slogen's defaults (the SRE workbook's): (long, short) in seconds, share of budget in `long`.
DEFAULT_BURN_WINDOWS = {"page": ((3600, 300, 2.0), (21600, 1800, 5.0)),
                        "ticket": ((86400, 7200, 10.0), (259200, 21600, 10.0))}
Where = tuple[str, int | None, str]


@dataclass
class Imported:
    """A converted service spec."""

    service: str
    spec: dict[str, Any]


@dataclass
class SloDraft:
    """One SLO converted from another format, before slogen checks it."""

    where: Where
    service: str
    name: str
    objective: float
    sli: dict[str, Any]
    window: str | None = None
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)
    alerting: dict[str, Any] = field(default_factory=dict)
    timeslices: dict[str, Any] | None = None
    calendar: dict[str, Any] | None = None


@dataclass
class ServiceInfo:
    """What a source says about a service beside its SLOs."""

    where: Where
    team: str | None = None
    team_from: str = ""
    team_where: Where | None = None
    description: str = ""
    labels: dict[str, str] = field(default_factory=dict)


class Collector:
    """Checks drafts and groups them into service specs."""

    def __init__(self, report: Report) -> None:
        self.report = report
        self._services: dict[str, dict[str, Any]] = {}
        self._info: dict[str, ServiceInfo] = {}

    def describe(self, service: str, info: ServiceInfo) -> None:
        """Team, description and labels of `service` (first description wins)."""
        self._info.setdefault(identifier(service, info.where, "service", []), info)

    def add(self, draft: SloDraft) -> None:
        """Check `draft`; keep it or record why it is skipped."""
        notes: list[tuple[Where, str]] = []
        service = identifier(draft.service, draft.where, "service", notes)
        slo: dict[str, Any] = {"name": identifier(draft.name, draft.where, "SLO name", notes),
                               "objective": round(draft.objective, 9)}
        if draft.description:
            slo["description"] = draft.description
        if draft.window:
            slo["window"] = draft.window
        slo["sli"] = draft.sli
        if draft.timeslices is not None:
            slo["timeslices"] = draft.timeslices
        if draft.calendar is not None:
            slo["calendar"] = draft.calendar
        if draft.labels:
            slo["labels"] = draft.labels
        alerting = _fit_default_windows(draft, notes)
        if alerting:
            slo["alerting"] = alerting
        try:
            SloSpec.model_validate(slo)
        except ValidationError as exc:
            detail = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}"
                               for e in exc.errors(include_url=False))
            self.report.add(Severity.SKIPPED, draft.where,
                            f"the converted SLO is not valid in slogen: {detail}")
            return
        spec = self._services.setdefault(service, {"slos": []})
        taken = {s["name"] for s in spec["slos"]}
        if slo["name"] in taken:
            base, n = slo["name"], 2
            while f"{base}-{n}" in taken:
                n += 1
            slo["name"] = f"{base}-{n}"
            notes.append((draft.where, f"a second SLO named {base!r} in service {service!r} "
                                       f"is named {slo['name']!r}"))
        spec["slos"].append(slo)
        self.report.slos_converted += 1
        for where, note in notes:
            self.report.add(Severity.NOTE, where, note)

    def results(self) -> list[Imported]:
        """One valid service spec per service, in name order."""
        out = []
        for service in sorted(self._services):
            info = self._info.get(service) or ServiceInfo(("", None, ""))
            spec = self._service_spec(service, info)
            ServiceSpec.model_validate(spec)
            out.append(Imported(service, spec))
        return out

    def _service_spec(self, service: str, info: ServiceInfo) -> dict[str, Any]:
        notes: list[tuple[Where, str]] = []
        where = info.where if info.where[0] else ("", None, service)
        if info.team:
            team = identifier(info.team, where, "team", notes)
            if info.team_from:
                notes.append((info.team_where or where,
                              f"{info.team_from} {info.team!r} becomes the slogen team"))
        else:
            team = service
            notes.append((where, f"service {service!r} names no team or owner; team set to "
                                 f"{service!r}"))
        spec: dict[str, Any] = {"version": SPEC_VERSION, "service": service, "team": team}
        if info.description:
            spec["description"] = info.description
        if info.labels:
            spec["labels"] = dict(sorted(info.labels.items()))
        spec["slos"] = self._services[service]["slos"]
        for note_where, note in notes:
            self.report.add(Severity.NOTE, note_where if note_where[0] else where, note)
        return spec


def _fit_default_windows(draft: SloDraft, notes: list[tuple[Where, str]]) -> dict[str, Any]:
    """The draft's alerting, with explicit windows where slogen's defaults cannot work.

    A low objective (90%) or a short window makes a default burn rate need an error ratio
    above 100%, or a burn window longer than the SLO window; slogen rejects those, so the
    level gets the default windows that fit, burning at most 90% of the way to all errors.
    """
    alerting = {k: dict(v) if isinstance(v, dict) else v for k, v in draft.alerting.items()}
    budget = 1 - draft.objective / 100
    window = seconds(draft.window or DEFAULT_WINDOW) or 0.0
    for level, defaults in DEFAULT_BURN_WINDOWS.items():
        current = alerting.get(level) or {}
        if current.get("windows") or current.get("enabled") is False:
            continue
        fitted: list[dict[str, Any]] = []
        changed = False
        for long, short, share in defaults:
            rate = share / 100 * window / long
            if long > window:
                changed = True
                continue
            if rate * budget > 1:
                rate, changed = round(0.9 / budget, 3), True
            fitted.append({"long": prometheus(long), "short": prometheus(short),
                           "burn_rate": round(rate, 3)})
        if not changed:
            continue
        alerting[level] = {**current, **({"windows": fitted} if fitted else {"enabled": False})}
        rates = ", ".join(f"{w['burn_rate']:g} over {w['long']}" for w in fitted)
        outcome = f"{level} burns at {rates}" if fitted else f"the {level} alert is turned off"
        notes.append((draft.where, f"slogen's default {level} burn windows do not fit "
                                   f"objective {draft.objective:g} over "
                                   f"{draft.window or DEFAULT_WINDOW}; {outcome}"))
    return alerting


def identifier(text: str, where: Where, what: str, notes: list[tuple[Where, str]]) -> str:
    """`text` as a slogen id (lower case, letters, digits, - and _), noting any change."""
    clean = re.sub(r"[^a-z0-9_-]+", "-", text.strip().lower()).strip("-_")
    if not clean or not clean[0].isalpha():
        clean = f"x-{clean}" if clean else "unnamed"
    clean = clean[:63].rstrip("-_")
    if clean != text:
        notes.append((where, f"{what} {text!r} renamed {clean!r} (slogen ids are lower case "
                             "letters, digits, - and _)"))
    assert _IDENTIFIER.match(clean)
    return clean


def alert_name(text: str, where: Where, notes: list[tuple[Where, str]]) -> str:
    """`text` as a Prometheus alert name (CamelCase words), noting any change."""
    if _ALERT.match(text) and len(text) <= 120:
        return text
    words = [w for w in re.split(r"[^A-Za-z0-9]+", text) if w]
    clean = "".join(w[:1].upper() + w[1:] for w in words) or "Slo"
    if not clean[0].isalpha():
        clean = f"Slo{clean}"
    clean = clean[:120]
    notes.append((where, f"alert name {text!r} renamed {clean!r} (alert names are letters, "
                         "digits and _, starting with a letter)"))
    return clean


def label_map(labels: dict[str, str], where: Where, report: Report) -> dict[str, str]:
    """Labels whose names Prometheus accepts; others are reported as skipped."""
    out = {}
    for name, value in labels.items():
        if _LABEL.match(name):
            out[name] = value
        else:
            report.add(Severity.SKIPPED, where,
                       f"label {name!r} is not a valid Prometheus label name; dropped")
    return dict(sorted(out.items()))


def flush(notes: list[tuple[Where, str]], report: Report) -> None:
    """Move collected notes into the report."""
    for where, note in notes:
        report.add(Severity.NOTE, where, note)
    notes.clear()
