"""Grafana dashboards, alert rules, contact points and notification policies."""
