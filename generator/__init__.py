"""slogen: compile SLO, alert and health-check specs into Prometheus, Alertmanager, Grafana."""

__version__ = "0.1.0"
