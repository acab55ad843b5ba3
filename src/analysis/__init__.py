"""Comparative discourse analysis of policy statements, traceable to character offsets."""

__version__ = "0.1.0"
