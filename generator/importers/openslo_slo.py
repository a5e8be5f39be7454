"""One OpenSLO SLO document (v1 or v1alpha) as slogen SLO drafts: indicator, objectives,
window, budgeting method and alert policies; every problem located."""

from __future__ import annotations

from typing import Any

from generator.importers import durations, openslo_alerts
from generator.importers.calendar_window import calendar_window
from generator.importers.common import SloDraft, label_map
from generator.importers.openslo_index import Index
from generator.importers.promql import QueryError, window_template
from generator.importers.report import Report, Severity
from generator.importers.source import Invalid, Node, Skip

PROMETHEUS = "prometheus"
Sli = dict[str, dict[str, Any]]
Window = tuple[str | None, dict[str, Any] | None]
NAME_ANNOTATION = "slogen.dev/slo-name"
BUDGETING = ("Occurrences", "Timeslices", "RatioTimeslices")
_RATIO_PARTS = ("good", "bad", "total")


def drafts(doc: Node, version: str, index: Index, report: Report) -> list[SloDraft]:
    """The SLOs of one SLO document: one per objective."""
    spec = doc.get("spec")
    if spec is None or not spec.is_map():
        raise Invalid(doc, "spec is missing or not a mapping")
    meta = doc.get("metadata")
    name = meta.str_at("name") if meta else None
    notes = meta.get("annotations") if meta else None
    # Set by `slogen export openslo` when two services have SLOs of the same name.
    name = (notes.str_at(NAME_ANNOTATION) if notes else None) or name
    service = spec.str_at("service")
    if not service:
        raise Invalid(spec, "spec.service is required")
    method = _budgeting(spec, report)
    if version == "openslo/v1alpha":
        window, calendar = _window_v1alpha(spec, report)
        pairs = _objectives_v1alpha(spec, index, report)
    else:
        window, calendar = _window_v1(spec, report)
        pairs = _objectives_v1(spec, index, report)
    alerting = openslo_alerts.alerting(spec, index, report)
    out = []
    for i, (objective, sli) in enumerate(pairs):
        suffix = ""
        if len(pairs) > 1:
            label = objective.str_at("displayName") or str(i + 1)
            suffix = f"-{label}"
            report.add(Severity.NOTE, objective.where(), f"objective {i + 1} of {len(pairs)} "
                       f"becomes its own SLO {name}{suffix!s} (slogen has one objective per SLO)")
        description = (spec.str_at("description") or objective.str_at("displayName")
                       or (meta.str_at("displayName") if meta else None) or "")
        out.append(SloDraft(objective.where(), service, f"{name}{suffix}",
                            _target(objective), sli, window, description,
                            valid_labels(labels(meta), doc, report) if meta else {},
                            alerting, _timeslices(method, objective), calendar))
    return out


def _budgeting(spec: Node, report: Report) -> str:
    node = spec.get("budgetingMethod")
    method = node.text() if node is not None else None
    if method is None:
        report.add(Severity.NOTE, spec.where(), "budgetingMethod not given; Occurrences (every "
                   "event counts) assumed")
        return "Occurrences"
    if method not in BUDGETING:
        raise Invalid(node or spec, f"budgetingMethod {method!r} is not one of "
                                    f"{', '.join(BUDGETING)}")
    return method


def _timeslices(method: str, objective: Node) -> dict[str, Any] | None:
    """slogen's `timeslices:` for a Timeslices or RatioTimeslices objective."""
    if method == "Occurrences":
        return None
    window = objective.get("timeSliceWindow")
    if method == "Timeslices" and objective.get("timeSliceTarget") is None:
        raise Invalid(objective, "budgetingMethod Timeslices needs timeSliceTarget, the share "
                                 "of good events that makes a slice good (0 to 1]")
    if window is None:
        raise Invalid(objective, f"budgetingMethod {method} needs timeSliceWindow, like 1m")
    out: dict[str, Any] = {"slice": durations.duration(window)}
    if method == "Timeslices":
        target = objective.get("timeSliceTarget")
        if target is None:
            raise Invalid(objective, "budgetingMethod Timeslices needs timeSliceTarget, the "
                                     "share of good events that makes a slice good (0 to 1]")
        share = target.number()
        if not 0 < share <= 1:
            raise Invalid(target, f"timeSliceTarget {share:g} is not in (0, 1]")
        if share == 1:
            raise Skip(target, "timeSliceTarget 1 (a slice is good only without any error) "
                               "cannot be written as a slogen slice objective, which is below "
                               "100%")
        out["slice_objective"] = round(share * 100, 9)
    return out


def _target(objective: Node) -> float:
    target, percent = objective.get("target"), objective.get("targetPercent")
    if target is not None and percent is not None:
        raise Invalid(objective, "give target or targetPercent, not both")
    if target is None and percent is None:
        raise Invalid(objective, "the objective has no target; write target: 0.99 (or "
                                 "targetPercent: 99)")
    value = target.number() * 100 if target is not None else percent.number()  # type: ignore[union-attr]
    if not 0 < value < 100:
        node = target if target is not None else percent
        assert node is not None
        raise Invalid(node, f"{node.text()} is not a target between 0 and "
                            f"{'1' if target is not None else '100'} (exclusive)")
    return value


def _only_window(spec: Node, key: str, report: Report) -> Node | None:
    """The one item of the `key` list (both versions allow exactly one), or None (noted)."""
    windows = spec.get(key)
    if windows is None:
        report.add(Severity.NOTE, spec.where(), f"no {key}; slogen's default 30d rolling "
                   "window is used")
        return None
    items = windows.elements()
    if len(items) != 1:
        raise Invalid(windows, f"{key} needs exactly one item ({len(items)} given)")
    return items[0]


def _window_v1(spec: Node, report: Report) -> Window:
    item = _only_window(spec, "timeWindow", report)
    if item is None:
        return None, None
    node = item.get("duration")
    if node is None:
        raise Invalid(item, "timeWindow[0].duration is required, like 28d or 1M")
    count, unit = durations.shorthand(node)
    # The spec: isRolling omitted means false, a calendar-aligned window.
    return _window(count, unit, _flag(item, "isRolling") is True, item, report)


def _window_v1alpha(spec: Node, report: Report) -> Window:
    item = _only_window(spec, "timeWindows", report)
    if item is None:
        return None, None
    count_node, unit_node = item.get("count"), item.get("unit")
    if count_node is None or unit_node is None:
        raise Invalid(item, "a v1alpha time window needs count and unit, like count: 28, "
                            "unit: Day")
    count = count_node.number()
    unit = durations.V1ALPHA_UNITS.get((unit_node.text() or "").lower())
    if unit is None or count != int(count):
        raise Invalid(unit_node if unit is None else count_node,
                      "want a whole count and a unit of Second, Minute, Hour, Day, Week, "
                      "Month, Quarter or Year")
    rolling = _flag(item, "isRolling")
    if rolling is None:
        rolling = not item.has("calendar")
    return _window(int(count), unit, rolling, item, report)


def _window(count: int, unit: str, rolling: bool, item: Node,
            report: Report) -> tuple[str, dict[str, Any] | None]:
    """A rolling window, or a calendar-aligned one with its `calendar:`."""
    if rolling:
        return durations.window(count, unit, item), None
    if count <= 0:
        raise Invalid(item, f"a window of {count} {unit} is empty")
    return calendar_window(count, unit, item, report)


def _flag(node: Node, key: str) -> bool | None:
    child = node.get(key)
    if child is None:
        return None
    if not isinstance(child.value, bool):
        raise Invalid(child, f"{key} must be true or false")
    return bool(child.value)


def _objectives_v1(spec: Node, index: Index, report: Report) -> list[tuple[Node, Sli]]:
    objectives = _objective_list(spec)
    composite = [o for o in objectives if o.has("indicator") or o.has("indicatorRef")]
    if composite:
        raise Skip(composite[0], "composite SLOs (an indicator per objective, weighted) are not "
                                 "supported: a slogen SLO has one SLI; split it into one SLO "
                                 "per indicator")
    indicator = _indicator(spec, index)
    body = indicator.get("spec")
    threshold = body.get("thresholdMetric") if body is not None else None
    if threshold is not None and not (body is not None and body.has("ratioMetric")):
        source = threshold.get("metricSource")
        if source is None:
            raise Invalid(threshold, "metricSource is required")
        query = _threshold_query(_v1_query(source, index))
        return [(o, _threshold(query, o)) for o in objectives]
    sli = _sli_v1(indicator, index)
    for objective in objectives:
        if objective.has("op") or objective.has("value"):
            report.add(Severity.NOTE, objective.where(), "op and value apply to threshold "
                       "metrics; ignored for this ratio SLI")
    return [(o, sli) for o in objectives]


def _objective_list(spec: Node) -> list[Node]:
    node = spec.get("objectives")
    objectives = node.elements() if node is not None else []
    if not objectives:
        raise Invalid(node or spec, "objectives is required: at least one target")
    return objectives


def _indicator(spec: Node, index: Index) -> Node:
    inline, ref = spec.get("indicator"), spec.get("indicatorRef")
    if inline is not None and ref is not None:
        raise Invalid(spec, "give indicator or indicatorRef, not both")
    if inline is not None:
        return inline
    if ref is None:
        raise Invalid(spec, "the SLO has no indicator: give indicator or indicatorRef")
    found = index.find("SLI", ref.text() or "")
    if found is None:
        raise Skip(ref, f"SLI {ref.text()!r} is not in the input; import the file that defines "
                        "it together with this one (several files or a directory)")
    return found


def _sli_v1(indicator: Node, index: Index) -> Sli:
    body = indicator.get("spec")
    if body is None:
        raise Invalid(indicator, "the indicator has no spec")
    ratio, threshold = body.get("ratioMetric"), body.get("thresholdMetric")
    if ratio is not None and threshold is not None:
        raise Invalid(body, "give ratioMetric or thresholdMetric, not both")
    if ratio is None:
        raise Invalid(body, "the indicator needs ratioMetric or thresholdMetric")
    raw = ratio.get("raw")
    if raw is not None:
        if any(ratio.has(k) for k in _RATIO_PARTS):
            raise Invalid(ratio, "raw cannot be used together with good, bad or total")
        return _raw(ratio, raw, index)
    counter = _flag(ratio, "counter")
    queries = {}
    for part in _parts(ratio):
        source = part.get("metricSource")
        if source is None:
            raise Invalid(part, "metricSource is required")
        queries[part.path.rsplit(".", 1)[-1]] = _template(_v1_query(source, index), counter,
                                                          source)
    return {"events": queries}


def _raw(ratio: Node, raw: Node, index: Index) -> Sli:
    """A precomputed ratio: rawType failure is the error ratio, success its complement."""
    kind = (ratio.str_at("rawType") or "").lower()
    if kind not in ("success", "failure"):
        raise Invalid(ratio.get("rawType") or ratio, "rawType must be success or failure "
                                                     "beside raw")
    source = raw.get("metricSource")
    if source is None:
        raise Invalid(raw, "metricSource is required")
    query = _template(_v1_query(source, index), False, source)
    return {"raw": {"error_ratio": query if kind == "failure" else f"1 - ({query})"}}


THRESHOLD_OPS = ("lt", "lte", "gt", "gte")


def _threshold_query(query: Node) -> str:
    """A threshold metric's query, sampled as written (its own ranges, like rate(x[5m]) under
    a quantile, are part of the value)."""
    text = (query.text() or "").strip()
    if not text:
        raise Invalid(query, "the query is empty")
    if "{{" in text:
        raise Skip(query, "a threshold query with a window placeholder has no fixed value to "
                          "sample; write its range, like [5m]")
    return text


def _threshold(query: str, objective: Node) -> Sli:
    """slogen's threshold SLI for one objective's op and value."""
    op, value = objective.get("op"), objective.get("value")
    if op is None or value is None:
        raise Invalid(objective, "a thresholdMetric objective needs op (lt, lte, gt, gte) and "
                                 "value")
    if (op.text() or "") not in THRESHOLD_OPS:
        raise Invalid(op, f"op {op.text()!r} is not one of {', '.join(THRESHOLD_OPS)}")
    return {"threshold": {"query": query, "op": op.text() or "", "value": value.number()}}


def _parts(ratio: Node) -> list[Node]:
    given = [k for k in _RATIO_PARTS if ratio.has(k)]
    if "good" in given and "bad" in given:
        raise Invalid(ratio, "give good or bad beside total, not both (good + bad + total "
                             "is ambiguous)")
    if "total" not in given:
        raise Invalid(ratio, "total is required beside good or bad")
    if len(given) != 2:
        raise Invalid(ratio, "give good or bad beside total")
    return [n for n in (ratio.get(k) for k in given) if n is not None]


def _v1_query(source: Node, index: Index) -> Node:
    kind = source.str_at("type")
    ref = source.str_at("metricSourceRef")
    if ref:
        data_source = index.find("DataSource", ref)
        if data_source is not None and kind is None:
            ds_spec = data_source.get("spec")
            kind = ds_spec.str_at("type") if ds_spec else None
        elif data_source is None and kind is None:
            raise Skip(source, f"DataSource {ref!r} is not in the input; import the file that "
                               "defines it together with this one")
    if (kind or "").lower() != PROMETHEUS:
        raise Skip(source, f"metric source type {kind!r}: only Prometheus queries convert")
    spec = source.get("spec")
    query = (spec.get("query") or spec.get("promql")) if spec is not None else None
    if query is None or not (query.text() or "").strip():
        raise Invalid(spec or source, "a Prometheus metric source needs spec.query")
    return query


def _template(query: Node, counter: bool | None, where: Node) -> str:
    try:
        return window_template(query.text() or "", counter)
    except QueryError as exc:
        raise Skip(where, f"cannot turn the query into a window template: {exc}") from None


def _objectives_v1alpha(spec: Node, index: Index, report: Report) -> list[tuple[Node, Sli]]:
    objectives = _objective_list(spec)
    indicator = spec.get("indicator")
    threshold = indicator.get("thresholdMetric") if indicator is not None else None
    if threshold is not None:
        source = threshold.str_at("source")
        if (source or "").lower() != PROMETHEUS:
            raise Skip(threshold, f"source {source!r}: only Prometheus queries convert")
        query = threshold.get("query")
        if query is None:
            raise Invalid(threshold, "query is required")
        return [(o, _threshold(_threshold_query(query), o)) for o in objectives]
    out = []
    for objective in objectives:
        ratio = objective.get("ratioMetrics")
        if ratio is None:
            raise Invalid(objective, "a v1alpha objective needs ratioMetrics (or the SLO an "
                                     "indicator)")
        counter = _flag(ratio, "incremental")
        queries = {}
        for part in _parts(ratio):
            source = part.str_at("source")
            if (source or "").lower() != PROMETHEUS:
                raise Skip(part, f"source {source!r}: only Prometheus queries convert")
            query = part.get("query")
            if query is None:
                raise Invalid(part, "query is required")
            queries[part.path.rsplit(".", 1)[-1]] = _template(query, counter, part)
        out.append((objective, {"events": queries}))
    return out


def labels(meta: Node | None) -> dict[str, str]:
    """metadata.labels as text; a list value (OpenSLO allows several) joined with commas."""
    out = {}
    node = meta.get("labels") if meta is not None else None
    for key, value in (node.items() if node is not None else []):
        items = value.elements() if isinstance(value.value, list) else [value]
        out[key] = ",".join(t for t in (i.text() for i in items) if t is not None)
    return out


def valid_labels(found: dict[str, str], where: Node, report: Report) -> dict[str, str]:
    """Labels with names Prometheus accepts; the others are reported and dropped."""
    return label_map(found, where.where(), report)
