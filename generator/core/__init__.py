"""The core layer: the model, names, durations, routing and formulas every stage shares.

Imports nothing from the layers above it (see docs/architecture.md).
"""
