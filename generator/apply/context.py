"""What every kind's planner needs: the client, the options, the ledger read from Grafana."""

from __future__ import annotations

from dataclasses import dataclass

from generator.apply.changes import Options, Refresh
from generator.apply.client import HttpClient
from generator.apply.ledger import LEDGER_NAME, Ledger


@dataclass
class Ctx:
    """What every kind's planner needs; `lost` when the ledger is gone but markers show that
    slogen wrote to this org before."""

    client: HttpClient
    options: Options
    ledger: Ledger
    lost: bool = False

    @property
    def full(self) -> bool:
        """True when object contents are read and compared (not only markers)."""
        return self.options.refresh is Refresh.FULL

    def unowned(self, what: str = "exists and is not managed by slogen") -> str:
        """Why an object is blocked: not provably slogen's."""
        if self.lost:
            return (f"{what} (slogen's ledger {LEDGER_NAME} is missing and it differs from "
                    f"the specs): use --adopt to take it over")
        return f"{what} (use --adopt to take it over)"
