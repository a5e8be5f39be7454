"""Pushing generated artefacts to live systems (Grafana, Prometheus reload)."""
