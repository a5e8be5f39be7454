"""The exporter's config file (`out/exporter/config.yaml`): loaded and validated like specs.

Plain frozen dataclasses, read by `configread.Reader`: every problem is reported at once with
file, line and key path, as for specs. The exporter reads only its own config: it imports
neither the spec language's models nor the pipeline, nor pydantic, which would cost the
long-running process memory it never uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from generator.core.errors import Loc, SpecError, SpecErrors
from generator.core.naming import LABEL_CHECK, LABEL_SERVICE
from generator.exporter.configread import IDENTIFIER, LABEL_NAME, METRIC_NAME, Reader
from generator.specfile.yamlread import Locator, parse_yaml

CONFIG_VERSION = "slogen-exporter/v1"
RESERVED_LABELS = frozenset({LABEL_SERVICE, LABEL_CHECK})
MAX_CONFIG_BYTES = 4 * 1024 * 1024
DEFAULT_LISTEN = "127.0.0.1:9560"
DEFAULT_POOL_SIZE = 2
_CONDITIONS = ("above", "below", "outside", "equals")


@dataclass(frozen=True)
class Comparison:
    """The value that means failure: exactly one of above, below, outside or equals."""

    above: float | None = None
    below: float | None = None
    outside: tuple[float, float] | None = None
    equals: float | None = None


@dataclass(frozen=True)
class DatabaseConfig:
    """A database: URL (or `${ENV_VAR}` holding one) and pool size."""

    url: str
    pool_size: int = DEFAULT_POOL_SIZE


@dataclass(frozen=True)
class ValueColumn:
    """A result column that becomes the value of metric `metric`."""

    column: str
    metric: str


@dataclass(frozen=True)
class CompareConfig:
    """A second query whose value is compared with the check's; the difference is exported."""

    database: str
    sql: str
    tolerance: float = 0.0


@dataclass(frozen=True)
class CheckConfig:
    """One health check: its query, schedule, columns and the condition that means failure."""

    id: str
    service: str
    name: str
    help: str
    database: str
    every: timedelta
    timeout: timedelta
    sql: str
    values: tuple[ValueColumn, ...]
    labels: tuple[str, ...] = ()
    compare: CompareConfig | None = None
    alert: Comparison | None = None

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


@dataclass(frozen=True)
class ExporterConfig:
    """The whole exporter config."""

    listen: str = DEFAULT_LISTEN
    databases: Mapping[str, DatabaseConfig] = field(default_factory=dict)
    checks: tuple[CheckConfig, ...] = ()


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
    read = Reader(locator)
    top = read.mapping(data, (), ["version"], ["listen", "databases", "checks"]) or {}
    listen = read.text(top.get("listen", DEFAULT_LISTEN), ("listen",))
    _, colon, port = (listen or "").rpartition(":")
    if listen is not None and (not colon or not port.isdigit() or any(c.isspace() for c in listen)):
        read.fail(("listen",), f"{listen!r} is not valid here: expected HOST:PORT")
    databases = _databases(read, top.get("databases", {}))
    raw_checks = read.items(top.get("checks", []), ("checks",)) or []
    checks = [_check(read, item, ("checks", i)) for i, item in enumerate(raw_checks)]
    if read.errors:
        raise SpecErrors(read.errors)
    config = ExporterConfig(listen or DEFAULT_LISTEN, databases,
                            tuple(c for c in checks if c is not None))
    errors = _cross_errors(config, locator)
    if errors:
        raise SpecErrors(errors)
    return config


def _databases(read: Reader, value: Any) -> dict[str, DatabaseConfig]:
    out: dict[str, DatabaseConfig] = {}
    for name, item in (read.mapping(value, ("databases",), [], value) or {}).items():
        loc: Loc = ("databases", name)
        read.text(name, loc, IDENTIFIER)
        fields = read.mapping(item, loc, ["url"], ["pool_size"])
        if fields is None:
            continue
        url = read.text(fields.get("url"), (*loc, "url"))
        size = read.integer(fields.get("pool_size", DEFAULT_POOL_SIZE), (*loc, "pool_size"), 1, 50)
        if url is not None and size is not None:
            out[name] = DatabaseConfig(url, size)
    return out


def _check(read: Reader, value: Any, loc: Loc) -> CheckConfig | None:
    before = len(read.errors)
    required = ["id", "service", "name", "help", "database", "every", "timeout", "sql", "values"]
    fields = read.mapping(value, loc, required, ["labels", "compare", "alert"])
    if fields is None:
        return None
    names = ("id", "service", "name", "help", "sql")
    text = {k: read.text(fields.get(k), (*loc, k)) for k in names}
    database = read.text(fields.get("database"), (*loc, "database"), IDENTIFIER)
    every = read.duration(fields.get("every"), (*loc, "every"))
    timeout = read.duration(fields.get("timeout"), (*loc, "timeout"))
    values = [_value(read, v, (*loc, "values", i)) for i, v in
              enumerate(read.items(fields.get("values"), (*loc, "values"), at_least=1) or [])]
    labels = [read.text(v, (*loc, "labels", i), LABEL_NAME) for i, v in
              enumerate(read.items(fields.get("labels", []), (*loc, "labels")) or [])]
    compare = _compare(read, fields["compare"], (*loc, "compare")) if "compare" in fields else None
    alert = _comparison(read, fields["alert"], (*loc, "alert")) if "alert" in fields else None
    if len(read.errors) > before:
        return None
    assert database is not None and every is not None and timeout is not None
    check = CheckConfig(
        str(text["id"]), str(text["service"]), str(text["name"]), str(text["help"]), database,
        every, timeout, str(text["sql"]), tuple(v for v in values if v is not None),
        tuple(str(label) for label in labels), compare, alert)
    problem = _check_rule(check)
    if problem:
        read.fail(loc, problem)
        return None
    return check


def _check_rule(check: CheckConfig) -> str | None:
    reserved = sorted(RESERVED_LABELS & set(check.labels))
    if reserved:
        return f"label columns {', '.join(reserved)} are reserved by the exporter"
    overlap = sorted({v.column for v in check.values} & set(check.labels))
    if overlap:
        return f"columns {', '.join(overlap)} are both values and labels"
    if check.timeout > check.every:
        return "timeout is longer than the interval `every`"
    if check.compare is not None and (check.labels or len(check.values) != 1):
        return "a compare check returns one value column and no label columns"
    return None


def _value(read: Reader, value: Any, loc: Loc) -> ValueColumn | None:
    fields = read.mapping(value, loc, ["column", "metric"])
    if fields is None:
        return None
    column = read.text(fields.get("column"), (*loc, "column"), LABEL_NAME)
    metric = read.text(fields.get("metric"), (*loc, "metric"), METRIC_NAME)
    return ValueColumn(column, metric) if column is not None and metric is not None else None


def _compare(read: Reader, value: Any, loc: Loc) -> CompareConfig | None:
    fields = read.mapping(value, loc, ["database", "sql"], ["tolerance"])
    if fields is None:
        return None
    database = read.text(fields.get("database"), (*loc, "database"), IDENTIFIER)
    sql = read.text(fields.get("sql"), (*loc, "sql"))
    tolerance = read.number(fields.get("tolerance", 0.0), (*loc, "tolerance"), at_least=0)
    if database is None or sql is None or tolerance is None:
        return None
    return CompareConfig(database, sql, tolerance)


def _comparison(read: Reader, value: Any, loc: Loc) -> Comparison | None:
    fields = read.mapping(value, loc, [], _CONDITIONS)
    if fields is None:
        return None
    given = [k for k in _CONDITIONS if fields.get(k) is not None]
    if len(given) != 1:
        read.fail(loc, "give exactly one of above, below, outside or equals"
                  + (f" (got {', '.join(given)})" if given else ""))
        return None
    name = given[0]
    if name != "outside":
        number = read.number(fields[name], (*loc, name))
        if number is None:
            return None
        return Comparison(above=number if name == "above" else None,
                          below=number if name == "below" else None,
                          equals=number if name == "equals" else None)
    pair = read.items(fields[name], (*loc, name), at_least=2)
    if pair is None:
        return None
    if len(pair) != 2:
        read.fail((*loc, name), f"expected [low, high], got {len(pair)} items")
        return None
    low, high = (read.number(v, (*loc, name, i)) for i, v in enumerate(pair))
    if low is None or high is None:
        return None
    if low >= high:
        read.fail(loc, f"outside needs [low, high] with low < high (got {[low, high]})")
        return None
    return Comparison(outside=(low, high))


def _cross_errors(config: ExporterConfig, locator: Locator) -> list[SpecError]:
    errors: list[SpecError] = []
    databases = config.databases
    known = sorted(databases)
    seen: set[str] = set()
    for index, check in enumerate(config.checks):
        if check.id in seen:
            errors.append(
                locator.error(("checks", index, "id"), f"duplicate check id {check.id!r}")
            )
        seen.add(check.id)
        wanted: list[tuple[Loc, str]] = [(("checks", index, "database"), check.database)]
        if check.compare is not None:
            wanted.append((("checks", index, "compare", "database"), check.compare.database))
        for loc, name in wanted:
            if name not in databases:
                errors.append(
                    locator.error(
                        loc, f"unknown database {name!r}; known: {', '.join(known) or '(none)'}"
                    )
                )
    return errors
