"""`slogen gate` on the genesis deploy policy, for each state of the test Prometheus."""

from __future__ import annotations

import json

import pytest

from tests.live.cli import slogen, where
from tests.live.history import DEPLOY_AGO_DEGRADING, ERAS, MINUTE, T_EMPTY

pytestmark = [pytest.mark.e2e, pytest.mark.promtool]


def _gate(capsys: pytest.CaptureFixture[str], url: str, at: float, *extra: str) -> tuple[int, str]:
    result = slogen(
        capsys, "gate", "--service", "genesis", "--prometheus", url, "--time", f"{at:.0f}", *extra
    )
    return result.code, result.out


@pytest.mark.parametrize(
    "era, code, verdict, evidence",
    [
        pytest.param(
            "healthy",
            0,
            "GO",
            [
                "go        last deploy 1d6h ago, inside the 2d watch",
                "go        trigger error-rate: 0.02 (rolls back when > 0.1 for 2m)",
                "go        genesis-error-rate: 80.0% of the error budget left",
            ],
            id="healthy service deployed 30h ago may deploy",
        ),
        pytest.param(
            "slow-burn",
            0,
            "GO",
            [
                "go        genesis-error-rate: 35.0% of the error budget left",
                "outside the 2d watch: rollback triggers not evaluated",
            ],
            id="a slow burn with budget left does not block",
        ),
        pytest.param(
            "exhausted",
            1,
            "HOLD",
            [
                "hold      genesis-error-rate: -23.8% of the error budget left "
                "(policy holds below 10%)"
            ],
            id="an exhausted budget holds deploys",
        ),
        pytest.param(
            "fast-burn",
            1,
            "HOLD",
            ["hold      genesis-error-rate: page-level burn: 1h 20.0x and 5m 20.0x > 14.4x"],
            id="a page-level burn holds deploys",
        ),
        pytest.param(
            "spike",
            0,
            "GO",
            ["go        genesis-error-rate: no page-level burn"],
            id="a spike past the 6h/30m means but not their medians does not hold, as no page",
        ),
        pytest.param(
            "sustained",
            1,
            "HOLD",
            [
                "hold      genesis-error-rate: page-level burn: 6h 6.7x > 6x "
                "(median 10.0x > 1x) and 30m median 10.0x > 6x"
            ],
            id="a sustained burn holds on the medians the page alert reads",
        ),
        pytest.param(
            "degrading",
            3,
            "ROLL BACK",
            [
                "go        last deploy 20m ago, inside the 2d watch",
                "roll back trigger test-pass-rate: 96 < 98, held for 5m",
                "roll back trigger error-rate: 0.5 > 0.1, held for 2m",
                "roll back trigger latency-p95: 0.3667 > 0.2, held for 5m",
            ],
            id="a fresh deploy crossing the seed 003 triggers rolls back",
        ),
    ],
)
def test_gate_verdict_per_state(
    capsys: pytest.CaptureFixture[str],
    prometheus_url: str,
    era: str,
    code: int,
    verdict: str,
    evidence: list[str],
) -> None:
    got, out = _gate(capsys, prometheus_url, ERAS[era][0])
    assert got == code, out
    assert out.splitlines()[0].startswith("genesis / deploy at ")
    assert out.splitlines()[0].endswith(f": {verdict} (exit {code})")
    for line in evidence:
        assert line in out


def test_triggers_not_yet_held_for_their_duration_hold(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    two_minutes_after_deploy = ERAS["degrading"][0] - DEPLOY_AGO_DEGRADING + 2 * MINUTE
    code, out = _gate(capsys, prometheus_url, two_minutes_after_deploy)
    assert code == 1, out  # hold is 1; 2 is kept for usage and spec errors
    assert (
        "hold      trigger test-pass-rate: 96 < 98 for 1m since the deploy, of the 5m that "
        "roll back: pending" in out
    )
    assert "hold      trigger error-rate: 0.212 > 0.1 for 1m since the deploy" in out
    assert "go        trigger latency-p95:" in out


def test_deploy_time_from_the_command_line_starts_the_watch(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    at = ERAS["slow-burn"][0]
    code, out = _gate(capsys, prometheus_url, at, "--deployed-at", f"{at - 3600:.0f}")
    assert code == 3, out
    assert "roll back trigger error-rate: 0.2 > 0.1, held for 2m" in out


def test_missing_data_is_never_go(capsys: pytest.CaptureFixture[str], prometheus_url: str) -> None:
    code, out = _gate(capsys, prometheus_url, T_EMPTY)
    assert code == 4, out
    assert ": NO DATA (exit 4)" in out.splitlines()[0]
    assert (
        "no data   cannot tell when the last deploy was: "
        'max(process_start_time_seconds{job="genesis"}) returned nothing' in out
    )


def test_unreachable_prometheus_is_no_data(
    capsys: pytest.CaptureFixture[str], closed_url: str
) -> None:
    code, out = _gate(capsys, closed_url, T_EMPTY)
    assert code == 4
    assert f"no data   cannot reach Prometheus at {closed_url}: " in out


def test_json_output_carries_verdict_and_evidence(
    capsys: pytest.CaptureFixture[str], prometheus_url: str
) -> None:
    code, out = _gate(capsys, prometheus_url, ERAS["degrading"][0], "--format", "json")
    doc = json.loads(out)
    data = doc["data"]
    assert code == 3
    assert (data["verdict"], doc["exit_code"], data["policy"]) == ("roll back", 3, "deploy")
    rollbacks = [f for f in data["findings"] if f["verdict"] == "roll back"]
    assert [f["source"] for f in rollbacks] == [
        where(f"policies[0].rollback.triggers[{i}]") for i in range(3)
    ]


@pytest.mark.parametrize(
    "args, message",
    [
        pytest.param(
            ["--service", "genesis", "--policy", "nope"],
            "slogen: unknown policy 'nope' of genesis; known: deploy",
            id="unknown policy",
        ),
        pytest.param(
            ["--service", "hive"],
            "slogen: service 'hive' declares no policies: add `policies:` to its spec",
            id="service without policies",
        ),
        pytest.param(
            ["--service", "nope"],
            "slogen: unknown service 'nope'; known: archon-intelligence, "
            "devdiag, genesis, hive, nba-prevention",
            id="unknown service",
        ),
    ],
)
def test_bad_usage_exits_2(
    capsys: pytest.CaptureFixture[str], closed_url: str, args: list[str], message: str
) -> None:
    result = slogen(capsys, "gate", "--prometheus", closed_url, *args)
    assert result.code == 2
    assert result.err.strip() == message
