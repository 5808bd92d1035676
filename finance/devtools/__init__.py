"""Tools for the project's developers (the package graph check)."""
