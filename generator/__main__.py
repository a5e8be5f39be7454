"""The `slogen` command (and `python -m generator`).

`slogen exporter` is a long-running server with a memory budget: it is started without loading
the rest of the command line (the compiler pipeline, Grafana and Jsonnet libraries, rich), which
the other commands need and it does not.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    """Run slogen; return the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args == ["--version"]:  # answered before any command module loads
        from generator import __version__

        print(f"slogen {__version__}")
        return 0
    if args[:1] == ["exporter"]:
        from generator.commands.exporter import main as exporter_main

        return exporter_main(args[1:])
    from generator.cli import main as cli_main

    return cli_main(args)


if __name__ == "__main__":
    raise SystemExit(main())
