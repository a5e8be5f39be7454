"""Arguments and settings shared by the live commands (verify, status, gate).

Prometheus settings come from flags, then the environment, then `_global.yaml`
(`prometheus.url`); credentials only from the environment or files, never from flags or specs.
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from generator.commands.common import EXIT_SPEC, CommandError, env

if TYPE_CHECKING:  # the stages are imported when a command runs, not when --help is shown
    from generator.core.model import Model, Service
    from generator.live.client import Settings

EXIT_NO_DATA = 4
DEFAULT_TIMEOUT = 10.0  # live.client.DEFAULT_TIMEOUT; a test keeps them equal
ENV_URL = "PROMETHEUS_URL"
ENV_TOKEN = "PROMETHEUS_TOKEN"
ENV_TOKEN_FILE = "PROMETHEUS_TOKEN_FILE"
ENV_USERNAME = "PROMETHEUS_USERNAME"
ENV_PASSWORD = "PROMETHEUS_PASSWORD"
ENV_PASSWORD_FILE = "PROMETHEUS_PASSWORD_FILE"
ENV_CA_FILE = "PROMETHEUS_CA_FILE"
ENV_INSECURE = "PROMETHEUS_INSECURE_SKIP_VERIFY"


def add_live_args(parser: argparse.ArgumentParser) -> None:
    """Flags every live command takes."""
    parser.add_argument(
        "--specs", type=Path, default=Path("slos"), help="spec directory (default slos)"
    )
    parser.add_argument(
        "--prometheus",
        metavar="URL",
        default=None,
        help=f"Prometheus base URL (default: ${ENV_URL}, then prometheus.url in _global.yaml)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds to wait for each answer (default {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--ca-file", default=None, help=f"CA bundle for TLS (default: ${ENV_CA_FILE})"
    )
    parser.add_argument(
        "--insecure", action="store_true", help="do not verify the TLS certificate (testing only)"
    )
    parser.add_argument(
        "--time",
        dest="at",
        default=None,
        metavar="TIME",
        help="evaluate at this time (RFC 3339 or Unix seconds; default: now)",
    )


def load_model(args: argparse.Namespace) -> Model:
    """Compile the specs (no promtool: live commands read the model, not the output)."""
    from generator import pipeline

    return pipeline.compile_specs(args.specs, None)


def settings(args: argparse.Namespace, model: Model) -> Settings:
    """Prometheus settings from flags, environment and the global spec."""
    from generator.live.client import Settings

    url = args.prometheus or env(ENV_URL) or model.prometheus.url
    if not url:
        raise CommandError(
            f"no Prometheus URL: pass --prometheus, set {ENV_URL}, or set "
            "prometheus.url in _global.yaml",
            EXIT_SPEC,
        )
    insecure = args.insecure or (env(ENV_INSECURE, "") or "").lower() in ("1", "true", "yes")
    return Settings(
        url=url,
        token=_secret(ENV_TOKEN, ENV_TOKEN_FILE),
        username=env(ENV_USERNAME),
        password=_secret(ENV_PASSWORD, ENV_PASSWORD_FILE),
        ca_file=args.ca_file or env(ENV_CA_FILE),
        insecure=insecure,
        timeout=args.timeout,
    )


def _secret(name: str, file_name: str) -> str | None:
    """A secret from env var `name`, or from the file named by env var `file_name`."""
    value = env(name)
    if value:
        return value
    path = env(file_name)
    if not path:
        return None
    try:
        return Path(path).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CommandError(f"cannot read {file_name} ({path}): {exc.strerror}", EXIT_SPEC) from None


def parse_time(text: str | None) -> float:
    """Unix seconds from RFC 3339 or a number; the clock when None."""
    if text is None:
        return time.time()
    try:
        return float(text)
    except ValueError:
        pass
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"--time {text!r}: use RFC 3339 (2025-03-01T12:00:00Z) or Unix seconds", EXIT_SPEC
        ) from None
    if moment.tzinfo is None:
        raise CommandError(f"--time {text!r}: give a timezone, like Z or +02:00", EXIT_SPEC)
    return moment.timestamp()


def pick_services(model: Model, names: list[str] | None) -> list[Service]:
    """The services named (all when none); unknown names are a usage error."""
    if not names:
        return list(model.services)
    known = sorted(s.name for s in model.services)
    missing = [n for n in names if n not in known]
    if missing:
        raise CommandError(f"unknown service {missing[0]!r}; known: {', '.join(known)}", EXIT_SPEC)
    return [model.service(n) for n in names]


def format_time(at: float) -> str:
    """RFC 3339 in UTC, to the second."""
    return datetime.fromtimestamp(round(at), tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
