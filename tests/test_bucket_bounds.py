"""Histogram bucket bounds match every spelling exporters use, and only those."""

from __future__ import annotations

import re

import pytest

from generator.core.bucket_bounds import matcher, regex, spellings


@pytest.mark.parametrize("bound, written", [
    (1.0, ["1", "1.0", "1e+00"]),  # Go client / Prometheus 2, client_python / Prometheus 3, %e
    (0.25, ["0.25"]),
    (10.0, ["10", "10.0", "1e+01"]),
    (1e6, ["1e+06", "1000000", "1.0e+06"]),
    (0.005, ["0.005", "5e-03"]),
])
def test_every_spelling_matches(bound: float, written: list[str]) -> None:
    assert set(written) <= set(spellings(bound))
    for text in written:
        assert re.fullmatch(regex(bound), text)


@pytest.mark.parametrize("bound, other", [(1.0, "100"), (1.0, "1x0"), (0.5, "0.05"), (1.0, "10")])
def test_no_other_bound_matches(bound: float, other: str) -> None:
    assert not re.fullmatch(regex(bound), other)


def test_the_matcher_is_a_promql_string_with_escaped_backslashes() -> None:
    assert matcher(1.0) == 'le=~"1|1\\\\.0|1\\\\.0e\\\\+00|1e\\\\+00"'
