"""Pushing generated artefacts to live systems: Grafana, a Mimir/Cortex ruler, reloads.

`slogen apply` reads `out/grafana/api/` and makes one Grafana org match it, touching only what
slogen owns. How each kind is recognised as slogen's ("managed marker"), and how "unchanged" is
decided without fetching objects one by one:

| kind          | managed marker                          | unchanged when                 |
| ------------- | --------------------------------------- | ------------------------------ |
| folder        | description `managed-by:slogen`         | title equal (from the list)    |
| datasource    | `jsonData.slogenHash` present           | `slogenHash` equals the hash   |
| dashboard     | tag `managed-by:slogen`                 | tag `slogen-hash:<hash>` equal |
| rule group    | every rule: label `managed_by: slogen`  | annotation `slogen_group_hash` |
| contact point | uid listed in the ledger template       | ledger hash equal              |
| mute timing   | name listed in the ledger template      | ledger hash equal              |
| template      | name listed in the ledger template      | text equal                     |
| policy tree   | ledger holds its hash, or the tree is   | ledger hash equal              |
|               | Grafana's untouched default             |                                |

Hashes are taken over the generated body with `${env:...}`/`${file:...}` placeholders, never
over secret values, so rotating a secret alone is not a change: use `--force` to re-push.
The ledger is the notification template `slogen_managed` (see `ledger.py`).

A no-op run reads: folders, datasources, the tag search for dashboards, the rule list and the
templates (five requests) and writes nothing. Objects without the marker are never changed or
deleted unless `--adopt` is given; `--prune` deletes only marked objects no longer declared, and
never a folder that still holds dashboards slogen does not own.
"""
