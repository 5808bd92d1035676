"""Domain types and values: errors, money, codes, the manifest model, identifiers, formats.

The bottom layer: it imports nothing else of the project."""
