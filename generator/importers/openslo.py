"""Turn OpenSLO documents (v1 and v1alpha) into slogen service specs.

Documents may come from several files: SLIs (`indicatorRef`), DataSources
(`metricSourceRef`), AlertPolicies and AlertConditions are resolved across all of them.
Documents nobody refers to and that are not SLOs are listed as "not an SLO document".
"""

from __future__ import annotations

from generator.importers import openslo_slo
from generator.importers.common import Collector, Imported, ServiceInfo
from generator.importers.openslo_index import Index
from generator.importers.report import Report, Severity
from generator.importers.source import Invalid, Node, Skip

V1, V1ALPHA = "openslo/v1", "openslo/v1alpha"
KINDS = ("SLO", "SLI", "DataSource", "Service", "AlertPolicy", "AlertCondition",
         "AlertNotificationTarget")


def convert(docs: list[Node], report: Report) -> list[Imported]:
    """All SLOs in the documents, one slogen spec per service."""
    index = _index(docs, report)
    for (kind, _name), doc in list(index.docs.items()):
        if kind == "SLO":
            _mark_references(doc.value, index)
    collector = Collector(report)
    for (kind, name), doc in sorted(index.docs.items(), key=lambda kv: kv[1].where()):
        if kind != "SLO":
            continue
        index.used.add((kind, name))
        try:
            drafts = openslo_slo.drafts(doc, index.versions[(kind, name)], index, report)
        except (Invalid, Skip) as exc:
            report.slos_found += 1
            severity = Severity.ERROR if isinstance(exc, Invalid) else Severity.SKIPPED
            report.add(severity, exc.node.where(), exc.message)
            continue
        for draft in drafts:
            report.slos_found += 1
            _describe(collector, draft.service, index, draft.where)
            collector.add(draft)
    for (kind, name), doc in sorted(index.docs.items(), key=lambda kv: kv[1].where()):
        if (kind, name) not in index.used:
            unused = "" if kind == "Service" else ", not referred to by any SLO"
            report.add(Severity.NOT_SLO, doc.where(), f"{kind} {name!r}{unused}")
    return collector.results()


REF_KINDS = {"indicatorRef": "SLI", "metricSourceRef": "DataSource",
             "alertPolicyRef": "AlertPolicy", "conditionRef": "AlertCondition",
             "targetRef": "AlertNotificationTarget"}


def _mark_references(value: object, index: Index, depth: int = 0) -> None:
    """Mark every document an SLO refers to (directly or through another) as used, so one
    skipped SLO does not make its SLI or policy look like a stray document."""
    if depth > 50:
        return
    if isinstance(value, dict):
        for key, child in value.items():
            kind = REF_KINDS.get(str(key))
            if kind is not None and isinstance(child, str) and (kind, child) not in index.used:
                target = index.find(kind, child)
                if target is not None:
                    _mark_references(target.value, index, depth + 1)
            elif key == "alertPolicies" and isinstance(child, list):
                for item in child:
                    if isinstance(item, str) and ("AlertPolicy", item) not in index.used:
                        found = index.find("AlertPolicy", item)
                        if found is not None:
                            _mark_references(found.value, index, depth + 1)
            _mark_references(child, index, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _mark_references(item, index, depth + 1)


def _index(docs: list[Node], report: Report) -> Index:
    index = Index()
    for doc in docs:
        try:
            version, kind, name = _identify(doc)
        except Invalid as exc:
            report.add(Severity.ERROR, exc.node.where(), exc.message)
            continue
        except Skip as exc:
            report.add(Severity.SKIPPED, exc.node.where(), exc.message)
            if doc.str_at("kind") == "SLO":
                report.slos_found += 1
            continue
        if (kind, name) in index.docs:
            first = index.docs[(kind, name)]
            report.add(Severity.ERROR, doc.where(), f"a second {kind} named {name!r} (the first "
                       f"is at {first.file}:{first.line})")
            continue
        index.docs[(kind, name)] = doc
        index.versions[(kind, name)] = version
    return index


def _identify(doc: Node) -> tuple[str, str, str]:
    """apiVersion, kind and metadata.name of a document; raise Invalid or Skip."""
    if not doc.is_map():
        raise Invalid(doc, "not an OpenSLO document (want a mapping with apiVersion, kind, "
                           "metadata and spec)")
    version = doc.str_at("apiVersion")
    node = doc.get("apiVersion") or doc
    if version is None:
        other = doc.slo_format()
        hint = f"; this is {other}: use `slogen import {other}`" if other else ""
        raise Invalid(node, f"apiVersion is missing; want {V1} or {V1ALPHA}{hint}")
    if version not in (V1, V1ALPHA):
        if "openslo" in version.lower():
            raise Skip(node, f"OpenSLO {version!r} is not supported; {V1} and {V1ALPHA} are")
        other = doc.slo_format()
        hint = f"; this is {other}: use `slogen import {other}`" if other else ""
        raise Invalid(node, f"apiVersion {version!r} is not OpenSLO; want {V1} or "
                            f"{V1ALPHA}{hint}")
    kind = doc.str_at("kind")
    if kind not in KINDS:
        raise Invalid(doc.get("kind") or doc, f"kind {kind!r} is not an OpenSLO kind; want one "
                                              f"of {', '.join(sorted(KINDS))}")
    meta = doc.get("metadata")
    name = meta.str_at("name") if meta is not None else None
    if not name:
        raise Invalid(meta or doc, "metadata.name is required")
    return version, kind, name


def _describe(collector: Collector, service: str, index: Index, where: tuple[str, int | None,
              str]) -> None:
    doc = index.find("Service", service)
    info = ServiceInfo(doc.where() if doc is not None else where)
    if doc is not None:
        meta = doc.get("metadata")
        spec = doc.get("spec")
        info.description = ((spec.str_at("description") if spec else None)
                            or (meta.str_at("displayName") if meta else None) or "")
        labels = openslo_slo.labels(meta) if meta is not None else {}
        for key in ("team", "owner"):
            if key in labels:
                info.team, info.team_from = labels.pop(key), f"Service label {key}"
                label = (meta.get("labels") if meta is not None else None)
                info.team_where = (label.get(key) or label).where() if label else None
                break
        info.labels = openslo_slo.valid_labels(labels, doc, collector.report)
    collector.describe(service, info)
