"""Every way an exporter may spell a histogram bucket bound in its `le` label.

The same bound reaches Prometheus as `le="1"` (Go client, Prometheus 2 text format), `le="1.0"`
(client_python, Java, and Prometheus 3, which normalises bounds as OpenMetrics writes floats),
or in exponent form (`1e+00`, `1e+06`). An SLI that selects one spelling silently matches
nothing on an exporter that writes another: no error ratio, no budget, no alert. Latency SLIs
therefore match the bound with a regex of all spellings.
"""

from __future__ import annotations

import re
from decimal import Decimal


def spellings(bound: float) -> list[str]:
    """The spellings of `bound`, sorted; +Inf for infinity."""
    if bound == float("inf"):
        return ["+Inf"]
    digits, point = _shortest(bound)
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    exp = point - 1
    exp_text = f"e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    found = {
        _go_g(digits, point, mantissa, exp_text),  # Go's FormatFloat(v, 'g', -1, 64)
        repr(float(bound)),  # client_python's floatToGoString below 1e6, Python's repr
        mantissa + exp_text,  # %e with the shortest mantissa: 1e+00
        (mantissa if "." in mantissa else mantissa + ".0") + exp_text,  # OpenMetrics: 1.0e+06
        _plain(digits, point),  # no exponent at all
    }
    with_point = {s + ".0" for s in found if re.fullmatch(r"-?\d+", s)}
    return sorted(found | with_point)


def regex(bound: float) -> str:
    """An RE2 regex matching every spelling of `bound`: `1|1\\.0|1\\.0e\\+00|1e\\+00`."""
    return "|".join(s.replace(".", "\\.").replace("+", "\\+") for s in spellings(bound))


def matcher(bound: float) -> str:
    """The PromQL `le` matcher for `bound`, backslashes escaped for a double-quoted string."""
    return 'le=~"' + regex(bound).replace("\\", "\\\\") + '"'


def _shortest(bound: float) -> tuple[str, int]:
    """Shortest round-trip digits and the decimal point position: 0.25 -> ("25", 0)."""
    sign, digits, exponent = Decimal(repr(float(bound))).normalize().as_tuple()
    text = "".join(map(str, digits)).rstrip("0") or "0"
    assert isinstance(exponent, int)
    prefix = "-" if sign else ""
    return prefix + text, len(digits) + exponent


def _go_g(digits: str, point: int, mantissa: str, exp_text: str) -> str:
    # Go uses the exponent form when the exponent is < -4 or >= 21 for shortest 'g'... except
    # that it compares with precision 6 for the shortest form, as fmt's %v does.
    exp = point - 1
    if exp < -4 or exp >= 6:
        return mantissa + exp_text
    return _plain(digits, point)


def _plain(digits: str, point: int) -> str:
    if point <= 0:
        return "0." + "0" * -point + digits
    if point >= len(digits):
        return digits + "0" * (point - len(digits))
    return digits[:point] + "." + digits[point:]
