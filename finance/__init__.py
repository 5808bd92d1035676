"""Cinéledger core: the ledger (productions, devis, expenses), imports, classification, reports.

The core is pure Python over DuckDB and polars. It never imports Streamlit or Plotly: the
dashboard and the CLI are thin edges over it.
"""

from pathlib import Path

__version__ = "0.1.0"

_HERE = Path(__file__).resolve().parent
#: Root of the bundled, non-code inputs (layouts, taxonomy, territory tables, demo production):
#: `finance/_data` in an installed wheel (pyproject.toml maps the repository's data/ there), the
#: repository's top-level data/ in a checkout or an editable install.
DATA_DIR = _HERE / "_data" if (_HERE / "_data").is_dir() else _HERE.parent / "data"
