"""The exporter's config file (`out/exporter/config.yaml`): loaded and validated like specs."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from generator.naming import LABEL_CHECK, LABEL_SERVICE
from generator.spec.errors import SpecError, SpecErrors
from generator.spec.messages import translate_errors
from generator.spec.types import Identifier, LabelName, MetricName, PositiveDuration
from generator.spec.yamlread import Locator, parse_yaml

# The exporter reads only its own config: it imports neither the spec language's models nor the
# pipeline, which would cost the long-running process memory it never uses.
CONFIG_VERSION = "slogen-exporter/v1"
MAX_CONFIG_BYTES = 4 * 1024 * 1024
RESERVED_LABELS = frozenset({LABEL_SERVICE, LABEL_CHECK})


class ConfigModel(BaseModel):
    """Base of every config model: frozen, unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DatabaseConfig(ConfigModel):
    """A database: SQLAlchemy URL (or `${ENV_VAR}` holding one) and pool size."""

    url: str = Field(min_length=1)
    pool_size: int = Field(default=2, ge=1, le=50)


class Comparison(ConfigModel):
    """The value that means failure: exactly one of above, below, outside or equals."""

    above: float | None = None
    below: float | None = None
    outside: tuple[float, float] | None = None
    equals: float | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Comparison:
        given = [k for k in ("above", "below", "outside", "equals") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of above, below, outside or equals"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.outside is not None and self.outside[0] >= self.outside[1]:
            raise ValueError(
                f"outside needs [low, high] with low < high (got {list(self.outside)})")
        return self


class ValueColumn(ConfigModel):
    """A result column that becomes the value of metric `metric`."""

    column: LabelName
    metric: MetricName


class CompareConfig(ConfigModel):
    """A second query whose value is compared with the check's; the difference is exported."""

    database: Identifier
    sql: str = Field(min_length=1)
    tolerance: float = Field(default=0.0, ge=0)


class CheckConfig(ConfigModel):
    """One health check: its query, schedule, columns and the condition that means failure."""

    id: str = Field(min_length=1)
    service: str = Field(min_length=1)
    name: str = Field(min_length=1)
    help: str = Field(min_length=1)
    database: Identifier
    every: PositiveDuration
    timeout: PositiveDuration
    sql: str = Field(min_length=1)
    values: list[ValueColumn] = Field(min_length=1)
    labels: list[LabelName] = Field(default_factory=list)
    compare: CompareConfig | None = None
    alert: Comparison | None = None

    @model_validator(mode="after")
    def _columns(self) -> CheckConfig:
        reserved = sorted(RESERVED_LABELS & set(self.labels))
        if reserved:
            raise ValueError(f"label columns {', '.join(reserved)} are reserved by the exporter")
        overlap = sorted({v.column for v in self.values} & set(self.labels))
        if overlap:
            raise ValueError(f"columns {', '.join(overlap)} are both values and labels")
        if self.timeout > self.every:
            raise ValueError("timeout is longer than the interval `every`")
        if self.compare is not None and (self.labels or len(self.values) != 1):
            raise ValueError("a compare check returns one value column and no label columns")
        return self

    @property
    def columns(self) -> frozenset[str]:
        """Every column the query must return."""
        return frozenset({v.column for v in self.values} | set(self.labels))

    @property
    def databases(self) -> tuple[str, ...]:
        """The databases this check reads."""
        return (self.database,) + ((self.compare.database,) if self.compare else ())

    @property
    def timeout_seconds(self) -> float:
        """Timeout in seconds."""
        return self.timeout / timedelta(seconds=1)


class ExporterConfig(ConfigModel):
    """The whole exporter config."""

    version: Literal["slogen-exporter/v1"]
    listen: str = Field(default="127.0.0.1:9560", pattern=r"^[^\s]*:\d+$")
    databases: dict[Identifier, DatabaseConfig] = Field(default_factory=dict)
    checks: list[CheckConfig] = Field(default_factory=list)


def load_config(path: Path) -> ExporterConfig:
    """Read and validate the config file; raise SpecErrors listing every problem."""
    shown = str(path)
    try:
        if path.stat().st_size > MAX_CONFIG_BYTES:
            raise SpecErrors([SpecError(shown, None, None, "(document)",
                                        f"file is larger than {MAX_CONFIG_BYTES >> 20} MiB")])
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise SpecErrors([SpecError(shown, None, None, "(document)",
                                    f"file is not UTF-8 text ({exc.reason})")]) from None
    except OSError as exc:
        raise SpecErrors([SpecError(shown, None, None, "(document)",
                                    f"cannot read file: {exc.strerror}")]) from None
    return parse_config(*parse_yaml(text, shown))


def parse_config(data: Any, locator: Locator) -> ExporterConfig:
    """Validate parsed config data; cross-object rules (unknown database, duplicate id) too."""
    if not isinstance(data, dict) or data.get("version") != CONFIG_VERSION:
        raise SpecErrors([locator.error(("version",), f"expected version: {CONFIG_VERSION}")])
    try:
        config = ExporterConfig.model_validate(data)
    except ValidationError as exc:
        raise SpecErrors(translate_errors(ExporterConfig, exc.errors(), locator)) from None
    errors = _cross_errors(config, locator)
    if errors:
        raise SpecErrors(errors)
    return config


def _cross_errors(config: ExporterConfig, locator: Locator) -> list[SpecError]:
    errors: list[SpecError] = []
    known = sorted(config.databases)
    seen: set[str] = set()
    for index, check in enumerate(config.checks):
        if check.id in seen:
            errors.append(
                locator.error(("checks", index, "id"), f"duplicate check id {check.id!r}")
            )
        seen.add(check.id)
        wanted: list[tuple[tuple[str | int, ...], str]] = [
            (("checks", index, "database"), check.database)
        ]
        if check.compare is not None:
            wanted.append((("checks", index, "compare", "database"), check.compare.database))
        for loc, name in wanted:
            if name not in config.databases:
                errors.append(
                    locator.error(
                        loc, f"unknown database {name!r}; known: {', '.join(known) or '(none)'}"
                    )
                )
    return errors
