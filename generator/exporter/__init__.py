"""The health-check SQL exporter."""
