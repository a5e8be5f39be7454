"""`slogen exporter` serves health checks as metrics; `slogen health` runs them once, as a table.

Module-level imports stay light: `slogen exporter` starts through `main` below without the rest of
the command line, and the modules it loads stay resident for the life of the server.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from generator.commands import output
from generator.commands.common import EXIT_FAILED, EXIT_OK, EXIT_SPEC, CommandError

DEFAULT_CONFIG = Path("out") / "exporter" / "config.yaml"
EXPORTER_HELP = "serve health-check results on /metrics and /healthz"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the exporter and health subcommands."""
    exp = sub.add_parser("exporter", help=EXPORTER_HELP)
    _exporter_arguments(exp)

    health = sub.add_parser(
        "health", help="run every health check, print a table, exit 1 on failure"
    )
    health.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"exporter config (default {DEFAULT_CONFIG})",
    )
    health.add_argument(
        "--service", action="append", default=None, help="only this service's checks (repeatable)"
    )
    health.add_argument("--once", action="store_true", help="run once and exit (default: repeat)")
    health.add_argument(
        "--interval",
        type=float,
        default=60.0,
        help="seconds between rounds without --once (default 60)",
    )
    output.add_output_args(health)
    health.set_defaults(func=run_health)


def main(argv: Sequence[str]) -> int:
    """`slogen exporter ARGS`, started without the rest of the command line."""
    parser = argparse.ArgumentParser(prog="slogen exporter", description=EXPORTER_HELP)
    _exporter_arguments(parser)
    args = parser.parse_args(argv)
    from generator.core.errors import SpecErrors

    try:
        return run_exporter(args)
    except SpecErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        count = len(exc.errors)
        print(f"{count} config error{'s' if count != 1 else ''}.", file=sys.stderr)
        return EXIT_SPEC
    except CommandError as exc:
        print(f"slogen: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        return 130


def _exporter_arguments(exp: argparse.ArgumentParser) -> None:
    exp.add_argument(
        "--config",
        type=Path,
        default=DEFAULT_CONFIG,
        help=f"exporter config (default {DEFAULT_CONFIG})",
    )
    exp.add_argument("--listen", default=None, help="HOST:PORT to serve on (default: from config)")
    exp.add_argument(
        "--check-only", action="store_true", help="validate the config and exit; connect to nothing"
    )
    exp.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    exp.set_defaults(func=run_exporter)


def run_exporter(args: argparse.Namespace) -> int:
    """Validate the config, then schedule the checks and serve until SIGTERM or Ctrl-C."""
    import logging
    import signal
    import threading

    from generator.exporter.config import load_config

    config = load_config(args.config)
    if args.check_only:
        print(
            f"{args.config}: valid ({len(config.checks)} checks, {len(config.databases)} databases)"
        )
        return EXIT_OK
    from prometheus_client import CollectorRegistry

    from generator.exporter.collector import HealthCheckCollector, register_standard_collectors
    from generator.exporter.process import limit_malloc_arenas
    from generator.exporter.scheduler import Scheduler, open_databases
    from generator.exporter.server import ExpositionCache, make_server
    from generator.exporter.store import ResultStore

    limit_malloc_arenas()  # before any thread starts
    logging.basicConfig(
        level=args.log_level,
        stream=sys.stderr,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    host, port = _address(args.listen or config.listen)
    dbs = open_databases(config, os.environ)
    store = ResultStore(c.id for c in config.checks)
    registry = CollectorRegistry()
    registry.register(HealthCheckCollector(config.checks, store))
    register_standard_collectors(registry)
    try:
        server = make_server(host, port, ExpositionCache(registry, store))
    except OSError as exc:
        raise CommandError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    scheduler = Scheduler(config.checks, dbs, store)
    scheduler.start()
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    bound_host, bound_port = str(server.server_address[0]), server.server_address[1]
    print(
        f"slogen exporter: serving http://{bound_host}:{bound_port}/metrics "
        f"({len(config.checks)} checks)",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()
        scheduler.stop()
        dbs.dispose()
    return EXIT_OK


def run_health(args: argparse.Namespace) -> int:
    """Run the checks once (or every --interval seconds) and print their status."""
    from generator.commands.health_table import health_data, print_table
    from generator.exporter.config import load_config
    from generator.exporter.scheduler import open_databases, run_once

    config = load_config(args.config)
    checks = [c for c in config.checks if not args.service or c.service in args.service]
    if not checks:
        raise CommandError(
            "no health checks match"
            + (f" services {', '.join(args.service)}" if args.service else ""),
            EXIT_SPEC,
        )
    dbs = open_databases(config, os.environ)
    try:
        while True:
            outcomes = run_once(checks, dbs)
            data = health_data(checks, outcomes)
            code = EXIT_FAILED if data["failed"] else EXIT_OK
            if args.format == "text" and args.output is None:
                print_table(checks, outcomes)
            else:  # one document per round without --once
                text = print_table(checks, outcomes, text=True) if args.format == "text" else ""
                output.report(args, "health", code, data, text or "")
            if args.once:
                return code
            time.sleep(args.interval)
    finally:
        dbs.dispose()


def _address(listen: str) -> tuple[str, int]:
    host, _, port = listen.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"invalid listen address {listen!r}; expected HOST:PORT")
    return host.strip("[]") or "0.0.0.0", int(port)
