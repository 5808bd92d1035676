"""Cinéledger core: the ledger (productions, devis, expenses), imports, classification, reports.

The core is pure Python over DuckDB and polars. It never imports Streamlit or Plotly: the
dashboard and the CLI are thin edges over it.
"""

from pathlib import Path

__version__ = "0.1.0"

#: Root of the bundled, non-code inputs (layouts, taxonomy, territory tables, demo production).
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
