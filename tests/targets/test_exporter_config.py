"""Golden test of out/exporter/config.yaml, and that the exporter accepts what is generated."""

from __future__ import annotations

from pathlib import Path

from generator import pipeline
from generator.exporter.config import parse_config
from generator.specfile.loader import parse_yaml
from generator.targets import exporter as exporter_config
from generator.validate.exporter_config import check_exporter_config
from generator.validate.results import Tools
from tests.conftest import TESTDATA
from tests.golden import assert_golden

CASE = TESTDATA / "exporter_config"


def test_exporter_config_matches_golden(update_golden: bool) -> None:
    model = pipeline.compile_specs(CASE / "in", None, CASE / "in")
    assert_golden(CASE / "out", exporter_config.render(model), update_golden)


def test_generated_config_loads_in_the_exporter() -> None:
    model = pipeline.compile_specs(CASE / "in", None, CASE / "in")
    text = exporter_config.render(model)[exporter_config.CONFIG_PATH]
    config = parse_config(*parse_yaml(text, "config.yaml"))
    assert [c.id for c in config.checks] == [
        "shop-backlog",
        "shop-ledger-agrees",
        "shop-open-orders",
    ]
    orders = config.checks[2]
    assert [v.metric for v in orders.values] == [
        "slogen_check_open_orders",
        "slogen_check_open_orders_largest",
    ]
    assert config.databases["orders"].url == "${ORDERS_DB_URL}"


def test_database_urls_stay_environment_references() -> None:
    model = pipeline.compile_specs(CASE / "in", None, CASE / "in")
    text = exporter_config.render(model)[exporter_config.CONFIG_PATH]
    assert "url: ${ORDERS_DB_URL}" in text


def test_a_broken_staged_config_is_a_problem(tmp_path: Path) -> None:
    model = pipeline.compile_specs(CASE / "in", None, CASE / "in")
    (tmp_path / "exporter").mkdir()
    (tmp_path / "exporter" / "config.yaml").write_text("version: slogen-exporter/v1\nchecks: 3\n")
    problems = check_exporter_config(tmp_path, model, Tools(None, None))
    assert [p.file for p in problems] == ["exporter/config.yaml"]
    assert "checks: expected a list" in problems[0].output
