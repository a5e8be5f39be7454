"""Alertmanager webhook bridges. Like apply/ and exporter/, this package has side effects:
it serves HTTP and calls external APIs."""
