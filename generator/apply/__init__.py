"""Pushing generated artefacts to live systems: Grafana, a Mimir/Cortex ruler, reloads.

`slogen apply` reads `out/grafana/api/` and makes one Grafana org match it, touching only what
slogen owns. Ownership rests on the ledger (`ledger.py`): one notification template that
records every object slogen wrote (kind, uid or name, content hash, the version Grafana
answered, provenance). Where Grafana returns a marker, it backs the ledger up:

| kind          | marker Grafana returns                 | compared with a full refresh       |
| ------------- | -------------------------------------- | ---------------------------------- |
| folder        | none (a description is never returned) | title (folder list)                |
| datasource    | `jsonData.slogenHash`                  | list fields (secrets never shown)  |
| dashboard     | tags `managed-by:slogen`, `slogen-hash:` | model and folder (one read each) |
| rule group    | every rule: label `managed_by: slogen` | rules (one list) + interval (export) |
| contact point | none                                   | settings, redacted ones skipped    |
| mute timing   | none                                   | time intervals (one list)          |
| template      | none                                   | text (one list, holds the ledger)  |
| policy tree   | none (or Grafana's untouched default)  | the tree (one read)                |

When the ledger is lost, ownership is rebuilt from those markers and from objects identical to
the specs; an object that differs and has no marker is blocked with a message that names
`--adopt`. Hashes are over the generated body with `${env:...}`/`${file:...}` placeholders,
never over secret values: rotating a secret alone is not a change, use `--force`.

The default refresh reads what Grafana holds (bulk lists, plus the dashboards in parallel) and
compares content: an edit made in the Grafana UI is `drifted (edited in Grafana)` and restored.
`--refresh markers` trusts the hash markers and the ledger instead: five list calls on a no-op
(folders, datasources, the dashboard tag search, the rule list, the templates), but blind to
edits made in the UI, whose marker travels with the edited object.

Objects without the marker are never changed or deleted unless `--adopt` is given; `--prune`
deletes only owned objects no longer declared, and never a folder that still holds dashboards
slogen does not own.
"""
