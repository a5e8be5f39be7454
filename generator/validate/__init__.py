"""Wrappers around promtool and amtool; the only place that runs those binaries."""
