"""`slogen apply --rules-to mimir` against an emulated Mimir ruler: plan, no-op, prune."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator.cli import main
from tests.conftest import TESTDATA
from tests.mimir_emulator import PREFIX, MimirRuler

RULES = TESTDATA / "apply" / "rules" / "prometheus"


@pytest.fixture
def ruler(monkeypatch: pytest.MonkeyPatch) -> Iterator[MimirRuler]:
    """A ruler emulator, with the environment a CI job would set."""
    emu = MimirRuler().start()
    monkeypatch.setenv("MIMIR_URL", emu.url)
    monkeypatch.setenv("MIMIR_TENANT", "team-a")
    monkeypatch.delenv("GRAFANA_URL", raising=False)
    yield emu
    emu.stop()


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """The reference rule files in a writable out/ tree."""
    shutil.copytree(RULES, tmp_path / "out" / "prometheus")
    return tmp_path / "out"


def _apply(out: Path, *extra: str) -> int:
    return main(["apply", "--out", str(out), "--rules-to", "mimir", *extra])


def test_push_then_noop_then_one_change(ruler: MimirRuler, out: Path) -> None:
    assert _apply(out) == 0
    spaces = ruler.groups["team-a"]
    assert sorted(spaces) == sorted(f"slogen-{p.name.removesuffix('.rules.yaml')}"
                                    for p in RULES.glob("*.rules.yaml"))
    ruler.log.clear()
    assert _apply(out) == 0
    assert ruler.log == [("GET", PREFIX)]
    checkout = out / "prometheus" / "checkout.rules.yaml"
    checkout.write_text(checkout.read_text().replace("for: 2m", "for: 5m"))
    ruler.log.clear()
    assert _apply(out) == 0
    assert ruler.writes() == [("POST", f"{PREFIX}/slogen-checkout")]
    assert ruler.groups["team-a"]["slogen-checkout"]["slo-checkout-alerts"]["rules"][0][
        "for"] == "5m"


def test_prune_only_touches_slogen_namespaces(ruler: MimirRuler, out: Path) -> None:
    ruler.groups["team-a"] = {"their-own": {"legacy": {"name": "legacy", "rules": [
        {"record": "x:y:z", "expr": "1"}]}}}
    assert _apply(out) == 0
    (out / "prometheus" / "payments.rules.yaml").unlink()
    assert _apply(out, "--dry-run", "--prune") == 0
    assert "slo-payments-latency" in ruler.groups["team-a"]["slogen-payments"]
    assert _apply(out, "--prune") == 0
    assert not ruler.groups["team-a"].get("slogen-payments")
    assert "legacy" in ruler.groups["team-a"]["their-own"]


def test_a_transient_ruler_error_is_retried(ruler: MimirRuler, out: Path) -> None:
    ruler.fail_next = [503, 502]
    assert _apply(out) == 0
    assert len(ruler.groups["team-a"]) == len(list(RULES.glob("*.rules.yaml")))


def test_a_rejected_group_fails_the_run_with_the_rulers_message(
        ruler: MimirRuler, out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (out / "prometheus" / "zz.rules.yaml").write_text(
        "groups:\n  - name: bad\n    rules:\n      - record: a:b:c\n")
    assert _apply(out) == 1
    assert ("rule group slogen-zz/bad: POST /prometheus/config/v1/rules/slogen-zz -> 400: "
            "group bad: field 'expr' must be set in rule") in capsys.readouterr().out
