"""Alertmanager configuration and its routing test cases."""
