"""Allow `python -m generator`, the same as the `slogen` command."""

from generator.cli import main

raise SystemExit(main())
