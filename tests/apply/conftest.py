"""Fixtures for apply tests: a Grafana emulator per test and a client pointed at it."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.apply.client import Credentials, HttpClient, RetryPolicy, grafana_client
from tests.conftest import TESTDATA
from tests.grafana_emulator import Emulator
from tests.grafana_schema import GrafanaSpec

BASIC = TESTDATA / "apply" / "basic"
ENVIRON = {"PG_PASSWORD": "pg-secret-value", "SLACK_WEBHOOK_URL": "https://hooks.example/secret"}
FAST_RETRY = RetryPolicy(attempts=4, base_delay=0.001, max_delay=0.01, timeout=2.0)


@pytest.fixture
def emulator(grafana_spec: GrafanaSpec) -> Iterator[Emulator]:
    """A fresh emulated Grafana on loopback that checks request bodies against the OpenAPI spec,
    and fails the test if any of its answers is not one Grafana's API definitions allow."""
    emu = Emulator(validator=grafana_spec.validate_request,
                   answer_check=grafana_spec.validate_response).start()
    yield emu
    emu.stop()
    assert emu.answer_problems == [], "\n".join(emu.answer_problems)


@pytest.fixture
def client(emulator: Emulator) -> HttpClient:
    """A token-authenticated client for the emulator, with quick retries."""
    return grafana_client(emulator.url, Credentials(token=emulator.token), org_id=1,
                          retry=FAST_RETRY)


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """A writable copy of the basic generated tree."""
    dest = tmp_path / "out"
    shutil.copytree(BASIC, dest)
    return dest
