"""The annotation renderer matches what Prometheus prints (values checked against promtool)."""

from __future__ import annotations

import pytest

from generator.targets.prometheus import gotemplate


@pytest.mark.parametrize("text, value, expected", [
    pytest.param("{{ $value }}", 1234567.5, "1.2345675e+06", id="%v switches to exponents at 1e6"),
    pytest.param("{{ $value }}", 46815.0, "46815", id="whole numbers print without a point"),
    pytest.param("{{ $value }}", 1.2345e-05, "1.2345e-05", id="small numbers use exponents"),
    pytest.param("{{ $value | humanizePercentage }}", 0.0144, "1.44%", id="percentage"),
    pytest.param("{{ $value | humanizeDuration }}", 46815.0, "13h 0m 15s", id="duration"),
    pytest.param("{{ $value | humanizeDuration }}", 0.000012345, "12.35us",
                 id="sub-second duration"),
    pytest.param("{{ $value | humanizeTimestamp }}", 7200.25, "1970-01-01 02:00:00.25 +0000 UTC",
                 id="timestamp to the millisecond"),
    pytest.param("{{ $value | humanize }}", 1234567.5, "1.235M", id="SI prefixes"),
    pytest.param('{{ $value | printf "%.1f" }}', 7200.25, "7200.2", id="printf rounds half even"),
    pytest.param("{{ $labels.missing }}x", 1.0, "x", id="a missing label is empty"),
])
def test_renders_like_prometheus(text: str, value: float, expected: str) -> None:
    assert gotemplate.render(text, {}, value) == expected


def test_labels_and_pipelines_mix() -> None:
    text = '{{ $labels.service }}: {{ $value | printf "%.0f" }} errors'
    assert gotemplate.render(text, {"service": "api"}, 12.4) == "api: 12 errors"


def test_unknown_functions_are_refused() -> None:
    with pytest.raises(gotemplate.Unsupported, match="template function 'title'"):
        gotemplate.render("{{ $labels.x | title }}", {}, 1.0)
