"""Shared dashboard code (never in the entry script: a page importing it would render twice)."""
