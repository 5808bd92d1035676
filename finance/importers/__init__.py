"""Importers: each turns one kind of file into the canonical typed frame with provenance.

Interface (beangulp habit): `identify(path) -> bool` and `extract(path, ctx) -> Extracted`.
Every importer's rows carry `_file`, `_sheet`, `_row` (as the user sees it), `_sha256` and
`_format`; the ingest step (finance.importers.ingest) is the same for all of them.
"""
