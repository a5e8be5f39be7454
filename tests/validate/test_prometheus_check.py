"""`slogen generate` runs promtool check rules and traces failures to the spec."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from generator.cli import main
from generator.specfile import prom_text

GLOBAL = "version: slogen/v1\n"


@pytest.mark.promtool
def test_generated_rules_pass_promtool_check(tmp_path: Path, promtool: str,
                                             write_spec: Callable[..., Path]) -> None:
    spec = write_spec("""
        version: slogen/v1
        service: shop
        team: web
        slos:
          - name: ok
            objective: 99.5
            sli:
              events:
                bad: sum(rate(http_errors_total[{{window}}]))
                total: sum(rate(http_requests_total[{{window}}]))
        alerts:
          - {name: Down, expr: up, below: 1, for: 1m}
        """)
    write_spec(GLOBAL, "_global.yaml")
    out = tmp_path / "out"
    assert main(["generate", "--specs", str(spec.parent), "--out", str(out)]) == 0
    assert (out / "prometheus" / "shop.rules.yaml").exists()


@pytest.mark.promtool
def test_promtool_failure_names_the_file_and_spec_location(
        tmp_path: Path, promtool: str, write_spec: Callable[..., Path],
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    # The spec stage parses templates as promtool does and would refuse this one first; the
    # check is switched off here to see how a disagreement with promtool is reported.
    monkeypatch.setattr(prom_text, "check_template", lambda *args, **kwargs: None)
    spec = write_spec("""
        version: slogen/v1
        service: shop
        team: web
        alerts:
          - name: Down
            expr: up
            below: 1
            summary: "{{ $value | nosuchfunc }}"
        """)
    write_spec(GLOBAL, "_global.yaml")
    out = tmp_path / "out"
    assert main(["generate", "--specs", str(spec.parent), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "prometheus/shop.rules.yaml: promtool check rules failed:" in err
    assert 'function "nosuchfunc" not defined' in err
    assert "svc.yaml:5:5: alerts[0]" in err
    assert not out.exists()
