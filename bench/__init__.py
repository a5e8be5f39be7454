"""Benchmarks and synthetic scenarios."""
