"""Justification files: the workbook each funder expects, the final cost statement, a one-page
PDF summary. Every figure is the rules engine's, with its evidence; each file says how it was made."""
