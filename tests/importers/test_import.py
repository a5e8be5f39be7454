"""`slogen import`: Sloth and OpenSLO files become valid slogen specs; what cannot be carried
over is reported; imported Sloth SLOs alert on the same series as Sloth's own rules."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from generator import pipeline
from generator.cli import main
from tests.conftest import TESTDATA

CASES = TESTDATA / "import"


def _import(tmp_path: Path, fmt: str, name: str, capsys: pytest.CaptureFixture[str],
            code: int = 0) -> tuple[Path, str]:
    out = tmp_path / "slos"
    assert main(["import", fmt, str(CASES / name), "--out", str(out)]) == code
    (out / "_global.yaml").write_text("version: slogen/v1\n")
    return out, capsys.readouterr().err


def test_sloth_file_becomes_a_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = _import(tmp_path, "sloth", "sloth.yaml", capsys)
    spec = YAML(typ="safe").load((out / "checkout.yaml").read_text())
    assert spec["team"] == "payments"
    slo, raw = spec["slos"]
    assert slo["sli"]["events"]["bad"].endswith('code=~"(5..|429)"}[{{window}}]))')
    # Sloth's own semantics are kept: plain-mean windows, no hold after resolving.
    assert slo["alerting"]["page"] == {"labels": {"routing_key": "payments"},
                                       "sustained": False, "keep_firing_for": "0s"}
    assert {k: slo["alerting"]["ticket"][k] for k in ("sustained", "keep_firing_for")} == {
        "sustained": False, "keep_firing_for": "0s"}
    assert raw["sli"] == {"raw": {"error_ratio": "sum(rate(slow_total[{{window}}])) / "
                                                 "sum(rate(all_total[{{window}}]))"}}
    assert "severity label 'pageteam' becomes slogen's critical severity" in err
    model = pipeline.compile_specs(out, None)
    assert [s.id for s in model.service("checkout").slos] == ["checkout-requests-availability",
                                                               "checkout-latency"]


def test_sloth_crd_becomes_a_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = _import(tmp_path, "sloth", "sloth-crd.yaml", capsys)
    slo = pipeline.compile_specs(out, None).service("search").slos[0]
    assert [w.level for w in slo.burn_windows] == ["page", "page", "page"]
    assert slo.alert_name == "SearchErrors"


def test_openslo_file_becomes_a_spec(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, err = _import(tmp_path, "openslo", "openslo.yaml", capsys)
    web = pipeline.compile_specs(out, None).service("web")
    assert web.team == "frontend"
    slo, latency = web.slos
    assert (slo.objective, slo.window.days) == (99.5, 28)
    assert (latency.objective, latency.window.days, latency.sli.kind) == (99, 7, "threshold")
    assert slo.sli.total("5m") == 'sum(rate(http_requests_total{job="web"}[5m]))'
    assert "alertPolicies: note: the alert policies hold no burnrate condition" in err


def test_import_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = _import(tmp_path, "sloth", "sloth-crd.yaml", capsys)
    assert main(["import", "sloth", str(CASES / "sloth-crd.yaml"), "--out", str(out)]) == 2
    assert "exists; pass --force" in capsys.readouterr().err


@pytest.mark.parametrize(("out", "message"), [
    ("notes.txt", "--out {tmp}/notes.txt is a file, not a directory; give the directory to "
                  "write the specs into (it is created if missing)"),
    ("notes.txt/slos", "--out {tmp}/notes.txt/slos: cannot write {tmp}/notes.txt/slos: Not a "
                       "directory"),
    ("taken", "{tmp}/taken/checkout.yaml is a directory; move it or choose another --out"),
])
def test_an_out_that_cannot_hold_the_specs_is_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], out: str, message: str) -> None:
    # Each ended in an internal error (FileExistsError, NotADirectoryError, IsADirectoryError).
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    (tmp_path / "taken" / "checkout.yaml").mkdir(parents=True)
    code = main(["import", "sloth", str(CASES / "sloth.yaml"), "--out", str(tmp_path / out),
                 "--force"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.splitlines()[-1] == "slogen: " + message.format(tmp=tmp_path)
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_not_a_sloth_file_is_a_spec_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                          ) -> None:
    assert main(["import", "sloth", str(CASES / "openslo.yaml"), "--out", str(tmp_path)]) == 2
    assert "not a Sloth spec" in capsys.readouterr().err


SLOTH_WINDOWS = {"page": ((14.4, "1h", "5m"), (6, "6h", "30m")),
                 "ticket": ((3, "1d", "2h"), (1, "3d", "6h"))}


def _sloth_style_rules(errors: str, total: str, budget: float) -> dict[str, object]:
    """Sloth's documented output for one SLO: every window's ratio from the raw counters."""
    windows = sorted({w for pairs in SLOTH_WINDOWS.values() for _, lg, sh in pairs
                      for w in (lg, sh)})
    rules: list[dict[str, object]] = [
        {"record": f"sloth:ratio_rate{w}",
         "expr": f"({errors.replace('{{.window}}', w)}) / ({total.replace('{{.window}}', w)})"}
        for w in windows]
    for level, pairs in SLOTH_WINDOWS.items():
        expr = " or ".join(f"(sloth:ratio_rate{lg} > ({f} * {budget}) and "
                           f"sloth:ratio_rate{sh} > ({f} * {budget}))" for f, lg, sh in pairs)
        rules.append({"alert": "SlothBurn", "expr": expr, "labels": {"sloth_severity": level}})
    return {"groups": [{"name": "sloth", "rules": rules}]}


@pytest.mark.promtool
def test_imported_sloth_alerts_fire_with_sloths_own(tmp_path: Path, promtool: str,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = _import(tmp_path, "sloth", "sloth.yaml", capsys)
    files = pipeline.render(pipeline.compile_specs(out, None), frozenset({"prometheus"}))
    (tmp_path / "slogen.yaml").write_text(files[Path("prometheus/checkout.rules.yaml")])
    source = YAML(typ="safe").load((CASES / "sloth.yaml").read_text())["slos"][0]["sli"]["events"]
    yaml = YAML()
    with (tmp_path / "sloth.yaml").open("w") as fh:
        yaml.dump(_sloth_style_rules(source["error_query"], source["total_query"], 0.001), fh)
    # 2% errors (20x the budget) from 30m to 150m: both page and ticket cross, then page stops.
    errors = "0+0x30 0+1x120 120+0x60"
    checks = []
    for at in ("60m", "90m", "150m", "170m", "210m"):
        for ours, theirs in (("critical", "page"), ("warning", "ticket")):
            mine = (f'ALERTS{{alertname="CheckoutHighErrorRate", alertstate="firing", '
                    f'severity="{ours}"}}')
            sloth = (f'ALERTS{{alertname="SlothBurn", alertstate="firing", '
                     f'sloth_severity="{theirs}"}}')
            checks.append({"expr": f"(count({mine}) or vector(0)) == bool "
                                   f"(count({sloth}) or vector(0))",
                           "eval_time": at, "exp_samples": [{"labels": "{}", "value": 1}]})
            checks.append({"expr": f"count({sloth}) or vector(0)", "eval_time": at,
                           "exp_samples": [{"labels": "{}", "value": _sloth_fires(at, theirs)}]})
    test = {"rule_files": ["slogen.yaml", "sloth.yaml"], "evaluation_interval": "1m",
            "tests": [{"interval": "1m", "input_series": [
                {"series": 'http_requests_total{job="checkout", code="500"}',
                 "values": errors},
                {"series": 'http_requests_total{job="checkout", code="200"}',
                 "values": "0+49x210"},
            ], "promql_expr_test": checks}]}
    with (tmp_path / "equal.test.yaml").open("w") as fh:
        yaml.dump(test, fh)
    result = subprocess.run([promtool, "test", "rules", "equal.test.yaml"], cwd=tmp_path,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr


def _sloth_fires(at: str, level: str) -> int:
    # By hand: the 6h/30m page pair (0.6%) crosses within the spike's first 30m (6h holds only
    # the data so far) and holds until 30m after it; the ticket pairs hold throughout.
    table = {("60m", "page"): 1, ("90m", "page"): 1, ("150m", "page"): 1, ("170m", "page"): 1,
             ("210m", "page"): 0, ("60m", "ticket"): 1, ("90m", "ticket"): 1,
             ("150m", "ticket"): 1, ("170m", "ticket"): 1, ("210m", "ticket"): 1}
    return table[(at, level)]
