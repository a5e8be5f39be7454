"""Spec language: the YAML/Jsonnet file format, its loader and its mapping to the model."""
