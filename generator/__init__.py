"""slogen: compile SLO, alert and health-check specs into Prometheus, Alertmanager and Grafana artefacts."""

__version__ = "0.1.0"
