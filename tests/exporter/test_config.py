"""The exporter config is validated like specs: located errors, every problem at once."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from generator.core.errors import SpecErrors
from generator.exporter.config import load_config
from tests.exporter.conftest import reference_config

GOOD: dict[str, Any] = {
    "version": "slogen-exporter/v1",
    "listen": "127.0.0.1:9560",
    "databases": {"main": {"url": "${MAIN_DB_URL}"}},
    "checks": [
        {
            "id": "svc-rows",
            "service": "svc",
            "name": "rows",
            "help": "Rows.",
            "database": "main",
            "every": "1m",
            "timeout": "10s",
            "sql": "SELECT 1 AS value",
            "values": [{"column": "value", "metric": "slogen_check_rows"}],
            "labels": [],
        }
    ],
}


def _write(tmp_path: Path, data: dict[str, Any]) -> Path:
    path = tmp_path / "config.yaml"
    with path.open("w", encoding="utf-8") as handle:
        YAML().dump(data, handle)
    return path


DELETE = object()


def _changed(path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD)
    target: Any = data
    for key in path[:-1]:
        target = target[key]
    if value is DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return data


def test_a_good_config_loads(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, GOOD))
    assert config.checks[0].timeout_seconds == 10.0


def test_the_generated_reference_config_is_valid() -> None:
    config = reference_config()
    assert len(config.checks) == 17
    assert {c.database for c in config.checks} <= set(config.databases)


@pytest.mark.parametrize(
    "path, value, message",
    [
        pytest.param(
            ("checks", 0, "database"),
            "other",
            "checks[0].database: unknown database 'other'; known: main",
            id="a check names an undeclared database",
        ),
        pytest.param(
            ("checks", 0, "labels"),
            ["service"],
            "checks[0]: label columns service are reserved by the exporter",
            id="service is a reserved label",
        ),
        pytest.param(
            ("checks", 0, "timeout"),
            "2m",
            "checks[0]: timeout is longer than the interval",
            id="timeout may not exceed the interval",
        ),
        pytest.param(
            ("checks", 0, "every"),
            "5x",
            "checks[0].every: '5x' is not a Prometheus duration",
            id="durations need known units",
        ),
        pytest.param(
            ("checks", 0, "labels"),
            ["bad-name"],
            "checks[0].labels[0]: 'bad-name' is not valid here",
            id="label columns are label names",
        ),
        pytest.param(
            ("checks", 0, "sqll"),
            "x",
            "checks[0].sqll: unknown key 'sqll'; did you mean 'sql'?",
            id="unknown keys are errors",
        ),
        pytest.param(
            ("version",),
            "v0",
            "version: expected version: slogen-exporter/v1",
            id="the version is checked first",
        ),
        pytest.param(
            ("checks", 0, "sql"),
            DELETE,
            "checks[0].sql: required key is missing",
            id="a check needs its query",
        ),
        pytest.param(
            ("checks", 0, "sql"),
            "",
            "checks[0].sql: must not be empty",
            id="an empty query",
        ),
        pytest.param(
            ("checks", 0, "help"),
            12,
            "checks[0].help: expected text, got 12; quote it if you mean the text: '12'",
            id="text fields take text",
        ),
        pytest.param(
            ("checks", 0, "timeout"),
            "0s",
            "checks[0].timeout: must be longer than 0s",
            id="a zero timeout",
        ),
        pytest.param(
            ("checks", 0, "values"),
            [],
            "checks[0].values: must not be empty",
            id="a check exports at least one value",
        ),
        pytest.param(
            ("checks", 0, "values", 0, "metric"),
            "slogen-check",
            "checks[0].values[0].metric: 'slogen-check' is not valid here: a metric name",
            id="metric names",
        ),
        pytest.param(
            ("checks", 0, "labels"),
            ["value"],
            "checks[0]: columns value are both values and labels",
            id="a column is a value or a label",
        ),
        pytest.param(
            ("checks", 0, "alert"),
            {"above": 1, "below": 0},
            "checks[0].alert: give exactly one of above, below, outside or equals (got above, "
            "below)",
            id="one alert condition",
        ),
        pytest.param(
            ("checks", 0, "alert"),
            {"outside": [5, 1]},
            "checks[0].alert: outside needs [low, high] with low < high (got [5.0, 1.0])",
            id="outside is low then high",
        ),
        pytest.param(
            ("checks", 0, "alert"),
            {"below": "1"},
            "checks[0].alert.below: expected a number, got '1'",
            id="conditions are numbers",
        ),
        pytest.param(
            ("checks", 0, "compare"),
            {"database": "main", "sql": "SELECT 1 AS value", "tolerance": -1},
            "checks[0].compare.tolerance: must be greater than or equal to 0 (got -1)",
            id="a tolerance is not negative",
        ),
        pytest.param(
            ("databases", "main", "pool_size"),
            0,
            "databases.main.pool_size: must be between 1 and 50 (got 0)",
            id="pool sizes are bounded",
        ),
        pytest.param(
            ("databases", "Main"),
            {"url": "sqlite://"},
            "databases.Main: 'Main' is not valid here: use lower-case letters",
            id="database names are identifiers",
        ),
        pytest.param(
            ("listen",),
            "9560",
            "listen: '9560' is not valid here: expected HOST:PORT",
            id="listen is host and port",
        ),
        pytest.param(
            ("checks",),
            {"id": "x"},
            "checks: expected a list, got a mapping",
            id="checks are a list",
        ),
    ],
)
def test_invalid_config(
    tmp_path: Path, path: tuple[str | int, ...], value: Any, message: str
) -> None:
    config_path = _write(tmp_path, _changed(path, value))
    with pytest.raises(SpecErrors) as caught:
        load_config(config_path)
    assert any(message in str(e) for e in caught.value.errors), caught.value
    assert all(str(e).startswith(f"{config_path}:") for e in caught.value.errors)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    data = _changed(("checks", 0, "every"), "soon")
    data["checks"].append(copy.deepcopy(data["checks"][0]) | {"database": "other"})
    with pytest.raises(SpecErrors) as caught:
        load_config(_write(tmp_path, data))
    assert [e.path for e in caught.value.errors] == ["checks[0].every", "checks[1].every"]
    data["checks"][0]["every"] = data["checks"][1]["every"] = "1m"
    with pytest.raises(SpecErrors) as caught:
        load_config(_write(tmp_path, data))
    assert [(e.path, e.message) for e in caught.value.errors] == [
        ("checks[1].id", "duplicate check id 'svc-rows'"),
        ("checks[1].database", "unknown database 'other'; known: main"),
    ]


def test_errors_carry_the_line(tmp_path: Path) -> None:
    config_path = _write(tmp_path, _changed(("checks", 0, "database"), "other"))
    with pytest.raises(SpecErrors) as caught:
        load_config(config_path)
    line = next(
        i
        for i, text in enumerate(config_path.read_text().splitlines(), 1)
        if "database: other" in text
    )
    assert str(caught.value.errors[0]).startswith(f"{config_path}:{line}:")
