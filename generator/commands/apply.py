"""`slogen apply`: push out/ to Grafana, reload Prometheus/Alertmanager, or push to a ruler.

Settings come from flags, then environment variables, then an optional YAML config file
(`--config`). Secrets are read from the environment or files and never printed.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.commands import output
from generator.commands.common import EXIT_FAILED, EXIT_OK, EXIT_SPEC, CommandError, env

if TYPE_CHECKING:  # the apply stages are imported when apply runs, not for --help
    from rich.console import Console

    from generator.apply.execute import Outcome

REFRESH_MODES = ("full", "markers")  # apply.changes.Refresh; a test keeps them equal


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the apply subcommand."""
    cmd = sub.add_parser("apply", help="push out/ to Grafana (plan, diff, apply, prune)")
    cmd.add_argument("--out", type=Path, default=Path("out"), help="generated tree (default out)")
    cmd.add_argument("--config", type=Path, default=None, help="YAML file with apply settings")
    cmd.add_argument("--dry-run", action="store_true", help="print the plan; change nothing")
    cmd.add_argument("--prune", action="store_true",
                     help="delete objects slogen manages that the specs no longer declare")
    cmd.add_argument("--adopt", action="store_true",
                     help="take over existing objects not marked as slogen's")
    cmd.add_argument("--force", action="store_true", help="rewrite every object, even if unchanged")
    cmd.add_argument("--refresh", choices=REFRESH_MODES, default="full",
                     help="full (default): read every object and restore edits made in "
                          "Grafana; markers: trust slogen's hash markers and ledger (at most "
                          "five reads on a no-op, but blind to edits made in the Grafana UI)")
    output.add_output_args(cmd)
    cmd.add_argument("--verbose", action="store_true", help="also list unchanged objects")
    cmd.add_argument("--grafana-url", default=None, help="Grafana base URL (env GRAFANA_URL)")
    cmd.add_argument("--org-id", type=int, default=None, help="Grafana org id (env GRAFANA_ORG_ID)")
    cmd.add_argument("--disable-provenance", action="store_true", default=None,
                     help="keep alerting objects editable in the Grafana UI (default: the "
                          "specs' grafana.disable_provenance)")
    cmd.add_argument("--specs", type=Path, default=Path("slos"),
                     help="spec directory, read for grafana.disable_provenance (default slos)")
    cmd.add_argument("--secrets-root", type=Path, default=None,
                     help="read ${file:PATH} secrets below this directory")
    cmd.add_argument("--rules-to", choices=("grafana", "mimir"), default="grafana",
                     help="mimir: also push out/prometheus rule groups to a Mimir/Cortex ruler")
    cmd.add_argument("--mimir-url", default=None, help="ruler base URL (env MIMIR_URL)")
    cmd.add_argument("--rules-dir", type=Path, default=None,
                     help="copy Prometheus rule files here, then reload Prometheus")
    cmd.add_argument("--prometheus-url", default=None, help="Prometheus URL for /-/reload")
    cmd.add_argument("--alertmanager-dir", type=Path, default=None,
                     help="copy alertmanager.yml here, then reload Alertmanager")
    cmd.add_argument("--alertmanager-url", default=None, help="Alertmanager URL for /-/reload")
    cmd.set_defaults(func=run_apply)


def _settings(args: argparse.Namespace) -> dict[str, Any]:
    """Flag, else env var, else config file value, for each setting."""
    config: dict[str, Any] = {}
    if args.config is not None:
        from ruamel.yaml import YAML

        try:
            config = YAML(typ="safe").load(args.config.read_text(encoding="utf-8")) or {}
        except OSError as exc:
            raise CommandError(f"{args.config}: {exc.strerror}", EXIT_SPEC) from None

    def pick(flag: Any, var: str, key: str) -> Any:
        return flag if flag is not None else env(var) or config.get(key)

    return {
        "grafana_url": pick(args.grafana_url, "GRAFANA_URL", "grafana_url"),
        "org_id": pick(args.org_id, "GRAFANA_ORG_ID", "org_id"),
        "token": env("GRAFANA_TOKEN") or _from_file(config.get("token_file")),
        "user": env("GRAFANA_USER") or config.get("user"),
        "password": env("GRAFANA_PASSWORD") or _from_file(config.get("password_file")),
        "disable_provenance": _truthy(pick(args.disable_provenance, "GRAFANA_DISABLE_PROVENANCE",
                                           "disable_provenance")),
        "mimir_url": pick(args.mimir_url, "MIMIR_URL", "mimir_url"),
        "mimir_tenant": env("MIMIR_TENANT") or config.get("mimir_tenant"),
        "rules_dir": args.rules_dir or config.get("rules_dir"),
        "prometheus_url": pick(args.prometheus_url, "PROMETHEUS_URL", "prometheus_url"),
        "alertmanager_dir": args.alertmanager_dir or config.get("alertmanager_dir"),
        "alertmanager_url": pick(args.alertmanager_url, "ALERTMANAGER_URL", "alertmanager_url"),
    }


def _truthy(value: Any) -> bool | None:
    """A yes/no setting from a flag, env var or config value; None when unset."""
    if value is None or value == "":
        return None
    return str(value).strip().lower() in ("1", "true", "yes", "on")


def _spec_provenance(specs: Path) -> bool:
    """`grafana.disable_provenance` from the specs, when they are at hand."""
    from generator import pipeline

    if not specs.is_dir():
        return False
    return pipeline.compile_specs(specs, None).grafana.disable_provenance


def _located(outcomes: list[Outcome], specs: Path) -> list[Outcome]:
    """Failures with the spec location of their object, when the specs compile."""
    from generator import pipeline
    from generator.apply.sources import with_locations
    from generator.core.errors import SpecErrors

    try:
        return with_locations(outcomes, pipeline.compile_specs(specs, None))
    except SpecErrors:
        return outcomes


def _from_file(path: Any) -> str | None:
    if not path:
        return None
    try:
        return Path(str(path)).read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise CommandError(f"cannot read secret file {path}: {exc.strerror}", EXIT_SPEC) from None


def run_apply(args: argparse.Namespace) -> int:
    """Run every configured push; exit 1 if any write failed or was blocked."""
    from rich.console import Console

    from generator.apply import mimir, reload
    from generator.apply.client import ApplyError, AuthError, UrlError

    settings = _settings(args)
    # The plan and progress stay on stderr whenever stdout carries a report.
    console = Console(stderr=output.machine_readable(args) or args.output is not None,
                      highlight=False, soft_wrap=True)
    failed = False
    did_something = False
    report: dict[str, Any] = {"grafana": None, "reload": False, "mimir": False}
    try:
        if settings["grafana_url"]:
            did_something = True
            failed |= _grafana(args, settings, console, report)
        if settings["rules_dir"] or settings["alertmanager_dir"]:
            did_something = True
            report["reload"] = True
            failed |= reload.run(args, settings, console)
        if args.rules_to == "mimir":
            did_something = True
            report["mimir"] = True
            failed |= mimir.run(args, settings, console)
    except AuthError as exc:
        raise CommandError(f"authentication failed: {exc}") from None
    except UrlError as exc:
        raise CommandError(str(exc), EXIT_SPEC) from None
    except ApplyError as exc:
        raise CommandError(str(exc)) from None
    if not did_something:
        raise CommandError("nothing to apply to: set GRAFANA_URL (or --grafana-url), "
                           "--rules-dir/--alertmanager-dir, or --rules-to mimir", EXIT_SPEC)
    code = EXIT_FAILED if failed else EXIT_OK
    if output.machine_readable(args) or args.output is not None:
        output.report(args, "apply", code, report | {"failed": bool(failed)}, lambda: "")
    return code


def _grafana(args: argparse.Namespace, settings: dict[str, Any], console: Console,
             report: dict[str, Any]) -> bool:
    import json

    from rich.progress import Progress

    from generator.apply.changes import Refresh
    from generator.apply.client import Credentials, HttpClient, check_base_url, grafana_client
    from generator.apply.grafana import execute, plan_grafana
    from generator.apply.plan import Options, with_dashboard_details
    from generator.apply.report import plan_json, print_plan, print_summary

    creds = Credentials(token=settings["token"], user=settings["user"],
                        password=settings["password"])
    if not (creds.token or creds.user):
        raise CommandError("no Grafana credentials: set GRAFANA_TOKEN, or GRAFANA_USER and "
                           "GRAFANA_PASSWORD", EXIT_SPEC)
    try:
        org = int(settings["org_id"]) if settings["org_id"] else None
    except ValueError:
        raise CommandError(f"Grafana org id (--org-id, GRAFANA_ORG_ID): {settings['org_id']!r} "
                           f"is not a number", EXIT_SPEC) from None
    url = check_base_url(str(settings["grafana_url"]), "Grafana URL (--grafana-url, GRAFANA_URL)")
    client: HttpClient = grafana_client(url, creds, org)
    if sys.stderr.isatty() and not args.quiet:
        client.on_retry = lambda text: print(f"slogen: grafana: {text}", file=sys.stderr)
    provenance = settings["disable_provenance"]
    if provenance is None:
        provenance = _spec_provenance(args.specs)
    options = Options(prune=args.prune, adopt=args.adopt, force=args.force,
                      disable_provenance=provenance, refresh=Refresh(args.refresh))
    api_dir = args.out / "grafana" / "api"
    result = plan_grafana(client, api_dir, options)
    shown = result.plan
    if (args.dry_run or args.verbose) and args.format == "text":
        shown = with_dashboard_details(client, shown)
    print_plan(console, shown, args.verbose)
    if not args.dry_run:
        writes = result.plan.writes()
        with Progress(console=console, transient=True,
                      disable=len(writes) < 20 or args.quiet) as bar:
            task = bar.add_task("applying", total=len(writes))
            execute(client, result, options, os.environ, lambda _: bar.advance(task),
                    args.secrets_root)
        if result.failed and args.specs.is_dir():
            result.outcomes = _located(result.outcomes, args.specs)
        print_summary(console, result.outcomes, result.plan)
    report["grafana"] = json.loads(plan_json(result.plan,
                                             result.outcomes if not args.dry_run else ()))
    console.print(f"grafana: {client.requests_sent} requests", style="dim")
    return result.failed
