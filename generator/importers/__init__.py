"""Importers that turn other SLO formats (Sloth, OpenSLO) into slogen specs."""
