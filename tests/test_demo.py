"""The demo production: reproducible, realistic, and what `make demo` loads."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finance import DATA_DIR
from finance.demo.generate import generate, write_demo
from finance.domain.identifiers import identifier_columns

DEMO = DATA_DIR / "demo"


def test_bundled_files_are_what_the_generator_writes(tmp_path: Path) -> None:
    write_demo(tmp_path)
    for name in ("manifest.yaml", "devis.csv", "expenses.csv", "receipts.csv", "suppliers.csv"):
        assert (tmp_path / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert generate(7, 500).expenses.equals(generate(7, 500).expenses)
    assert not generate(7, 500).expenses.equals(generate(8, 500).expenses)


def test_the_demo_is_a_realistic_coproduction() -> None:
    demo = generate()
    e = demo.expenses
    assert 2500 <= e.height <= 3500 and 80 <= demo.budget.height <= 110
    assert set(e["budget_code"]) <= set(demo.budget["code"])
    assert {"BE", "FR", "DE", "LU", "NL", "GB", "CH", "US"} <= set(e["country"])
    assert (
        e.filter(pl.col("country").is_in(["BE", "FR"]) & pl.col("postcode").is_null()).height == 0
    )
    assert e.filter(pl.col("amount") < 0).height > 20, "credit notes"
    assert e.filter(pl.col("status") == "committed").height > 50
    foreign = e.filter(pl.col("currency") != "EUR")
    assert foreign.height > 0 and foreign["fx_rate"].null_count() == 0
    assert set(e["payee_type"]) == {"company", "person"}
    assert e.filter(pl.col("be_taxable") & (pl.col("country") != "BE")).height > 0


def test_invoice_numbers_are_unique_per_supplier() -> None:
    e = generate().expenses.filter(pl.col("invoice_ref").is_not_null())
    assert e.select("supplier", "invoice_ref").is_duplicated().sum() == 0


def test_vat_numbers_are_valid_except_the_deliberate_ones() -> None:
    e = identifier_columns(generate().expenses)
    bad = set(e.filter(pl.col("supplier_vat_valid") == False)["supplier"])  # noqa: E712
    assert bad == {"Espaces Bureaux Ixelles", "Brocante Namuroise", "Hôtel Oberkampf"}


def test_the_belgian_file_is_written_as_a_belgian_excel() -> None:
    raw = (DEMO / "expenses.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    header, first = raw.decode("utf-8-sig").splitlines()[:2]
    assert header.startswith("Date facture;Fournisseur;Pays;Code postal;Poste;Montant HT")
    day, *_ = first.split(";")
    assert len(day) == 10 and day[2] == "/" and "," in first.split(";")[5]


def test_large_sizes_generate(tmp_path: Path) -> None:
    paths = write_demo(tmp_path, n_expenses=200_000, belgian_format=False)
    assert sum(1 for _ in paths["expenses"].open(encoding="utf-8")) > 195_000


def test_the_demo_records_a_brussels_head_office_with_a_ghent_studio(demo_db: Path) -> None:
    """The demo's suppliers file: a few suppliers of its expenses with their registered office
    and seat of operations, one a Brussels head office working from Ghent."""
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    rows = con.execute(
        "SELECT s.supplier, s.office_territory, s.seat_territory, count(e.id) FROM suppliers s "
        "LEFT JOIN expenses e ON e.production_id = s.production_id "
        "AND e.supplier_key = s.supplier_key GROUP BY ALL"
    ).fetchall()
    con.close()
    assert all(n > 0 for *_, n in rows), rows  # each one is a supplier of the demo's expenses
    assert ("Bruxelles VFX Studio", "BE-BRU", "BE-VLG") in {r[:3] for r in rows}
