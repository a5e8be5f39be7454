"""Parse a labelled-incident list (YAML or JSON): start, end, service, optional name and alerts."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from generator.backtest.scoring import Incident


def _timestamp(value: Any) -> float:
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).timestamp()
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        except ValueError:
            pass
    raise ValueError(f"{value!r} is not a time; use Unix seconds or RFC 3339 like "
                     "2026-01-05T09:00:00Z")


Time = Annotated[float, BeforeValidator(_timestamp)]


class IncidentSpec(BaseModel):
    """One incident as written in the file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: Time
    end: Time
    service: str = Field(min_length=1)
    name: str = ""
    alerts: list[str] = Field(default_factory=list)


class IncidentsError(ValueError):
    """The incident file cannot be read; the message names the file and entry."""


def parse_incidents(text: str, file: str) -> list[Incident]:
    """Incidents from YAML/JSON text (JSON is YAML); raise IncidentsError naming `file`."""
    try:
        data = YAML(typ="safe").load(io.StringIO(text))
    except YAMLError as exc:
        raise IncidentsError(f"{file}: not YAML or JSON: {exc}") from exc
    if not isinstance(data, list):
        raise IncidentsError(f"{file}: expected a list of incidents")
    found = []
    for index, item in enumerate(data):
        try:
            spec = IncidentSpec.model_validate(item)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise IncidentsError(f"{file}: [{index}].{where}: {first['msg']}") from exc
        if spec.end <= spec.start:
            raise IncidentsError(f"{file}: [{index}]: end must be after start")
        found.append(Incident(spec.start, spec.end, spec.service, spec.name or f"#{index}",
                              tuple(spec.alerts)))
    return found
