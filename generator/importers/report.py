"""What an import found, and the one exit-code rule every importer follows.

- exit 0: every SLO in the input converted (notes say what was renamed or mapped);
- exit 1: something was skipped: an SLO, a field with meaning slogen cannot carry, or the
  input held no SLO at all (each listed as `file:line: path: reason`);
- exit 2: unreadable or invalid input; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

EXIT_CONVERTED, EXIT_SKIPPED, EXIT_INVALID = 0, 1, 2


class Severity(StrEnum):
    """How a finding bears on the exit code."""

    ERROR = "error"  # invalid input: exit 2
    SKIPPED = "skipped"  # not converted: exit 1
    NOT_SLO = "not an SLO document"  # listed; exit 1 only if the input has no SLO at all
    NOTE = "note"  # converted, with a change worth knowing: exit 0


@dataclass(frozen=True)
class Finding:
    """One located statement about the input."""

    severity: Severity
    file: str
    line: int | None
    path: str
    message: str

    @classmethod
    def error(cls, file: str, line: int | None, path: str, message: str) -> Finding:
        """Invalid input."""
        return cls(Severity.ERROR, file, line, path, message)

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        path = f" {self.path}:" if self.path else ""
        return f"{where}:{path} {self.severity}: {self.message}"


@dataclass
class Report:
    """Findings and counts of one import run."""

    findings: list[Finding] = field(default_factory=list)
    slos_found: int = 0
    slos_converted: int = 0

    def add(self, severity: Severity, where: tuple[str, int | None, str], message: str) -> None:
        """Record a finding at `where` (file, line, path)."""
        self.findings.append(Finding(severity, *where, message))

    def count(self, severity: Severity) -> int:
        """How many findings of one severity."""
        return sum(1 for f in self.findings if f.severity is severity)

    def exit_code(self) -> int:
        """The documented exit code for these findings."""
        if self.count(Severity.ERROR):
            return EXIT_INVALID
        if self.count(Severity.SKIPPED) or self.slos_found == 0:
            return EXIT_SKIPPED
        return EXIT_CONVERTED

    def summary(self) -> str:
        """One closing line with the counts."""
        return (f"{self.slos_converted} of {self.slos_found} SLOs converted; "
                f"{self.count(Severity.SKIPPED)} skipped, "
                f"{self.count(Severity.NOT_SLO)} not SLO documents, "
                f"{self.count(Severity.ERROR)} errors")

    def sorted_findings(self) -> list[Finding]:
        """Findings in file and line order, so output is stable."""
        return sorted(self.findings, key=lambda f: (f.file, f.line or 0, f.path, f.message))
