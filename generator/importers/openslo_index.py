"""The named OpenSLO documents of one import, so references resolve across files."""

from __future__ import annotations

from dataclasses import dataclass, field

from generator.importers.source import Node


@dataclass
class Index:
    """Every named OpenSLO document of the input, by kind and name, and which were used."""

    docs: dict[tuple[str, str], Node] = field(default_factory=dict)
    versions: dict[tuple[str, str], str] = field(default_factory=dict)
    used: set[tuple[str, str]] = field(default_factory=set)

    def find(self, kind: str, name: str) -> Node | None:
        """The document of `kind` named `name`, marked as used."""
        doc = self.docs.get((kind, name))
        if doc is not None:
            self.used.add((kind, name))
        return doc
