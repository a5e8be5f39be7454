"""`promtool check rules` on the staged rule files, with failures traced to the spec."""

from __future__ import annotations

import re
from pathlib import Path

from generator.model import Model
from generator.targets import prometheus_rules
from generator.validate import promtool
from generator.validate.checks import Problem, Tools

CHECK_NAME = "promtool check rules"
_RULE_REF = re.compile(r'group "([^"]+)", rule (\d+)')


def check_rule_files(staged: Path, model: Model, tools: Tools) -> list[Problem]:
    """Check every generated rule file; each failure names the file and, where promtool names
    the rule, the spec location that produced it."""
    if tools.promtool is None:
        return []
    inline = model.prometheus.windows == "inline"
    problems = []
    for service in model.services:
        rel = prometheus_rules.rules_path(service.name)
        path = staged / rel
        if not path.exists():
            continue
        result = promtool.check_rules([path], tools.promtool)
        if result.ok:
            continue
        sources = prometheus_rules.rule_sources(service, inline)
        output = result.output.replace(str(path), rel.as_posix())
        notes = sorted({f"  from {src.prefix()}" for group, index in _RULE_REF.findall(output)
                        if (src := sources.get((group, int(index)))) is not None})
        problems.append(Problem(CHECK_NAME, rel.as_posix(), "\n".join([output, *notes])))
    return problems
