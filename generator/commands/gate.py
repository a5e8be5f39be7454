"""`slogen gate`: a deploy verdict from the service's error-budget policy and live data.

Exit codes: 0 go, 1 hold, 3 roll back, 4 missing data or Prometheus unreachable; 2 is only a
usage or spec error (unknown service or policy, no policies), so CI can retry on 1 and fail
fast on 2.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from generator.commands import output
from generator.commands.common import EXIT_SPEC, CommandError
from generator.commands.live_args import (
    EXIT_NO_DATA,
    add_live_args,
    format_time,
    load_model,
    parse_time,
    pick_services,
    settings,
)

if TYPE_CHECKING:
    from generator.core.model import Policy, Service


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the gate subcommand."""
    p = sub.add_parser(
        "gate",
        help="deploy gate: go (0), hold (1), roll back (3), no data (4)",
        description="Evaluate the service's error-budget policy on live data. Exit codes: "
        "0 go, 1 hold, 3 roll back, 4 missing data or Prometheus unreachable, 2 a usage or "
        "spec error (unknown service or policy, no policies).",
    )
    add_live_args(p)
    p.add_argument("--service", required=True, help="the service being deployed")
    p.add_argument("--policy", default=None, help="policy name (default: the service's only one)")
    p.add_argument(
        "--deployed-at",
        default=None,
        metavar="TIME",
        help="time of the last deploy, instead of the policy's deployed_at query",
    )
    output.add_output_args(p)
    p.set_defaults(func=run_gate)


def run_gate(args: argparse.Namespace) -> int:
    """Evaluate the policy and exit with the verdict's code."""
    from generator.live import gate
    from generator.live.client import PrometheusClient, PrometheusError

    model = load_model(args)
    service = pick_services(model, [args.service])[0]
    policy = _policy(service, args.policy)
    at = parse_time(args.at)
    deploy = parse_time(args.deployed_at) if args.deployed_at else None
    try:
        with PrometheusClient(settings(args, model)) as client:
            findings = gate.evaluate(client, service, policy, at, deploy)
    except PrometheusError as exc:
        findings = [gate.Finding(gate.Verdict.NO_DATA, str(exc))]
    verdict = gate.combine(findings)
    code = verdict.code if verdict is not gate.Verdict.NO_DATA else EXIT_NO_DATA
    data = {"service": service.name, "policy": policy.name, "time": format_time(at),
            "verdict": verdict.label,
            "findings": [{"verdict": f.verdict.label, "message": f.message, "source": f.source}
                         for f in findings]}
    lines = [f"{service.name} / {policy.name} at {format_time(at)}: "
             f"{verdict.label.upper()} (exit {code})"]
    lines += [f"  {f.verdict.label:<9} {f.message}" + (f"  [{f.source}]" if f.source else "")
              for f in findings]
    return output.report(args, "gate", code, data, lambda: "\n".join(lines) + "\n")


def _policy(service: Service, name: str | None) -> Policy:
    names = sorted(p.name for p in service.policies)
    if not names:
        raise CommandError(
            f"service {service.name!r} declares no policies: add `policies:` to its spec", EXIT_SPEC
        )
    if name is None:
        if len(names) > 1:
            raise CommandError(
                f"service {service.name!r} has several policies; pass --policy "
                f"(known: {', '.join(names)})",
                EXIT_SPEC,
            )
        return service.policies[0]
    if name not in names:
        raise CommandError(
            f"unknown policy {name!r} of {service.name}; known: {', '.join(names)}", EXIT_SPEC
        )
    return next(p for p in service.policies if p.name == name)
