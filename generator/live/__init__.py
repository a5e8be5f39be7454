"""Live checks against a running Prometheus: `slogen verify`, `slogen status`, `slogen gate`.

One of the side-effect packages (with `apply/`, `validate/` and `exporter/`): `client.py` talks
HTTP to Prometheus. Everything else here is pure: `promql.py` finds selectors in expressions,
`verify.py`, `status.py` and `gate.py` turn query results into findings, tables and verdicts.
"""
