"""Subcommands of the slogen CLI, one module each."""
