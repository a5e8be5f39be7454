"""Alert templates and label texts are checked at validate time, as promtool checks them later.

The template parser is compared with promtool itself on every case below: both accept or both
reject, so `validate` refuses exactly what `generate` would.
"""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from generator.core.errors import SpecErrors
from generator.specfile.gotemplate_check import TemplateError, check_template
from generator.specfile.loader import load_specs

TEMPLATES = [
    'plain text',
    '{{ $labels.instance }}',
    '{{ $value }}',
    '{{ $value | humanize }}',
    '{{ $value | humanizePercentage }}',
    '{{ printf "%.2f" $value }}',
    '{{ $labels.x ',
    '{{ $foo }}',
    '{{ if }}',
    '{{ end }}',
    '{{ if gt $value 1.0 }}hi{{ end }}',
    '{{ if gt $value 1.0 }}hi',
    '{{ with query "up" }}{{ . | first | value | humanize }}{{ end }}',
    '{{ range $i, $v := query "up" }}{{ $v }}{{ end }}',
    '{{ range query "up" }}{{ .Labels.instance }}{{ end }}',
    '{{- $labels.x -}}',
    '{{/* comment */}}',
    '{{- /* comment */ -}}',
    '{{/* comment */ }}',
    '{{ nope }}',
    '{{ $labels.x | nope }}',
    '{{ | }}',
    '{{ $value | }}',
    '{{ (1 }}',
    '{{ 1) }}',
    '{{ "unterminated }}',
    '{{ `raw }}',
    '{{ $x := 1 }}{{ $x }}',
    '{{ if true }}{{ $x := 1 }}{{ end }}{{ $x }}',
    '{{ $x = 1 }}',
    '{{ else }}',
    '{{ if true }}a{{ else }}b{{ end }}',
    '{{ if true }}a{{ else if false }}b{{ else }}c{{ end }}',
    '{{ break }}',
    '{{ range . }}{{ break }}{{ end }}',
    '{{ nil }}',
    '{{ len nil }}',
    '{{ .Labels.x }}',
    '{{ . }}',
    '{{ 3 }}',
    '{{ 3x }}',
    '{{ -3 }}',
    '{{ 0x1F }}',
    '{{ 1e3 }}',
    "{{ 'a' }}",
    '{{ "a" "b" }}',
    '{{ define "x" }}a{{ end }}',
    '{{ template "x" }}',
    '{{ template "x" . }}',
    '{{ template x }}',
    '{{ block "b" . }}x{{ end }}',
    '{{ $labels.instance}}',
    '{{$labels.instance}}',
    '{{ index $labels "job" }}',
    '{{ $labels.job | toUpper | printf "%s!" }}',
    '{{ humanizeDuration 3600 }}',
    '{{ reReplaceAll "a" "b" $labels.x }}',
    '{{ toDuration 1 }}',
    '{{ now }}',
    '{{ stripDomain "a" }}',
    '{{ $externalURL }}',
    '{{ $externalLabels.cluster }}',
    '{{ $ }}',
    '{{ $.Labels }}',
    '{{ if and (gt $value 1.0) (lt $value 2.0) }}x{{ end }}',
    '{{ if (gt $value 1.0 }}x{{ end }}',
    '{{ 1 2 }}',
    '{{ $value.x.y }}',
    '{{ .A.B.C }}',
    '{{ $labels. }}',
    '{{ $labels.x.}}',
    '{{{ $value }}}',
    '}} {{ $value }}',
    '{{ $value }} }}',
    '{{ "a\\"b" }}',
    '{{ printf "%d" 3 | printf "%s" }}',
    '{{ with $x := 1 }}{{ $x }}{{ end }}',
    '{{ range $i, $v, $w := . }}{{ end }}',
    '{{ if $x := 1 }}{{ $x }}{{ else }}{{ $x }}{{ end }}',
    '{{ true }}',
    '{{ if }}{{ end }}',
    '{{ end }}{{ if true }}',
    '{{ 1 | printf }}',
    '{{ printf | }}',
    '{{ (printf) }}',
    '{{ () }}',
    '{{ $labels.job\n}}',
    '{{\n$labels.job }}',
    '{{- 3 }}',
    '{{-3}}',
    '{{ 3 -}}',
    '{{ .x | len }}',
    '{{ continue }}',
    '{{ range . }}{{ continue }}{{ end }}',
    '{{ $labels := 1 }}',
    '{{ define "a" }}{{ end }}{{ $value }}',
    '{{ if true }}{{ define "a" }}{{ end }}{{ end }}',
    '{{ with }}{{ end }}',
    '{{ range }}{{ end }}',
    '{{ 1.5.3 }}',
    '{{ .5 }}',
    '{{ +.5 }}',
    "{{ 'ab' }}",
    '{{ html "<b>" }}',
    '{{ js "x" }}',
    '{{ call .F }}',
    '{{ slice "abc" 1 2 }}',
    '{{ urlquery "a b" }}',
    '{{ println }}',
    '{{ not true }}',
    '{{ eq 1 1 }}',
    '{{ "}}" }}',
    '{{ `}}` }}',
    'a {{ $value }} b {{ $labels.x }} c',
    '{{ $value }}{{',
    '{{',
    '}}',
    '{{}}',
    '{{ }}',
    '{{- }}',
    '{{ -}}',
    '{{ if true -}} x {{- end }}',
    '{{ $labels.x }}\n{{ $labels.y',
    'line1\nline2 {{ nope }}',
    '{{ range $k, $v := $labels }}{{ $k }}={{ $v }} {{ end }}',
    '{{ with $labels.x }}{{ . }}{{ else }}none{{ end }}',
    '{{ if eq $labels.severity "critical" }}PAGE{{ end }}',
    '{{ printf "%.1f%%" (humanizePercentage $value) }}',
    '{{ $value | printf "%.2f" }}',
    '{{ .Value }}',
    '{{ title $labels.x }}',
    '{{ match "a.*" $labels.x }}',
    '{{ graphLink "up" }}',
    '{{ tableLink "up" }}',
    '{{ args 1 2 }}',
    '{{ sortByLabel "x" (query "up") }}',
    '{{ (query "up" | first | value) }}',
    '{{ (query "up") | first }}',
    '{{ $a := 1 }}{{ $b := $a }}{{ $b }}',
    '{{ $a, $b := 1 }}',
    '{{ range $a, $b := . }}{{ $a }}{{ $b }}{{ end }}',
    '{{ $labels.x | default "y" }}',
    '{{ $Labels.x }}',
    '{{ .Labels.x | toUpper }}',
    '{{ 1.0e }}',
    '{{ 0x }}',
    '{{ 1_000 }}',
    '{{ "\\n" }}',
    "{{ '\\n' }}",
    "{{ '\\'' }}",
    '{{ if true }}{{ else }}{{ else }}{{ end }}',
    '{{ if true }}{{ end }}{{ end }}',
    '{{ range . }}{{ else }}{{ break }}{{ end }}',
    '{{ $x := 1 }}{{ $x := 2 }}{{ $x }}',
    '{{ block "b" }}x{{ end }}',
    '{{ template "x" $labels }}',
    '{{ define "a" }}{{ $value }}{{ end }}',
    '{{ .x.y | printf "%v" }}',
    '{{ (.x).y }}',
    '{{ ($labels).x }}',
    '{{ $value := 1 }}',
    '{{ $ := 1 }}',
    '{{ print 1 , 2 }}',
    '{{ print (1, 2) }}',
    '{{ if not (eq $labels.a "b") }}x{{ end }}',
]


def _accepts(text: str) -> bool:
    try:
        check_template(text)
    except TemplateError:
        return False
    return True


@pytest.mark.promtool
def test_templates_are_accepted_and_rejected_as_promtool_does(tmp_path: Path,
                                                              promtool: str) -> None:
    lines = ["groups:", "- name: g", "  rules:"]
    for index, text in enumerate(TEMPLATES):
        lines += [f"  - alert: A{index}", "    expr: up", "    labels:",
                  f"      l: {json.dumps(text)}", "    annotations:",
                  f"      s: {json.dumps(text)}"]
    rules = tmp_path / "rules.yaml"
    rules.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run([promtool, "check", "rules", str(rules)], capture_output=True,
                            text=True, check=False)
    rejected = {int(m.group(1)) - 1 for m in re.finditer(
        r'rule (\d+), "A\d+": annotation "s"', result.stdout + result.stderr)}
    assert len(rejected) > 40
    disagree = [(text, index in rejected) for index, text in enumerate(TEMPLATES)
                if _accepts(text) == (index in rejected)]
    assert disagree == []


def test_validate_refuses_templates_labels_and_annotation_names_at_their_line(
        tmp_path: Path) -> None:
    spec_dir = tmp_path / "slos"
    spec_dir.mkdir()
    (spec_dir / "svc.yaml").write_text(
        'version: slogen/v1\nservice: svc\nteam: t\nlabels:\n  tier: "one\\ntwo"\nalerts:\n'
        "  - name: Broken\n    expr: up\n    below: 1\n"
        '    summary: "{{ $labels.x "\n    description: "{{ nope }}"\n'
        '    annotations:\n      bad-key: x\n      ok: "{{ $value | humanize }}"\n'
        "grafana_alerts:\n  - {name: G, datasource: prom, expr: up, below: 1, "
        'summary: "{{ if }}"}\n', encoding="utf-8")
    with pytest.raises(SpecErrors) as caught:
        load_specs(spec_dir, tmp_path)
    assert [str(e) for e in caught.value.errors][:5] == [
        "slos/svc.yaml:5:9: labels.tier: label value contains the control character U+000A (a "
        "line break or similar); labels are one line of text",
        "slos/svc.yaml:10:14: alerts[0].summary: invalid Prometheus template: unclosed action "
        "(in '{{ $labels.x'); fix the {{ }} action or write the text without braces",
        "slos/svc.yaml:11:18: alerts[0].description: invalid Prometheus template: function "
        "\"nope\" not defined (in '{{ nope }}'); fix the {{ }} action or write the text without "
        "braces",
        "slos/svc.yaml:13:7: alerts[0].annotations.bad-key: annotation name 'bad-key' is not "
        "valid: it needs letters, digits and '_', and no leading digit",
        "slos/svc.yaml:16:62: grafana_alerts[0].summary: invalid Grafana template: missing value "
        "for if (in '{{ if }}'); fix the {{ }} action or write the text without braces",
    ]
