"""The notification route tree: built by core/routing.py, kept on the model, read by targets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from generator.core.settings import TimeInterval

Matcher = tuple[str, str, str]  # (label, "=" or "!=", value)


@dataclass(frozen=True)
class Route:
    """A first-level route: alerts matching every matcher go to each receiver, in order."""

    origin: str  # where it was declared, e.g. "slos/_global.yaml: routing.overrides[0]"
    matchers: tuple[tuple[str, str], ...]
    receivers: tuple[str, ...]
    continue_: bool
    group_by: tuple[str, ...] | None = None
    group_wait: timedelta | None = None
    group_interval: timedelta | None = None
    repeat_interval: timedelta | None = None
    active_during: str | None = None
    # Labels every alert that can reach this route also carries (a service's team), used to
    # tell whether an earlier route swallows all of its alerts.
    implied: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RouteTree:
    """The whole tree: defaults at the root and first-level routes in matching order."""

    receiver: str
    group_by: tuple[str, ...]
    group_wait: timedelta
    group_interval: timedelta
    repeat_interval: timedelta
    routes: tuple[Route, ...]
    time_intervals: Mapping[str, tuple[TimeInterval, ...]]


@dataclass(frozen=True)
class Inhibition:
    """Alerts matching `target` are not sent while one matching `source` fires."""

    source: tuple[Matcher, ...]
    target: tuple[Matcher, ...]
    equal: tuple[str, ...]
