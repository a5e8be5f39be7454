"""Prometheus rule files: SLO recording rules, burn-rate and other alerts, and their unit tests."""
