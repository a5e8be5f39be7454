"""A no-op apply of 200 dashboards and 200 alert rules with the full refresh writes nothing.

The time it takes is measured by bench/bench_apply.py (bench/results/apply.json), not here: a
timed test on a shared machine would fail for reasons that are not slogen's.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.bench_apply import DASHBOARDS, build_tree
from generator.apply.changes import Refresh
from generator.apply.client import Credentials, grafana_client
from generator.apply.grafana import apply_grafana
from generator.apply.plan import Action, Options
from tests.apply.conftest import FAST_RETRY
from tests.grafana_emulator import Emulator


@pytest.fixture
def plain_emulator() -> Iterator[Emulator]:
    """An emulator without schema checks (other tests check the bodies; this one the count)."""
    emu = Emulator().start()
    yield emu
    emu.stop()


def test_a_noop_apply_of_200_dashboards_and_200_rules_writes_nothing(
        plain_emulator: Emulator, tmp_path: Path) -> None:
    api = tmp_path / "grafana" / "api"
    build_tree(api)
    client = grafana_client(plain_emulator.url, Credentials(token=plain_emulator.token), 1,
                            FAST_RETRY)
    assert not apply_grafana(client, api, Options(), {}).failed
    plain_emulator.reset_log()
    result = apply_grafana(client, api, Options(), {})
    assert plain_emulator.writes() == []
    assert {c.action for c in result.plan.changes} == {Action.UNCHANGED}
    # Five list calls (templates, folders, rules, rule export, datasources), a search by uid
    # per 100 dashboards, and one read per dashboard (Grafana's search gives no model).
    assert len(plain_emulator.log) == 5 + DASHBOARDS // 100 + DASHBOARDS
    plain_emulator.reset_log()
    apply_grafana(client, api, Options(refresh=Refresh.MARKERS), {})
    assert plain_emulator.writes() == []
    assert len(plain_emulator.log) <= 5
