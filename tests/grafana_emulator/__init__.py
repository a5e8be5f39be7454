"""A Grafana HTTP API emulator on loopback for apply tests (folders, datasources, dashboards,
search, alerting provisioning), with Grafana's status codes, provenance and fault injection."""

from tests.grafana_emulator.server import Emulator, Fault, Logged

__all__ = ["Emulator", "Fault", "Logged"]
