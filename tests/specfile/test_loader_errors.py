"""Malformed specs: each case changes one thing in a known-good spec and asserts every message.

The good spec lives in tests/testdata/spec/good/. A case names the file to change, the text to
replace (None: replace the whole file, or create it) and the exact errors, file:line:column first.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.core.errors import SpecErrors
from tests.conftest import TESTDATA

GOOD = TESTDATA / "spec" / "good"


def _errors(tmp_path: Path, file: str, old: str | None, new: str,
            promtool: str | None) -> list[str]:
    """Copy the good spec, apply one change, compile, and return the messages."""
    spec_dir = tmp_path / "slos"
    shutil.copytree(GOOD, spec_dir)
    target = spec_dir / file
    if old is None:
        target.write_text(new, encoding="utf-8")
    else:
        text = target.read_text(encoding="utf-8")
        assert text.count(old) == 1, f"the case must change exactly one place: {old!r}"
        target.write_text(text.replace(old, new), encoding="utf-8")
    try:
        pipeline.compile_specs(spec_dir, promtool, tmp_path)
    except SpecErrors as exc:
        return [str(error) for error in exc.errors]
    return []


CASES = [
    pytest.param(
        'checkout.yaml', '    for: 10m',
        '\tfor: 10m',
        [
            ('slos/checkout.yaml:24:1: (document): invalid YAML: a tab character; YAML indents '
             'with spaces only'),
        ],
        id='a tab is not indentation',
    ),
    pytest.param(
        'checkout.yaml', 'slos:\n',
        'slos: [\n',
        [
            ('slos/checkout.yaml:7:3: (document): invalid YAML: while parsing a flow node '
             "expected the node content, but found '-'"),
        ],
        id='an unclosed flow list is a syntax error',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'team: "payments',
        [
            ('slos/checkout.yaml:12:48: (document): invalid YAML: while parsing a block mapping '
             "expected <block end>, but found '<scalar>' (the structure started on line 2; "
             'check quotes and indentation from there)'),
        ],
        id='an unclosed quote is a syntax error',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'team: payments\nteam: billing',
        [
            "slos/checkout.yaml:5:1: team: duplicate key 'team'; it is already set on line 4",
        ],
        id='a key repeated in one mapping is named with its first line',
    ),
    pytest.param(
        'checkout.yaml', '    for: 15m',
        '    for: 15m\n    for: 20m',
        [
            ("slos/checkout.yaml:32:5: alerts[2].for: duplicate key 'for'; it is already set on "
             'line 31'),
        ],
        id='a key repeated inside a list item names the item path',
    ),
    pytest.param(
        'checkout.yaml', 'version: slogen/v1\n',
        'version: slogen/v1\n---\nversion: slogen/v1\n',
        [
            ('slos/checkout.yaml:4:1: (document): expected one YAML document, found a second '
             'one here; remove the `---` separators and put each service in its own file'),
        ],
        id='two YAML documents in one file are rejected',
    ),
    pytest.param(
        'checkout.yaml', None,
        '',
        [
            ('slos/checkout.yaml:1:1: (document): the file is empty; start it with `version: '
             'slogen/v1`'),
        ],
        id='an empty file says how to start',
    ),
    pytest.param(
        'checkout.yaml', None,
        '- version: slogen/v1\n',
        [
            ('slos/checkout.yaml:1:1: (document): expected a mapping starting with `version: '
             'slogen/v1`, got a list'),
        ],
        id='a list document is not a spec',
    ),
    pytest.param(
        'checkout.yaml', None,
        'just some text\n',
        [
            ('slos/checkout.yaml:1:1: (document): expected a mapping starting with `version: '
             'slogen/v1`, got a string'),
        ],
        id='a scalar document is not a spec',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'team: 2024-01-01',
        [
            ('slos/checkout.yaml:4:7: team: YAML type timestamp is not supported here; write '
             "'2024-01-01' in quotes to keep it as text"),
        ],
        id='a date value must be quoted',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'team: !secret payments',
        [
            ('slos/checkout.yaml:4:7: team: YAML type !secret is not supported here; write '
             "'payments' in quotes to keep it as text"),
        ],
        id='custom tags are not supported',
    ),
    pytest.param(
        'checkout.yaml', '    alert: {above: 0, severity: warning}',
        '    alert: {<<: {above: 0}, severity: warning}',
        [
            ('slos/checkout.yaml:42:13: health_checks[0].alert: merge keys (<<) are not '
             'supported; write the keys out'),
        ],
        id='merge keys are not supported',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'team: payments\n1: one',
        [
            'slos/checkout.yaml:5:1: (document): keys must be strings, got 1; quote the key',
        ],
        id='non-string keys must be quoted',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'team: pay\x07ments',
        [
            ('slos/checkout.yaml:4:10: (document): invalid YAML: control character U+0007 is '
             'not allowed; remove it'),
        ],
        id='a control character is refused with its position',
    ),
    pytest.param(
        'checkout.yaml', '    above: 80',
        '    above: .inf',
        [
            'slos/checkout.yaml:23:12: alerts[0].above: NaN and infinity are not allowed here',
        ],
        id='infinity is not a threshold',
    ),
    pytest.param(
        'checkout.yaml', '    above: 80',
        '    above: "1e999"',
        [
            ("slos/checkout.yaml:23:12: alerts[0].above: expected a finite number, got '1e999': "
             "NaN and infinity are not allowed here"),
        ],
        id='infinity written as text is not a threshold either',
    ),
    pytest.param(
        'checkout.yaml', '    above: 80',
        '    above: 1.7e308',
        [
            'slos/checkout.yaml:23:12: alerts[0].above: must be <= 1e+300 (got 1.7e+308)',
        ],
        id='a threshold near the float limit is refused',
    ),
    pytest.param(
        'checkout.yaml', 'quantiles: [0.5, 0.95]',
        'quantiles: [0.5, 0.95]\n    labels: {"\\ud83d": x}',
        [
            ('slos/checkout.yaml:37:14: recording[0].labels.\ud83d: the escape \\ud83d is half '
             'of a UTF-16 surrogate pair, not a character; write the character itself or one '
             '\\U00XXXXXX escape'),
        ],
        id='a lone surrogate escape in a key',
    ),
    pytest.param(
        'checkout.yaml', 'health_checks:\n',
        ('health_checks:\n  - name: orphaned-edges\n    database: main\n    every: 5m\n'
         '    sql: SELECT 1 AS value\n    alert: {above: 0, severity: warning}\n'),
        [
            ("slos/checkout.yaml:43:11: health_checks[1].name: health check 'orphaned_edges' "
             "alerts as HealthCheckOrphanedEdges, the name health check 'orphaned-edges' "
             "(health_checks[0]) already has; rename one of them"),
        ],
        id='two health checks whose alerts would share a name and labels',
    ),
    pytest.param(
        'checkout.yaml', '  - name: CoverageLow',
        '  - name: HealthCheckOrphanedEdges',
        [
            ("slos/checkout.yaml:38:11: health_checks[0].name: health check 'orphaned_edges' "
             "alerts as HealthCheckOrphanedEdges, the name alerts[1] already has; rename one "
             "of them"),
        ],
        id='a health check alert named like an alert of the service',
    ),
    pytest.param(
        'checkout.yaml', 'version: slogen/v1\n',
        '',
        [
            ('slos/checkout.yaml:1:1: version: missing version; add `version: slogen/v1` as the '
             'first line'),
        ],
        id='a missing version names the expected one',
    ),
    pytest.param(
        'checkout.yaml', 'version: slogen/v1',
        'version: slogen/v2',
        [
            ("slos/checkout.yaml:2:10: version: unsupported version 'slogen/v2'; expected "
             'slogen/v1'),
        ],
        id='a wrong version names the expected one',
    ),
    pytest.param(
        'checkout.yaml', 'version: slogen/v1',
        'version: 1',
        [
            'slos/checkout.yaml:2:10: version: unsupported version 1; expected slogen/v1',
        ],
        id='a numeric version is wrong too',
    ),
    pytest.param(
        '_global.yaml', 'version: slogen/v1\n',
        '',
        [
            ('slos/_global.yaml:1:1: version: missing version; add `version: slogen/v1` as the '
             'first line'),
        ],
        id='the global file needs a version too',
    ),
    pytest.param(
        'checkout.yaml', 'objective: 99.9',
        'objective: 100.5',
        [
            ('slos/checkout.yaml:8:16: slos[0].objective: 100.5 is not a percentage between 0 '
             'and 100 (exclusive)'),
        ],
        id='objective above 100 is not a percentage',
    ),
    pytest.param(
        'checkout.yaml', 'objective: 99.9',
        'objective: 100',
        [
            ('slos/checkout.yaml:8:16: slos[0].objective: 100 is not a percentage between 0 and '
             '100 (exclusive)'),
        ],
        id='objective of 100 leaves no budget',
    ),
    pytest.param(
        'checkout.yaml', 'objective: 99.9',
        'objective: 0.999',
        [
            ('slos/checkout.yaml:8:16: slos[0].objective: 0.999 looks like a ratio, but objectives '
             'are percentages; did you mean 99.9?'),
        ],
        id='a ratio objective gets a did-you-mean',
    ),
    pytest.param(
        'checkout.yaml', 'objective: 99.9',
        'objective: high',
        [
            "slos/checkout.yaml:8:16: slos[0].objective: expected a number, got 'high'",
        ],
        id='objective must be a number',
    ),
    pytest.param(
        'checkout.yaml', 'objective: 99.9',
        'objective: 99.9%',
        [
            ("slos/checkout.yaml:8:16: slos[0].objective: expected a number, got '99.9%'; write "
             'the number without %: 99.9'),
        ],
        id='a percent sign on the objective gets a hint',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'team: payments\nlabels: {tier: 1}',
        [
            ('slos/checkout.yaml:5:16: labels.tier: expected a string, got 1; quote it if you '
             "mean the text: '1'"),
        ],
        id='an unquoted number where text goes gets a hint',
    ),
    pytest.param(
        'checkout.yaml', 'service: checkout',
        'service: [checkout]',
        [
            'slos/checkout.yaml:3:1: service: expected a string, got a list',
        ],
        id='service must be a string, not a list',
    ),
    pytest.param(
        'checkout.yaml', 'service: checkout',
        'service: Check Out',
        [
            ("slos/checkout.yaml:3:10: service: 'Check Out' is not valid here: use lower-case "
             "letters, digits, '-' and '_', starting with a letter"),
        ],
        id='service names are lower-case identifiers',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments\n',
        '',
        [
            'slos/checkout.yaml:1:1: team: required key is missing',
        ],
        id='team is required',
    ),
    pytest.param(
        'checkout.yaml', '    above: 80',
        '    above: eighty',
        [
            "slos/checkout.yaml:23:12: alerts[0].above: expected a number, got 'eighty'",
        ],
        id='an alert threshold must be a number',
    ),
    pytest.param(
        'checkout.yaml', '    severity: warning\n  - name: CoverageLow',
        '    severity: high\n  - name: CoverageLow',
        [
            ("slos/checkout.yaml:25:15: alerts[0].severity: 'high' is not allowed; use one of "
             "'critical', 'warning' or 'info'"),
        ],
        id='severity must be a known one',
    ),
    pytest.param(
        'checkout.yaml', 'tiers: {warning: {below: 80}, critical: {below: 50}}',
        'tiers: {warning: {below: 80}, fatal: {below: 50}}',
        [
            ("slos/checkout.yaml:28:35: alerts[1].tiers.fatal: 'fatal' is not allowed; use one "
             "of 'critical', 'warning' or 'info'"),
        ],
        id='tier keys are severities',
    ),
    pytest.param(
        'checkout.yaml', 'name: HighMemoryUsage',
        'name: High Memory',
        [
            ("slos/checkout.yaml:21:11: alerts[0].name: 'High Memory' is not valid here: an "
             "alert name has letters, digits and '_', starting with a letter"),
        ],
        id='alert names have no spaces',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'team: payments\nlabels: {team-x: a}',
        [
            ("slos/checkout.yaml:5:18: labels.team-x: 'team-x' is not valid here: a label name "
             "has letters, digits and '_', and no leading digit"),
        ],
        id='label names follow Prometheus rules',
    ),
    pytest.param(
        'checkout.yaml', 'runbook: https://runbooks.example.com/checkout',
        'runbook: runbooks.example.com/checkout',
        [
            ("slos/checkout.yaml:5:10: runbook: 'runbooks.example.com/checkout' is not valid "
             'here: expected an http:// or https:// URL'),
        ],
        id='the runbook must be a URL',
    ),
    pytest.param(
        'checkout.yaml', 'quantiles: [0.5, 0.95]',
        'quantiles: [0.5, 95]',
        [
            ('slos/checkout.yaml:36:22: recording[0].quantiles[1]: quantile 95 must be between '
             '0 and 1 (exclusive), like 0.95'),
        ],
        id='a quantile must be between 0 and 1',
    ),
    pytest.param(
        'checkout.yaml', '    - title: Requests',
        '    - title: Requests\n      width: 30',
        [
            'slos/checkout.yaml:53:14: dashboard.panels[0].width: must be <= 24 (got 30)',
        ],
        id='a panel may be at most 24 wide',
    ),
    pytest.param(
        'checkout.yaml', '    - title: Requests',
        "    - title: ''",
        [
            'slos/checkout.yaml:52:14: dashboard.panels[0].title: must not be empty',
        ],
        id='a panel title must not be empty',
    ),
    pytest.param(
        'checkout.yaml', 'team: payments',
        'teem: payments',
        [
            'slos/checkout.yaml:1:1: team: required key is missing',
            "slos/checkout.yaml:4:1: teem: unknown key 'teem'; did you mean 'team'?",
        ],
        id='an unknown top-level key suggests the close one',
    ),
    pytest.param(
        'checkout.yaml', '    above: 80',
        '    abov: 80',
        [
            "slos/checkout.yaml:23:5: alerts[0].abov: unknown key 'abov'; did you mean 'above'?",
        ],
        id='an unknown nested key suggests the close one',
    ),
    pytest.param(
        'checkout.yaml', '[{{window}}]))\n  - name: latency',
        '[{{window}}]))\n        tota: x\n  - name: latency',
        [
            ("slos/checkout.yaml:14:9: slos[0].sli.events.tota: unknown key 'tota'; did you "
             "mean 'total'?"),
        ],
        id='an unknown key inside an SLI suggests total',
    ),
    pytest.param(
        '_global.yaml', '{uid: slos, title: Service Levels}',
        '{uid: slos, title: Service Levels, colour: red}',
        [
            ("slos/_global.yaml:17:42: grafana.folders[0].colour: unknown key 'colour'; known "
             'keys: title, uid'),
        ],
        id='an unknown key without a close match lists the known ones',
    ),
    pytest.param(
        '_global.yaml', 'databases:',
        'databasess:',
        [
            ("slos/_global.yaml:22:1: databasess: unknown key 'databasess'; did you mean "
             "'databases'?"),
        ],
        id='an unknown key in the global file suggests the close one',
    ),
    pytest.param(
        'checkout.yaml', 'window: 30d',
        'window: 30x',
        [
            ("slos/checkout.yaml:9:13: slos[0].window: '30x' is not a Prometheus duration; use "
             'units ms, s, m, h, d, w, y from largest to smallest, like 90s, 1h30m or 28d'),
        ],
        id='a duration needs a known unit',
    ),
    pytest.param(
        'checkout.yaml', 'window: 30d',
        'window: 30',
        [
            ('slos/checkout.yaml:9:13: slos[0].window: 30 is not a duration; write it with a '
             'unit, like 30s, 5m, 1h30m or 28d'),
        ],
        id='a bare number is not a duration',
    ),
    pytest.param(
        'checkout.yaml', '    for: 15m',
        '    for: 1h 30m',
        [
            ("slos/checkout.yaml:31:10: alerts[2].for: '1h 30m' is not a Prometheus duration; "
             'use units ms, s, m, h, d, w, y from largest to smallest, like 90s, 1h30m or 28d'),
        ],
        id='a duration has no spaces',
    ),
    pytest.param(
        'checkout.yaml', '    for: 15m',
        '    for: 30m1h',
        [
            ("slos/checkout.yaml:31:10: alerts[2].for: '30m1h' is not a Prometheus duration; "
             'use units ms, s, m, h, d, w, y from largest to smallest, like 90s, 1h30m or 28d'),
        ],
        id='units go from largest to smallest',
    ),
    pytest.param(
        'checkout.yaml', 'below: 200ms}',
        'below: 200}',
        [
            ('slos/checkout.yaml:19:96: slos[1].sli.latency.below: 200 is not a duration; write '
             'it with a unit, like 30s, 5m, 1h30m or 28d'),
        ],
        id='a latency threshold needs a unit',
    ),
    pytest.param(
        'checkout.yaml', 'window: 30d',
        'window: 0s',
        [
            'slos/checkout.yaml:9:13: slos[0].window: must be longer than 0s',
        ],
        id='a zero SLO window is refused',
    ),
    pytest.param(
        'checkout.yaml', '        bad: sum',
        '        good: sum(rate(x[{{window}}]))\n        bad: sum',
        [
            ('slos/checkout.yaml:11:7: slos[0].sli.events: give exactly one of good or bad, '
             'beside total'),
        ],
        id='an events SLI needs good or bad, not both',
    ),
    pytest.param(
        'checkout.yaml', '[{{window}}]))\n        total',
        '[5m]))\n        total',
        [
            ('slos/checkout.yaml:12:14: slos[0].sli.events.bad: the query must contain '
             '{{window}} where the range goes, like rate(x[{{window}}])'),
        ],
        id='an SLI query must contain the window placeholder',
    ),
    pytest.param(
        'checkout.yaml', '    sli:\n      events:',
        '    sli:\n      availability: {selector: \'{job="x"}\'}\n      events:',
        [
            ('slos/checkout.yaml:10:5: slos[0].sli: give exactly one of events, latency, '
             'availability, raw or threshold'),
        ],
        id='an SLI needs exactly one kind',
    ),
    pytest.param(
        'checkout.yaml', '    absent: test_pass_rate',
        '    absent: test_pass_rate\n    expr: up',
        [
            ('slos/checkout.yaml:29:5: alerts[2]: give exactly one of expr, absent, stale, '
             'predict or anomaly (got expr, absent)'),
        ],
        id='an alert needs exactly one kind',
    ),
    pytest.param(
        'checkout.yaml', '    absent: test_pass_rate',
        '    absent: test_pass_rate\n    above: 1',
        [
            ('slos/checkout.yaml:29:5: alerts[2]: above only goes with expr; absent has its own '
             'condition'),
        ],
        id='a condition only goes with expr',
    ),
    pytest.param(
        'checkout.yaml', '    alert: {above: 0, severity: warning}',
        '    alert: {severity: warning}',
        [
            ('slos/checkout.yaml:42:5: health_checks[0].alert: give exactly one of above, '
             'below, outside or equals'),
        ],
        id='a health-check alert needs one condition',
    ),
    pytest.param(
        'checkout.yaml', '    sql: SELECT now() AS time, count(*) AS value FROM runs\n',
        '',
        [
            'slos/checkout.yaml:44:5: grafana_alerts[0]: give exactly one of sql or expr',
        ],
        id='a Grafana alert needs sql or expr',
    ),
    pytest.param(
        'checkout.yaml', 'alerting: {page: {for: 2m}}',
        'alerting: {page: {windows: [{long: 1h, short: 2h, budget_percent: 2}]}}',
        [
            ('slos/checkout.yaml:17:33: slos[1].alerting.page.windows[0]: short window must be '
             'shorter than the long window'),
        ],
        id='a short burn window must be shorter than the long one',
    ),
    pytest.param(
        'checkout-copy.yaml', None,
        'version: slogen/v1\nservice: checkout\nteam: payments\n',
        [
            ("slos/checkout.yaml:3:10: service: service 'checkout' is already declared in "
             'slos/checkout-copy.yaml:2; each service has exactly one file'),
        ],
        id='a service declared in two files names both',
    ),
    pytest.param(
        'checkout.yaml', '- name: latency',
        '- name: availability',
        [
            ("slos/checkout.yaml:14:11: slos[1].name: duplicate SLO name 'availability'; "
             'slos[0] has it already'),
        ],
        id='SLO names are unique within a service',
    ),
    pytest.param(
        'checkout.yaml', 'name: CoverageLow',
        'name: HighMemoryUsage',
        [
            ("slos/checkout.yaml:26:11: alerts[1].name: duplicate alert name 'HighMemoryUsage'; "
             'alerts[0] has it already'),
        ],
        id='alert names are unique within a service',
    ),
    pytest.param(
        'checkout.yaml', '  - name: CoverageLow\n    expr: test_coverage_percent',
        '  - name: High_Memory_Usage\n    expr: 2 * test_coverage_percent',
        [
            ("slos/checkout.yaml:26:5: alerts[1]: alert High_Memory_Usage records its input as "
             "alert:checkout_high_memory_usage:value, as HighMemoryUsage (alerts[0]) does; "
             "rename one of them"),
        ],
        id='alert names that record their inputs as one series',
    ),
    pytest.param(
        'checkout.yaml', '    alert: {above: 0, severity: warning}\n',
        ('    alert: {above: 0, severity: warning}\n  - {name: orphaned_edges, database: main, '
         'sql: SELECT 1 AS value}\n'),
        [
            ('slos/checkout.yaml:43:12: health_checks[1].name: duplicate health check name '
             "'orphaned_edges'; health_checks[0] has it already"),
        ],
        id='health-check names are unique within a service',
    ),
    pytest.param(
        '_global.yaml', '  - name: chat\n',
        '  - name: pager\n',
        [
            ("slos/_global.yaml:6:11: receivers[1].name: duplicate receiver 'pager'; "
             'receivers[0] has it already'),
            "slos/_global.yaml:9:13: routing.receiver: unknown receiver 'chat'; known: pager",
            ('slos/_global.yaml:12:26: routing.severities.critical.receivers[1]: unknown '
             "receiver 'chat'; known: pager"),
            ('slos/_global.yaml:14:19: routing.severities.warning.receivers[0]: unknown '
             "receiver 'chat'; known: pager"),
        ],
        id='receiver names are unique',
    ),
    pytest.param(
        '_global.yaml', 'receivers: [pager, chat]',
        'receivers: [pager, chatt]',
        [
            ('slos/_global.yaml:12:26: routing.severities.critical.receivers[1]: unknown '
             "receiver 'chatt'; known: chat, pager"),
        ],
        id='routing names only declared receivers',
    ),
    pytest.param(
        '_global.yaml', '  receiver: chat',
        '  receiver: nobody',
        [
            ("slos/_global.yaml:9:13: routing.receiver: unknown receiver 'nobody'; known: chat, "
             'pager'),
        ],
        id='the default receiver must be declared',
    ),
    pytest.param(
        'checkout.yaml', 'database: main',
        'database: mian',
        [
            ("slos/checkout.yaml:39:15: health_checks[0].database: unknown database 'mian'; "
             'known: main'),
        ],
        id='a health check names a declared database',
    ),
    pytest.param(
        'checkout.yaml', 'datasource: pg',
        'datasource: pgg',
        [
            ("slos/checkout.yaml:45:17: grafana_alerts[0].datasource: unknown datasource 'pgg'; "
             'known: pg, prom'),
        ],
        id='a Grafana alert names a declared datasource',
    ),
    pytest.param(
        'checkout.yaml', 'datasource: pg',
        'datasource: prom',
        [
            ("slos/checkout.yaml:45:17: grafana_alerts[0].datasource: datasource 'prom' is "
             'prometheus; its query must be expr (PromQL)'),
        ],
        id='a SQL Grafana alert needs a SQL datasource',
    ),
    pytest.param(
        'checkout.yaml', '  folder: slos',
        '  folder: ops',
        [
            "slos/checkout.yaml:50:11: dashboard.folder: unknown folder 'ops'; known: slos",
        ],
        id='a dashboard folder must be declared',
    ),
    pytest.param(
        '_global.yaml', 'dashboard_folder: slos',
        'dashboard_folder: ops',
        [
            ("slos/_global.yaml:18:21: grafana.dashboard_folder: unknown folder 'ops'; known: "
             'slos'),
        ],
        id='the global dashboard folder must be declared',
    ),
    pytest.param(
        '_global.yaml', '{uid: pg, name: Postgres',
        '{uid: prom, name: Postgres',
        [
            ('slos/_global.yaml:21:13: grafana.datasources[1].uid: duplicate datasource uid '
             "'prom'; grafana.datasources[0] has it already"),
            ("slos/checkout.yaml:45:17: grafana_alerts[0].datasource: unknown datasource 'pg'; "
             'known: prom'),
        ],
        id='datasource uids are unique',
    ),
    pytest.param(
        'checkout.yaml', 'window: 30d',
        'window: 2h',
        [
            ('slos/checkout.yaml:9:13: slos[0].window: window 2h is shorter than the default '
             'page burn-rate window 6h; use a window of at least 6h, set alerting.page.windows, '
             'or alerting.page.enabled: false'),
            ('slos/checkout.yaml:9:13: slos[0].window: window 2h is shorter than the default '
             'ticket burn-rate window 3d; use a window of at least 3d, set '
             'alerting.ticket.windows, or alerting.ticket.enabled: false'),
        ],
        id='a default burn window longer than the SLO window is refused',
    ),
    pytest.param(
        'checkout.yaml', 'alerting: {page: {for: 2m}}',
        'alerting: {page: {windows: [{long: 30d, short: 1h, budget_percent: 2}]}}',
        [
            ('slos/checkout.yaml:17:40: slos[1].alerting.page.windows[0].long: burn-rate window '
             '30d is longer than the SLO window 28d'),
        ],
        id='a custom burn window longer than the SLO window is refused',
    ),
    pytest.param(
        'checkout.yaml', 'alerting: {page: {for: 2m}}',
        'alerting: {page: {for: 40d}}',
        [
            ('slos/checkout.yaml:17:28: slos[1].alerting.page.for: for 40d must be shorter than '
             'the SLO window 28d'),
        ],
        id='an SLO alert `for` must be shorter than the SLO window',
    ),
    pytest.param(
        'checkout.yaml', 'objective: 99.9',
        'objective: 90',
        [
            ('slos/checkout.yaml:9:13: slos[0].window: page burn rate 14.4 can never fire: it '
             'needs an error ratio of 144%; lower the budget share or the objective'),
        ],
        id='a burn rate that needs more than 100% errors can never fire',
    ),
    pytest.param(
        'checkout.yaml', '    every: 5m\n',
        '    every: 5m\n    timeout: 10m\n',
        [
            ('slos/checkout.yaml:41:14: health_checks[0].timeout: timeout 10m is longer than '
             'every 5m; a check must end before the next run starts'),
        ],
        id='a health-check timeout must not exceed its interval',
    ),
    pytest.param(
        'checkout.yaml', '    every: 1m\n',
        '    every: 15s\n',
        [
            ('slos/checkout.yaml:48:12: grafana_alerts[0].every: every 15s must be a multiple '
             "of 10s, the Grafana scheduler's step"),
        ],
        id='Grafana evaluates every 10s',
    ),
    pytest.param(
        'checkout.yaml', '    every: 5m\n',
        '    every: 5m\n    labels: [value]\n',
        [
            ("slos/checkout.yaml:41:5: health_checks[0].labels: 'value' cannot be both a value "
             'and a label column'),
        ],
        id='a column cannot be both value and label',
    ),
    pytest.param(
        'checkout.yaml', 'objective: 99.9',
        'objective: 120\n    windw: 30d',
        [
            ('slos/checkout.yaml:8:16: slos[0].objective: 120 is not a percentage between 0 and '
             '100 (exclusive)'),
            "slos/checkout.yaml:9:5: slos[0].windw: unknown key 'windw'; did you mean 'window'?",
        ],
        id='every error in every file is reported at once',
    ),
]


PROMQL_CASES = [
    pytest.param(
        'checkout.yaml', 'absent: test_pass_rate',
        'absent: test_pass_rate{',
        [
            ('slos/checkout.yaml:30:13: alerts[2].absent: invalid PromQL: 1:16: parse error: '
             'unexpected end of input inside braces'),
        ],
        id='an unclosed selector is invalid PromQL',
    ),
    pytest.param(
        'checkout.yaml', 'expr: test_coverage_percent',
        'expr: test_coverage_percent >',
        [
            ('slos/checkout.yaml:27:11: alerts[1].expr: invalid PromQL: 1:24: parse error: '
             'unexpected end of input'),
        ],
        id='a bad alert expression is located at its value',
    ),
    pytest.param(
        'checkout.yaml', 'code=~"5.."}[{{window}}]))',
        'code=~"5.."}[{{window}}])',
        [
            ('slos/checkout.yaml:12:14: slos[0].sli.events.bad: invalid PromQL: 1:62: parse '
             'error: unclosed left parenthesis'),
        ],
        id='an SLI template is checked with the window filled in',
    ),
    pytest.param(
        'checkout.yaml', '        - expr: sum(rate(http_requests_total{job="checkout"}[5m]))',
        '        - expr: sum(rate(http_requests_total{job="checkout"}[5m])) by',
        [
            ('slos/checkout.yaml:54:17: dashboard.panels[0].queries[0].expr: invalid PromQL: '
             '1:54: parse error: unexpected end of input in grouping opts, expected "("'),
        ],
        id='panel queries are checked too',
    ),
]


@pytest.mark.promtool
def test_the_good_spec_is_valid(tmp_path: Path, promtool: str) -> None:
    assert _errors(tmp_path, "checkout.yaml", None, (GOOD / "checkout.yaml").read_text(),
                   promtool) == []


@pytest.mark.parametrize("file, old, new, expected", CASES)
def test_malformed_spec(tmp_path: Path, file: str, old: str | None, new: str,
                        expected: list[str]) -> None:
    assert _errors(tmp_path, file, old, new, None) == expected


@pytest.mark.promtool
@pytest.mark.parametrize("file, old, new, expected", PROMQL_CASES)
def test_invalid_promql(tmp_path: Path, promtool: str, file: str, old: str | None, new: str,
                        expected: list[str]) -> None:
    assert _errors(tmp_path, file, old, new, promtool) == expected


def test_cases_are_distinct() -> None:
    changes = [tuple(p.values[:3]) for p in CASES + PROMQL_CASES]
    assert len(changes) == len(set(changes)) >= 40


@pytest.mark.parametrize("above", ['"1e999"', "'nan'", "1.7e308", "-1e308"])
def test_thresholds_past_the_float_range_end_generate_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], above: str) -> None:
    # Text like "1e999" was read as infinity and a threshold near the float limit doubled to
    # infinity in the generated unit tests: both ended generate in an internal OverflowError.
    from generator.cli import main

    spec_dir = tmp_path / "slos"
    shutil.copytree(GOOD, spec_dir)
    spec = spec_dir / "checkout.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace("    above: 80",
                                                             f"    above: {above}"))
    code = main(["generate", "--specs", str(spec_dir), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(f"{spec}:23:12: alerts[0].above: "), err
    assert "Traceback" not in err and "internal error" not in err
    assert not (tmp_path / "out").exists()


def test_a_lone_surrogate_escape_ends_generate_with_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # "\ud800" in a double-quoted string read as half a UTF-16 pair; writing the rule file
    # raised UnicodeEncodeError, an internal error.
    from generator.cli import main

    spec_dir = tmp_path / "slos"
    shutil.copytree(GOOD, spec_dir)
    spec = spec_dir / "checkout.yaml"
    spec.write_text(spec.read_text(encoding="utf-8").replace(
        """    selector: '{job="checkout"}'\n    quantiles""",
        """    selector: "{job=\\"\\ud800\\"}"\n    quantiles"""))
    code = main(["generate", "--specs", str(spec_dir), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2, err
    assert err.startswith(
        f"{spec}:35:15: recording[0].selector: the escape \\ud800 is half of a UTF-16 "
        "surrogate pair, not a character; write the character itself or one \\U00XXXXXX "
        "escape\n"), err
    assert "internal error" not in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_specs_naming_a_file_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # It used to say the spec directory did not exist, beside the file the user can see.
    from generator.cli import main

    spec_dir = tmp_path / "slos"
    shutil.copytree(GOOD, spec_dir)
    assert main(["validate", "--specs", str(spec_dir / "checkout.yaml")]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{spec_dir}/checkout.yaml: (directory): is a file, not the spec directory; pass the "
        f"directory holding it, --specs {spec_dir}")
