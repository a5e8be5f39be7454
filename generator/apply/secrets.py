"""Substitute `${env:NAME}` and `${file:PATH}` placeholders in request bodies at push time.

The plan, the diff and every message work on the unsubstituted bodies, so secret values only
ever exist in the request that carries them to Grafana.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from generator.apply.client import ApplyError

PLACEHOLDER = re.compile(r"\$\{(env|file):([^}]+)\}")


def substitute(body: Any, environ: Mapping[str, str], file_root: Path | None = None) -> Any:
    """A copy of `body` with every placeholder in its strings replaced by its value.

    With `file_root`, `${file:PATH}` is read below that directory (absolute paths included),
    for a CI job or test whose secrets are mounted somewhere else than in production.
    """
    return _walk(body, lambda text: _replace(text, environ, file_root))


def placeholders(body: Any) -> set[str]:
    """Every placeholder in `body`, e.g. `${env:SLACK_URL}` (names only, never values)."""
    found: set[str] = set()

    def collect(text: str) -> str:
        found.update(m.group(0) for m in PLACEHOLDER.finditer(text))
        return text

    _walk(body, collect)
    return found


def _walk(body: Any, on_text: Callable[[str], str]) -> Any:
    if isinstance(body, dict):
        return {k: _walk(v, on_text) for k, v in body.items()}
    if isinstance(body, list):
        return [_walk(v, on_text) for v in body]
    if isinstance(body, str):
        return on_text(body)
    return body


def _replace(text: str, environ: Mapping[str, str], file_root: Path | None) -> str:
    def value(match: re.Match[str]) -> str:
        kind, name = match.group(1), match.group(2)
        if kind == "env":
            if name not in environ:
                raise ApplyError(f"environment variable {name} is not set "
                                 f"(needed for placeholder {match.group(0)})")
            return environ[name]
        path = Path(name) if file_root is None else file_root / Path(name).relative_to(
            Path(name).anchor)
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ApplyError(f"cannot read secret file {name}: {exc.strerror}") from None

    return PLACEHOLDER.sub(value, text)
