"""Render a comparison report as Markdown for a pull-request comment."""

from __future__ import annotations

from generator.compare import SECTIONS, Change, Report

# Long PromQL in a table cell is unreadable; the object id and a short text are enough.
MAX_CELL = 120
MAX_FILES = 30


def _cell(text: str) -> str:
    text = text.replace("\n", " ").replace("|", "\\|")
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


def _describe(change: Change) -> str:
    if change.status == "removed":
        return "-"
    if change.status == "added":
        return "; ".join(f"{f}: {_cell(new)}" for f, _, new in change.fields)
    return "; ".join(f"{f}: {_cell(old)} -> {_cell(new)}" for f, old, new in change.fields)


def _section(name: str, changes: list[Change]) -> list[str]:
    if not changes:
        return []
    counts = {s: sum(1 for c in changes if c.status == s) for s in ("added", "removed", "changed")}
    summary = ", ".join(f"{n} {s}" for s, n in counts.items() if n)
    lines = [f"### {name} ({summary})", "", "| | Id | Details |", "|---|---|---|"]
    lines += [f"| {c.status} | `{c.key}` | {_describe(c)} |" for c in changes]
    return [*lines, ""]


def _counts(report: Report) -> list[str]:
    lines = ["### Rules", "", "| | Base | Head | Delta |", "|---|---|---|---|"]
    lines += [f"| {name} | {old} | {new} | {new - old:+d} |" for name, old, new in report.counts]
    return [*lines, ""]


def _files(report: Report) -> list[str]:
    lines = []
    for status in ("added", "removed", "changed"):
        paths = report.files.get(status, ())
        if paths:
            shown = ", ".join(f"`{p}`" for p in paths[:MAX_FILES])
            more = f" and {len(paths) - MAX_FILES} more" if len(paths) > MAX_FILES else ""
            lines.append(f"- {status}: {shown}{more}")
    return ["### Generated files", "", *lines, ""] if lines else []


def render_markdown(report: Report, base: str, head: str) -> str:
    """The PR comment: one section per kind of object, rule counts and generated files."""
    lines = [f"## slogen diff: `{base}` -> {head}", ""]
    if not report:
        return "\n".join([*lines, "No changes to SLOs, alerts, routes or generated files.", ""])
    total = len(report.changes)
    files = sum(len(paths) for paths in report.files.values())
    lines += [f"{total} object{'s' if total != 1 else ''} changed, "
              f"{files} generated file{'s' if files != 1 else ''} added, removed or changed.", ""]
    for name in SECTIONS:
        lines += _section(name, [c for c in report.changes if c.section == name])
    lines += _counts(report) + _files(report)
    return "\n".join(lines)
