"""Parse a labelled-incident list (YAML or JSON) and check it against the specs.

Each incident names what it affected: `service`, `kind` (free text, used to group the report),
and optionally `slo`, `metrics` and `alerts`. Every error is reported at once, each located as
`file:line:column: [index].field: message`.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError, YAMLError

from generator.backtest.scoring import Incident


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:30]}...({len(text)} characters)"


def _timestamp(value: Any) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        # A huge integer does not fit a float; NaN and infinities are no point in time.
        seconds = float(value) if abs(value) < 1e18 else math.inf
        if math.isfinite(seconds):
            return seconds
        raise ValueError(f"{_shown(value)} is not a time; use Unix seconds (finite, below "
                         "1e18) or RFC 3339 like 2026-01-05T09:00:00Z")
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except (ValueError, OverflowError):
            pass
    raise ValueError(f"{_shown(value)} is not a time; use Unix seconds or RFC 3339 like "
                     "2026-01-05T09:00:00Z")


Time = Annotated[float, BeforeValidator(_timestamp)]
Name = Annotated[str, Field(min_length=1)]


class IncidentSpec(BaseModel):
    """One incident as written in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: Time
    end: Time
    service: Name
    kind: Name
    name: str = ""
    slo: str = ""
    metrics: list[Name] = Field(default_factory=list)
    alerts: list[Name] = Field(default_factory=list)


@dataclass(frozen=True)
class ServiceFacts:
    """What the specs declare for one service, to check incidents against."""

    slos: frozenset[str]
    alerts: frozenset[str]
    metrics: frozenset[str]


class IncidentsError(ValueError):
    """The incident file has errors; `messages` holds every one, located."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _mark(data: Any, index: int, key: str | None) -> tuple[int, int]:
    """1-based line and column of `data[index][key]`, or of `data[index]` without a key."""
    item = data[index]
    try:
        if key is not None and isinstance(item, CommentedMap) and key in item:
            line, col = item.lc.value(key)
        else:
            line, col = data.lc.item(index)
        return line + 1, col + 1
    except (AttributeError, KeyError, TypeError, IndexError):
        return 1, 1


def _load(text: str, file: str) -> Any:
    try:
        return YAML(typ="rt").load(io.StringIO(text))
    except YAMLError as exc:
        mark = exc.problem_mark if isinstance(exc, MarkedYAMLError) else None
        where = f"{mark.line + 1}:{mark.column + 1}" if mark is not None else "1:1"
        problem = exc.problem if isinstance(exc, MarkedYAMLError) else str(exc)
        raise IncidentsError([f"{file}:{where}: not YAML or JSON: {problem}"]) from exc
    except RecursionError:
        raise IncidentsError([f"{file}:1:1: not YAML or JSON: collections nested too deeply; "
                              "an incident file is a list of flat mappings"]) from None


def parse_incidents(text: str, file: str,
                    known: Mapping[str, ServiceFacts] | None = None) -> list[Incident]:
    """Incidents from YAML/JSON text, checked against `known` services when given; raise
    IncidentsError with every problem found."""
    data = _load(text, file)
    if not isinstance(data, list):
        raise IncidentsError([f"{file}:1:1: expected a list of incidents"])
    errors: list[str] = []
    found: list[Incident] = []
    names: dict[str, int] = {}
    for index, item in enumerate(data):
        def err(key: str | None, message: str, idx: int = index) -> None:
            line, col = _mark(data, idx, key)
            path = f"[{idx}]" + (f".{key}" if key is not None else "")
            errors.append(f"{file}:{line}:{col}: {path}: {message}")
        try:
            spec = IncidentSpec.model_validate(item)
        except ValidationError as exc:
            for e in exc.errors():
                key = str(e["loc"][0]) if e["loc"] else None
                err(key, e["msg"].removeprefix("Value error, "))
            continue
        name = spec.name or f"{spec.kind}-{index}"
        if spec.end <= spec.start:
            err("end", "must be after start")
        if name in names:
            err("name", f"{name!r} is already the name of incident [{names[name]}]")
        names.setdefault(name, index)
        if known is not None:
            _check_known(spec, known, lambda key, msg: err(key, msg))
        found.append(Incident(name, spec.service, spec.kind, spec.start, spec.end, spec.slo,
                              tuple(spec.metrics), tuple(spec.alerts)))
    if errors:
        raise IncidentsError(errors)
    return found


def _known_list(values: frozenset[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def _check_known(spec: IncidentSpec, known: Mapping[str, ServiceFacts],
                 err: Any) -> None:
    facts = known.get(spec.service)
    if facts is None:
        err("service", f"unknown service {spec.service!r}; known: "
            f"{_known_list(frozenset(known))}")
        return
    if spec.slo and spec.slo not in facts.slos:
        err("slo", f"service {spec.service!r} has no SLO {spec.slo!r}; known: "
            f"{_known_list(facts.slos)}")
    for alert in spec.alerts:
        if alert not in facts.alerts:
            err("alerts", f"service {spec.service!r} has no alert {alert!r}; known: "
                f"{_known_list(facts.alerts)}")
    for metric in spec.metrics:
        if metric not in facts.metrics:
            err("metrics", f"no alert of service {spec.service!r} reads {metric!r}; read: "
                f"{_known_list(facts.metrics)}")
    if not (spec.slo or spec.metrics or spec.alerts):
        err(None, "name what the incident affected: `slo`, `metrics` or `alerts`, so the "
            "backtest knows which alerts should catch it")
