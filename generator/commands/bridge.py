"""`slogen bridge github`: an Alertmanager webhook receiver that manages GitHub issues."""

from __future__ import annotations

import argparse

from generator.commands.common import EXIT_OK, EXIT_SPEC, CommandError, env

DEFAULT_API_URL = "https://api.github.com"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `bridge github`."""
    bridge = sub.add_parser("bridge", help="webhook bridges for Alertmanager")
    kinds = bridge.add_subparsers(dest="bridge_kind", metavar="KIND")
    gh = kinds.add_parser("github", help="open/comment/close GitHub issues from alert groups")
    gh.add_argument("--repo", default=None, help="owner/name (default $GITHUB_REPOSITORY)")
    gh.add_argument("--listen", default="127.0.0.1:9095", help="host:port (default 127.0.0.1:9095)")
    gh.add_argument("--api-url", default=None, help="GitHub API base URL (default $GITHUB_API_URL "
                                                    f"or {DEFAULT_API_URL})")
    gh.set_defaults(func=run_github)
    bridge.set_defaults(func=lambda args: _usage(bridge))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_SPEC


def run_github(args: argparse.Namespace) -> int:
    """Serve until interrupted. The token comes from $GITHUB_TOKEN and is never printed."""
    import logging

    import requests

    from generator.bridge.github import GitHubClient, IssueBridge
    from generator.bridge.server import make_server

    token = env("GITHUB_TOKEN")
    repo = args.repo or env("GITHUB_REPOSITORY")
    if not token:
        raise CommandError("GITHUB_TOKEN is not set", EXIT_SPEC)
    if not repo or repo.count("/") != 1:
        raise CommandError("give the repository as --repo owner/name or $GITHUB_REPOSITORY",
                           EXIT_SPEC)
    host, _, port = args.listen.rpartition(":")
    if not port.isdigit():
        raise CommandError(f"--listen needs host:port, got {args.listen!r}", EXIT_SPEC)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    client = GitHubClient(args.api_url or env("GITHUB_API_URL") or DEFAULT_API_URL, repo, token,
                          requests.Session())
    server = make_server(host or "127.0.0.1", int(port), IssueBridge(client))
    print(f"bridge listening on {args.listen}, repository {repo}", flush=True)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return EXIT_OK
