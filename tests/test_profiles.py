"""Column-mapping profiles: a shipped template is detected from its headers; a user's own
profile is taken with --profile; the rows go through the canonical checks. Bank exports (issue
17, point 8): signs flipped, debits or credits kept, rows skipped by a column's value, the payee
from the first non-empty of several columns, rows waiting to be coded, and a result with more
credits than debits stopped before anything is written."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest

from finance import DATA_DIR
from finance.domain.errors import UserError
from finance.importers.budget import import_budget
from finance.importers.ingest import import_expenses, preview_expenses
from finance.importers.mappings import import_mappings
from finance.importers.profile import Profile, detect, extract_with, load_profile, shipped
from finance.store.db import connect
from finance.store.productions import add_production
from tests.cli_run import invoke
from tests.conftest import check_golden

#: these tests read the commands' messages in English
pytestmark = pytest.mark.usefixtures("cli_in_english")

GOLDEN = Path(__file__).parent / "golden"
BANK = Path(__file__).parent / "fixtures" / "bank"
EXPORT = (
    "Boekdatum;Factuurdatum;Relatie;BTW-nummer;Landcode;Postcode;Kostenplaats;Bedrag excl. btw;BTW;"
    "Factuurnummer;Omschrijving;Betaaldatum\n"
    "05.04.2026;03.04.2026;Studio Gent NV;BE0403170701;BE;9000;2.01;1.500,00;315,00;SG-1;Studio;30.04.2026\n"
    "06.04.2026;04.04.2026;Loca Brussel;;BE;1000;7.01;-250,00;-52,50;LB-9;Creditnota;\n"
)


def _sample(profile: Profile, tmp_path: Path) -> Path:
    """The sample export of a shipped profile: a bank's in tests/fixtures/bank (written by us
    after the documented layout), else the purchase-journal template's."""
    bank = BANK / f"{profile.id}.csv"
    if bank.exists():
        return bank
    path = tmp_path / "export.csv"
    path.write_text(EXPORT, encoding="cp1252")
    return path


def _golden_text(rows: pl.DataFrame) -> str:
    return (
        rows.select(pl.exclude("^raw_.*$", "_sha256"))
        .with_columns(pl.all().cast(pl.String))
        .write_csv()
    )


@pytest.mark.parametrize("profile", shipped(), ids=lambda p: p.id)
def test_every_shipped_profile_matches_its_golden_file(
    profile: Profile, tmp_path: Path, update_golden: bool
) -> None:
    path = _sample(profile, tmp_path)
    assert detect(path) == profile
    extracted = extract_with(profile, path, "EUR")
    assert extracted.problems.height == 0
    assert extracted.sign_check is not None and not extracted.sign_check.suspicious
    check_golden(
        GOLDEN / f"profile_{profile.id}.expected.csv", _golden_text(extracted.rows), update_golden
    )


def test_two_belgian_bank_profiles_are_shipped() -> None:
    ids = {p.id for p in shipped()}
    assert {"bnp_paribas_fortis_nl", "kbc_nl"} <= ids
    banks = [p for p in shipped() if p.id in {"bnp_paribas_fortis_nl", "kbc_nl"}]
    assert all(not p.coded and p.amount_sign == "flip" for p in banks)


def test_a_fortis_export_gives_expenses_positive_and_a_refund_as_a_credit_note() -> None:
    path = BANK / "bnp_paribas_fortis_nl.csv"
    profile = load_profile(DATA_DIR / "profiles" / "bnp_paribas_fortis_nl.yaml")
    rows = extract_with(profile, path, "EUR").rows
    got = dict(zip(rows["invoice_ref"], rows["amount"], strict=True))
    assert got == {
        "2026-00142": Decimal("1815.00"),  # -1.815,00 in the export: a payment
        "2026-00143": Decimal("42.80"),
        "2026-00144": Decimal("302.50"),
        "2026-00145": Decimal("-60.50"),  # +60,50: the supplier's refund, a credit note
    }, "the refused transaction (Reden van weigering) is left out"
    payees = dict(zip(rows["invoice_ref"], rows["supplier"], strict=True))
    assert payees["2026-00142"] == "STUDIO GENT NV"  # the counterparty's name
    assert payees["2026-00144"] == "factuur LB-2026-031 camerahuur"  # no name: the communication
    assert payees["2026-00143"].startswith("BETALING MET DEBETKAART")  # card: the details


def test_a_kbc_export_with_carriage_returns_only_is_read() -> None:
    """KBC ends its records with a carriage return alone: the file was one header row before."""
    rows = extract_with(
        load_profile(DATA_DIR / "profiles" / "kbc_nl.yaml"), BANK / "kbc_nl.csv", "EUR"
    ).rows
    assert rows["amount"].to_list() == [
        Decimal("1815.00"),
        Decimal("42.80"),
        Decimal("89.99"),
        Decimal("-60.50"),
    ], "the transfer to savings (AUTOMATISCH SPAREN) is skipped"
    assert rows["supplier"][0] == "LOCA BRUSSEL BV"
    assert rows["supplier"][1].startswith("BETALING VIA BANCONTACT")
    assert rows["invoice_ref"][0] == "+++090/9337/55493+++"


def _profile(tmp_path: Path, body: str) -> Profile:
    path = tmp_path / "p.yaml"
    path.write_text("id: mine\ntitle: Mine\n" + body, encoding="utf-8")
    return load_profile(path)


BANK_COLUMNS = (
    "columns:\n  date: Uitvoeringsdatum\n  supplier: [Naam van de tegenpartij, Mededeling, Details]\n"
    "  amount: Bedrag\n  invoice_ref: Volgnummer\n"
)


def test_keep_debits_or_credits_and_skip_by_value(tmp_path: Path) -> None:
    path = BANK / "bnp_paribas_fortis_nl.csv"
    debits = _profile(tmp_path, "coded: false\namount_sign: flip\nkeep: debits\n" + BANK_COLUMNS)
    assert extract_with(debits, path, "EUR").rows["invoice_ref"].to_list() == [
        "2026-00142",
        "2026-00143",
        "2026-00144",
        "2026-00146",  # no skip rule here: the refused transfer stays
    ]
    credits = _profile(tmp_path, "coded: false\namount_sign: flip\nkeep: credits\n" + BANK_COLUMNS)
    assert extract_with(credits, path, "EUR").rows["amount"].to_list() == [Decimal("-60.50")]
    skipping = _profile(
        tmp_path,
        "coded: false\namount_sign: flip\n"
        + BANK_COLUMNS
        + "skip:\n  - {column: Type verrichting, values: [kaartbetaling]}\n"
        + "  - {column: Status, values: [Geweigerd]}\n",
    )
    assert extract_with(skipping, path, "EUR").rows["invoice_ref"].to_list() == [
        "2026-00142",
        "2026-00144",
        "2026-00145",
    ]


def test_a_profile_without_the_sign_flip_warns_of_more_credits_than_debits(
    tmp_path: Path,
) -> None:
    wrong = _profile(tmp_path, "coded: false\n" + BANK_COLUMNS)
    check = extract_with(wrong, BANK / "bnp_paribas_fortis_nl.csv", "EUR").sign_check
    assert check is not None and check.suspicious
    assert (check.debits, check.credits) == (1, 4)
    assert check.credit_total == Decimal("3110.30") and check.debit_total == Decimal("60.50")


def _production(tmp_path: Path, db: Path) -> None:
    (tmp_path / "m.yaml").write_text("id: film\ntitle: Film\nkind: feature\n", encoding="utf-8")
    (tmp_path / "devis.csv").write_text(
        "code,label,amount,category\n2.01,Studio,50000,post\n7.01,Caméra,50000,equipment\n",
        encoding="utf-8",
    )
    add_production(db, tmp_path / "m.yaml")
    import_budget(db, "film", tmp_path / "devis.csv")


def _ledger_count(db: Path) -> int:
    with connect(db, read_only=True) as con:
        return int(con.execute("SELECT count(*) FROM expenses").fetchone()[0])  # type: ignore[index]


def test_a_bank_export_waits_to_be_coded_instead_of_being_rejected(
    tmp_path: Path, db: Path
) -> None:
    """Before, a profile's rows were a spreadsheet a person coded: a bank line without a budget
    line (and without the payee's country) was an invalid row and the import stopped."""
    _production(tmp_path, db)
    outcome = import_expenses(db, "film", [BANK / "bnp_paribas_fortis_nl.csv"])
    assert outcome.files[0].rows_read == 4 and outcome.files[0].imported == 0
    assert outcome.to_code == 4 and outcome.problems == []
    assert _ledger_count(db) == 0


def test_a_waiting_bank_line_is_kept_as_the_profile_read_it(tmp_path: Path, db: Path) -> None:
    """The quarantine keeps the profile's result (payee chosen, sign flipped), not the bank's
    cells: a line coded later (`cineledger code` re-reads those cells) is an expense, positive."""
    _production(tmp_path, db)
    import_expenses(db, "film", [BANK / "bnp_paribas_fortis_nl.csv"])
    with connect(db, read_only=True) as con:
        kept = con.execute(
            "SELECT source_row, raw_json FROM quarantine WHERE kind = 'to_code' ORDER BY 1"
        ).fetchall()
    cells = {row: json.loads(text) for row, text in kept}
    assert (cells[2]["amount"], cells[2]["supplier"]) == ("1.815,00", "STUDIO GENT NV")
    assert cells[5]["amount"] == "-60,50"  # the refund: a credit note


def test_a_mapped_bank_line_still_waits_for_the_payee_country(tmp_path: Path, db: Path) -> None:
    """A supplier mapping gives the line, but a bank line has no payee country or postcode: it
    cannot be stored (the ledger needs them) and waits, saying so."""
    _production(tmp_path, db)
    (tmp_path / "map.csv").write_text("supplier,budget_code\nLOCA BRUSSEL BV,7.01\n", "utf-8")
    import_mappings(db, "film", tmp_path / "map.csv")
    outcome = import_expenses(db, "film", [BANK / "kbc_nl.csv"])
    assert outcome.to_code == 4 and _ledger_count(db) == 0
    out = invoke("to-code", "film", "--db", str(db))
    assert "no payee country or postcode" in out.stdout


def test_more_credits_than_debits_stops_the_import_until_confirmed(
    tmp_path: Path, db: Path
) -> None:
    _production(tmp_path, db)
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text("id: wrong\ntitle: Wrong signs\ncoded: false\n" + BANK_COLUMNS, "utf-8")
    path = BANK / "bnp_paribas_fortis_nl.csv"
    with pytest.raises(UserError, match=r"nothing imported: .*4 credits .* 1 debits"):
        import_expenses(db, "film", [path], fmt=str(wrong))
    with connect(db, read_only=True) as con:
        batches = con.execute("SELECT count(*) FROM import_batches WHERE kind = 'expenses'")
        assert batches.fetchone() == (0,), "nothing was written"
    refused = invoke(
        "import", "expenses", "film", str(path), "--profile", str(wrong), "--db", str(db)
    )
    assert refused.exit_code != 0 and "--accept-credits" in refused.output
    accepted = invoke(
        "import",
        "expenses",
        "film",
        str(path),
        "--profile",
        str(wrong),
        "--accept-credits",
        "--db",
        str(db),
    )
    assert accepted.exit_code == 0, accepted.output
    assert "5 documents wait" in accepted.stdout


def test_the_preview_carries_the_credits_warning(tmp_path: Path, db: Path) -> None:
    _production(tmp_path, db)
    wrong = _profile(tmp_path, "coded: false\n" + BANK_COLUMNS)
    path = BANK / "bnp_paribas_fortis_nl.csv"
    preview = preview_expenses(db, "film", [path], lambda p, c: extract_with(wrong, p, c))
    assert [(f, c.credits) for f, c in preview.sign_warnings] == [(path.name, 4)]
    good = preview_expenses(db, "film", [path])  # the shipped profile, detected
    assert good.sign_warnings == []


def test_the_dashboard_import_page_warns_and_imports_only_once_confirmed(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A month in which the production's account mostly received money (investors' funds):
    through the shipped Fortis profile, more credits than debits. The page's preview says so in
    the user's language, and its import stops until the box is ticked."""
    from dashboards.ui.imports import run_import, run_preview, sign_warnings

    _production(tmp_path, db)
    monkeypatch.setenv("CINELEDGER_DB", str(db))
    lines = (BANK / "bnp_paribas_fortis_nl.csv").read_text("utf-8-sig").splitlines()
    header, payment = lines[0], lines[1]
    funds = [
        f"2026-0015{i};1{i}/04/2026;1{i}/04/2026;{amount};EUR;BE68539007547034;"
        f"Overschrijving in euro;BE45001234567889;{name};Tax Shelter investering;"
        f"OVERSCHRIJVING IN EURO VAN REKENING BE45 0012 3456 7889 {name};Geaccepteerd;"
        for i, (amount, name) in enumerate([("25.000,00", "INVEST NV"), ("40.000,00", "FONDS BV")])
    ]
    path = tmp_path / "fortis_april.csv"
    path.write_text("\r\n".join([header, payment, *funds]) + "\r\n", encoding="utf-8-sig")
    preview = run_preview("film", path)
    assert not isinstance(preview, str)
    (warning,) = sign_warnings(preview, "nl")
    assert warning.startswith("fortis_april.csv: profiel bnp_paribas_fortis_nl geeft 2 credits")
    message, ok = run_import("film", path, skip_invalid=False)
    assert not ok and message.startswith("Rien n'a été importé : plus de crédits que de débits")
    assert "--" not in message, "the page says what to do in its own words, not a CLI flag"
    message, ok = run_import("film", path, skip_invalid=False, accept_credits=True)
    assert ok, message
    assert "3 lus, 0 importés" in message and "3 en attente" in message  # in French


def test_an_existing_coded_profile_still_rejects_an_unknown_line(tmp_path: Path, db: Path) -> None:
    _production(tmp_path, db)
    path = tmp_path / "export.csv"
    path.write_text(EXPORT.replace(";7.01;", ";9.99;"), encoding="cp1252")
    with pytest.raises(UserError, match="invalid rows"):
        import_expenses(db, "film", [path])


def test_a_profile_naming_a_missing_column_says_which(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("Relatie;Bedrag\nX;1\n", encoding="utf-8")
    profile = load_profile(DATA_DIR / "profiles" / "purchase_journal_nl.yaml")
    with pytest.raises(UserError, match="missing columns: Factuurdatum"):
        extract_with(profile, path, "EUR")


def test_a_profile_with_a_non_canonical_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("id: x\ntitle: X\ncolumns: {date: D, colour: C}\n", encoding="utf-8")
    with pytest.raises(UserError, match="colour"):
        load_profile(path)


def test_a_waiting_bank_line_is_booked_with_the_payee_s_address(tmp_path: Path, db: Path) -> None:
    """`cineledger code --country --postcode`: a bank line gives no payee address; the user who
    books it on a line gives it, and the payment goes in positive, at its territory."""
    _production(tmp_path, db)
    import_expenses(db, "film", [BANK / "bnp_paribas_fortis_nl.csv"])
    without = invoke(
        "code",
        "film",
        "bnp_paribas_fortis_nl.csv",
        "2",
        "--line",
        "2.01",
        "--reason",
        "location du studio à Gand",
        "--db",
        str(db),
    )
    assert without.exit_code == 2 and "country" in without.stderr + without.stdout
    booked = invoke(
        "code",
        "film",
        "bnp_paribas_fortis_nl.csv",
        "2",
        "--line",
        "2.01",
        "--reason",
        "location du studio à Gand",
        "--country",
        "BE",
        "--postcode",
        "9000",
        "--db",
        str(db),
    )
    assert booked.exit_code == 0, booked.stdout + booked.stderr
    with connect(db, read_only=True) as con:
        row = con.execute("SELECT supplier, amount, territory FROM v_expenses").fetchall()
    assert row == [("STUDIO GENT NV", Decimal("1815.00"), "BE-VLG")]
