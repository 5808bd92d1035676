"""Screen Flanders and the Île-de-France region, from their packs alone (issue 22): the
acceptance cases through the command line a user runs, and the justification file, the
allocation and the portfolio check picking them up without a line of Python naming them."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import load_workbook

from tests.cli_run import invoke

SCHEDULE = {
    "prep_start": "2026-03-02",
    "shoot_start": "2026-06-01",
    "shoot_end": "2026-07-24",
    "post_end": "2027-03-26",
}
#: a majority coproduction with the Île-de-France region, 5 of its 30 shooting days in Paris
PARISIAN: dict[str, Any] = {
    "id": "nuit-parisienne",
    "title": "Nuit parisienne",
    "kind": "feature",
    "schedule": SCHEDULE,
    "shooting_days": [{"territory": "FR-75", "days": 5}, {"territory": "BE-BRU", "days": 25}],
    "financing": [
        {
            "scheme": "ile_de_france",
            "amount": "200000",
            "signed_on": "2026-04-10",
            "strand": "majority",
        }
    ],
}
EXPENSE_HEAD = [
    "date", "supplier", "country", "postcode", "budget_code", "amount", "supplier_vat",
    "invoice_ref", "status", "payee_type",
]  # fmt: skip


def load(
    tmp_path: Path, manifest: dict[str, Any], budget: list[list[str]], rows: list[list[str]]
) -> Path:
    """A production added, its devis and expenses imported with the commands users run."""
    db = tmp_path / "prod.duckdb"
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    with (tmp_path / "devis.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows(
            [["code", "label", "amount", "category", "territory"], *budget]
        )
    with (tmp_path / "expenses.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, delimiter=";").writerows([EXPENSE_HEAD, *rows])
    for args in (
        ("production", "add", str(tmp_path / "m.yaml")),
        ("import", "budget", manifest["id"], str(tmp_path / "devis.csv")),
        ("import", "expenses", manifest["id"], str(tmp_path / "expenses.csv")),
    ):
        result = invoke("--db", str(db), *args)
        assert result.exit_code == 0, result.output
    return db


def check(db: Path, production: str, at: str) -> dict[str, dict[str, Any]]:
    result = invoke("--db", str(db), "check", production, "--format", "json", "--at", at)
    assert result.exit_code in (0, 1), result.output
    return {r["rule_id"]: r for r in json.loads(result.output)["results"]}


@pytest.fixture
def flemish(tmp_path: Path) -> Path:
    """A Flemish-Brussels production with Screen Flanders support of 300,000 and Flemish,
    Brussels and Walloon spend (VAT-registered companies)."""
    manifest = {
        "id": "gentse-nacht",
        "title": "Gentse nacht",
        "kind": "feature",
        "schedule": SCHEDULE,
        "financing": [{"scheme": "screen_flanders", "amount": "300000", "signed_on": "2026-02-20"}],
    }
    rows = [
        ["15/09/2026", "Camera Gent NV", "BE", "9000", "7.01", "180000,00", "BE0403170701", "G-1", "actual", "company"],
        ["16/09/2026", "Lichtpark Antwerpen", "BE", "2000", "7.01", "20000,00", "BE0448826918", "A-1", "actual", "company"],
        ["17/09/2026", "Studio Brussel NV", "BE", "1030", "7.01", "150000,00", "BE0202239951", "B-1", "actual", "company"],
        ["18/09/2026", "Liège Lights SA", "BE", "4000", "7.01", "100000,00", "BE0417497106", "L-1", "actual", "company"],
    ]  # fmt: skip
    return load(
        tmp_path, manifest, [["7.01", "Matériel caméra", "900000,00", "equipment", "BE-VLG"]], rows
    )


def test_screen_flanders_counts_the_flemish_part_of_mixed_spend(flemish: Path) -> None:
    """The acceptance case: of 450,000 spent in Flanders, Brussels and Wallonia, the 200,000
    invoiced from Ghent and Antwerp count; the threshold is the higher of EUR 250,000 and one
    euro per euro of the 300,000 support; the shortfall is the difference. Every figure rests
    on unverified parameters (fact sheets, not the decree), and the result says so."""
    results = check(flemish, "gentse-nacht", "2027-09-30")
    spend = results["screen_flanders.flemish_spend"]
    assert (spend["measured"], spend["threshold"], spend["shortfall"]) == (
        "200000.00",
        "300000.00",
        "100000.00",
    )
    assert spend["status"] == "fail" and spend["spend_where"] == "BE-VLG"
    assert spend["verified"] is False
    assert {p["confidence"] for p in spend["parameters"]} == {"medium-high"}
    assert results["screen_flanders.max_aid"]["status"] == "pass"


def test_screen_flanders_evidence_and_justification_file(flemish: Path, tmp_path: Path) -> None:
    """The justification workbook comes from the pack (here in Dutch): the two Flemish
    invoices are eligible, the Brussels and Walloon ones excluded."""
    check(flemish, "gentse-nacht", "2027-09-30")
    out = tmp_path / "screen_flanders.xlsx"
    result = invoke(
        "--db", str(flemish), "export", "gentse-nacht", "--scheme", "screen_flanders",
        "--out", str(out), "--at", "2027-09-30", "--lang", "nl",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = load_workbook(out)

    def refs(sheet: str) -> set[str]:
        return {str(c.value) for row in book[sheet] for c in row if c.value}

    assert {"G-1", "A-1"} <= refs("In aanmerking") and not {"B-1", "L-1"} & refs("In aanmerking")
    assert {"B-1", "L-1"} <= refs("Uitgesloten")


@pytest.fixture
def parisian(tmp_path: Path) -> Path:
    """A majority coproduction with the Île-de-France region: 30 % of the budget without
    chapter 9 spent in Paris (it meets the spend), 5 of its 30 shooting days in Paris (20 %
    would be 6)."""
    manifest = PARISIAN
    budget = [
        ["7.01", "Matériel caméra", "900000,00", "equipment", "FR-75"],
        ["9.01", "Assurance production", "100000,00", "insurance", ""],
    ]
    rows = [
        [
            "15/09/2026",
            "Loueur Paris SAS",
            "FR",
            "75011",
            "7.01",
            "270000,00",
            "",
            "P-1",
            "actual",
            "company",
        ]
    ]
    return load(tmp_path, manifest, budget, rows)


def test_a_majority_coproduction_fails_on_the_days_not_the_spend(parisian: Path) -> None:
    results = check(parisian, "nuit-parisienne", "2027-04-30")
    spend, days = results["ile_de_france.regional_spend"], results["ile_de_france.shooting_days"]
    assert (spend["status"], spend["measured"], spend["threshold"]) == (
        "pass",
        "270000.00",
        "270000.00",
    )
    assert (days["status"], days["measured"], days["threshold"], days["shortfall"]) == (
        "fail",
        "5.00",
        "6.00",
        "1.00",
    )
    assert days["unit"] == "day_count"
    assert results["ile_de_france.max_aid"]["status"] == "not_applicable"


def test_without_shooting_days_the_days_rule_says_so_in_each_language(
    parisian: Path, tmp_path: Path
) -> None:
    manifest = yaml.safe_load((tmp_path / "m.yaml").read_text(encoding="utf-8"))
    del manifest["shooting_days"]
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    assert (
        invoke("--db", str(parisian), "production", "add", str(tmp_path / "m.yaml")).exit_code == 0
    )
    days = check(parisian, "nuit-parisienne", "2027-04-30")["ile_de_france.shooting_days"]
    assert days["status"] == "insufficient_data"
    for lang, words in (
        ("fr", "données insuffisantes"),
        ("nl", "onvoldoende gegevens"),
        ("en", "insufficient data"),
    ):
        out = invoke(
            "--db", str(parisian), "check", "nuit-parisienne", "--at", "2027-04-30", "--lang", lang
        ).output
        assert words in out and "shooting_days" in out


def test_a_line_of_a_fund_with_strands_must_name_one(tmp_path: Path) -> None:
    """Refused at `production add`, the field named, nothing written."""
    manifest = {"id": "sans-volet", "title": "Sans volet", "kind": "feature",
                "financing": [{"scheme": "ile_de_france", "amount": "100000"}]}  # fmt: skip
    (tmp_path / "m.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
    result = invoke(
        "--db", str(tmp_path / "x.duckdb"), "production", "add", str(tmp_path / "m.yaml")
    )
    assert result.exit_code == 2
    assert "strand" in result.output and "majority" in result.output
    listed = invoke("--db", str(tmp_path / "x.duckdb"), "production", "list")
    assert "sans-volet" not in listed.output


def test_the_allocation_picks_them_up(flemish: Path, parisian: Path) -> None:
    """Both obligations are allocated from the packs alone."""
    for db, production, scheme in (
        (flemish, "gentse-nacht", "screen_flanders"),
        (parisian, "nuit-parisienne", "ile_de_france"),
    ):
        result = invoke(
            "--db", str(db), "allocate", production, "--format", "json", "--at", "2027-04-30"
        )
        assert scheme in result.output, result.output


def test_the_financing_plan_says_the_strand(parisian: Path) -> None:
    """The source is named with the strand its aid is granted under, in the reader's
    language; the JSON gives the strand's id."""
    said = invoke("--db", str(parisian), "financing", "nuit-parisienne", "--lang", "fr").output
    assert "Région Île-de-France (coproduction majoritaire)" in said
    said = invoke("--db", str(parisian), "financing", "nuit-parisienne", "--lang", "nl").output
    assert "Regio Île-de-France (meerderheidscoproductie)" in said
    out = invoke("--db", str(parisian), "financing", "nuit-parisienne", "--format", "json")
    assert json.loads(out.output)["plan"]["sources"][0]["strand"] == "majority"


@pytest.mark.parametrize(
    ("lang", "said"),
    [
        ("fr", "Jours de tournage en Île-de-France : 5 j sur 6 j requis — il manque 1 j"),
        ("nl", "Draaidagen in Île-de-France: 5 d van de vereiste 6 d — 1 d te weinig"),
        ("en", "Shooting days in Île-de-France: 5 d of the 6 d required — short by 1 d"),
    ],
)
def test_the_funders_page_says_shooting_days_as_days(parisian: Path, lang: str, said: str) -> None:
    """A count of days is said as days, not as money nor as a deadline's margin."""
    from dashboards.ui.result_words import result_sentence

    days = check(parisian, "nuit-parisienne", "2027-04-30")["ile_de_france.shooting_days"]
    assert result_sentence(days, lang) == said


def test_screen_flanders_reads_the_seat_of_operations(flemish: Path, tmp_path: Path) -> None:
    """A Brussels head office with a Ghent studio counts (its seat); a Ghent invoice address
    whose recorded seat is in Brussels does not; a supplier with a registered office only is
    tested on it; one with no record on its invoice's address. The result says how much rests
    on each address."""
    sites = tmp_path / "fournisseurs.csv"
    sites.write_text(
        "Fournisseur;TVA;Siège social code postal;Siège social pays;Siège social source;"
        "Siège d'exploitation code postal;Siège d'exploitation pays;Siège d'exploitation source\n"
        "Studio Brussel NV;BE0202239951;1030;BE;Extrait BCE 2026-10-02;9000;BE;Extrait BCE 2026-10-02\n"
        "Camera Gent NV;BE0403170701;9000;BE;Extrait BCE 2026-10-02;1000;BE;Extrait BCE 2026-10-02\n"
        "Lichtpark Antwerpen;BE0448826918;2000;BE;facture;;;\n",
        encoding="utf-8",
    )
    result = invoke("--db", str(flemish), "import", "suppliers", "gentse-nacht", str(sites))
    assert result.exit_code == 0, result.output
    spend = check(flemish, "gentse-nacht", "2027-09-30")["screen_flanders.flemish_spend"]
    # Studio Brussel 150,000 (seat in Ghent) + Lichtpark 20,000 (registered office in Antwerp);
    # Camera Gent's 180,000 is out (its seat is in Brussels)
    assert spend["measured"] == "170000.00"
    assert spend["details"]["address_basis"] == {
        "seat_of_operations": "150000.00",
        "registered_office": "20000.00",
    }
