"""`slogen status` in a terminal: every value readable at 80 and 120 columns, a table if wide."""

from __future__ import annotations

import io

import pytest
from rich.console import Console
from rich.table import Table

from generator import pipeline
from generator.live import report
from generator.live.status import BurnStatus, SloStatus
from tests.conftest import ROOT, SPECS_DIR

TITLE = "SLO status at 2026-01-01T00:00:00Z"


def _statuses() -> list[SloStatus]:
    """The genesis SLOs with made-up live figures: burns of every size, one alert firing; the
    medians of steady burns, equal to their means."""
    genesis = pipeline.compile_specs(SPECS_DIR, None, ROOT).service("genesis")
    return [SloStatus(slo, 0.0002 * (i + 1), {},
                      tuple(BurnStatus(w, 2.5 * (i + 1), 3.1 * (i + 1), 3.1 * (i + 1),
                                       2.5 * (i + 1)) for w in slo.burn_windows),
                      ("GenesisErrorRateBudgetBurn",) if slo.name == "error-rate" else ())
            for i, slo in enumerate(genesis.slos)]


def _screen(width: int) -> list[str]:
    out = io.StringIO()
    console = Console(width=width, file=out, force_terminal=False, color_system=None)
    console.print(report.fitted(_statuses(), TITLE, width))
    return [line.rstrip() for line in out.getvalue().splitlines()]


@pytest.mark.parametrize("width", [80, 120])
def test_narrow_terminal_shows_every_value_whole(width: int) -> None:
    lines = _screen(width)
    assert max(len(line) for line in lines) <= width
    text = "\n".join(lines)
    for value in ("genesis / error-rate  99.9% / 30d", "99.960%",
                  "60.0% (25.9 min of full outage)", "1h/5m 5.00/6.20 (>14.4)",
                  "3d/6h 5.00/6.20 (>1) !", "median 6h 6.20", "GenesisErrorRateBudgetBurn",
                  "1h/5m 10.00/12.40 (>14.4)", "6h/30m 10.00/12.40 (>6) !",
                  "median 10.00/12.40 (>1/>6)"):
        assert value in text
    assert "…" not in text


def test_block_per_slo_lists_burn_windows_under_their_level() -> None:
    lines = _screen(80)
    start = lines.index("genesis / error-rate  99.9% / 30d")
    assert lines[start + 1:start + 12] == [
        "SLI         99.960%",
        "budget left 60.0% (25.9 min of full outage)",
        "page burn   1h/5m 5.00/6.20 (>14.4)",
        "            6h/30m 5.00/6.20 (>6)",
        "              median 5.00/6.20 (>1/>6)",
        "            5m/1m 5.00/6.20 (>100)",
        "ticket burn 1d/2h 5.00/6.20 (>3) !",
        "              median 2h 6.20",
        "            3d/6h 5.00/6.20 (>1) !",
        "              median 6h 6.20",
        "firing      GenesisErrorRateBudgetBurn",
    ]


def test_wide_terminal_keeps_one_table() -> None:
    lines = _screen(200)
    assert any("Page burn" in line and "Ticket burn" in line for line in lines)
    assert max(len(line) for line in lines) <= 200
    assert not any(line.startswith("budget left") for line in lines)


def test_piped_output_is_the_uncut_table() -> None:
    assert isinstance(report.fitted(_statuses(), TITLE, None), Table)
