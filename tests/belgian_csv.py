"""Build the CSV a Belgian Excel writes: Windows-1252, `;`, `1.234,56`, `31/03/2025`, French headers."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

HEADER = [
    "Date facture",
    "Fournisseur",
    "Pays",
    "Code postal",
    "Poste",
    "Montant HT",
    "Devise",
    "Taux de change",
    "N° TVA",
    "N° facture",
    "Libellé",
    "Statut",
    "Type bénéficiaire",
    "Société audiovisuelle",
]

ROWS = [
    [
        "03/03/2025",
        "Studio Lumière SPRL",
        "BE",
        "1050",
        "2.01",
        "1.234,56",
        "",
        "",
        "BE0403170701",
        "F-1001",
        "Location plateau",
        "réel",
        "société",
        "oui",
    ],
    [
        "15/03/2025",
        "Éclairages Wallons SA",
        "BE",
        "4000",
        "7.01",
        "12.500,00",
        "",
        "",
        "",
        "EW-22",
        "Projecteurs",
        "réel",
        "société",
        "oui",
    ],
    [
        "31/03/2025",
        "Jean Dupré",
        "BE",
        "5000",
        "2.02",
        "3.200,00",
        "",
        "",
        "",
        "",
        "Cachet chef opérateur",
        "réel",
        "personne",
        "",
    ],
    [
        "02/04/2025",
        "Cantine du Sud",
        "BE",
        "6000",
        "6.01",
        "845,20",
        "",
        "",
        "",
        "CS-9",
        "Repas équipe",
        "réel",
        "société",
        "non",
    ],
    [
        "10/04/2025",
        "Post Paris SAS",
        "FR",
        "75011",
        "8.01",
        "22.000,00",
        "",
        "",
        "FR44732829320",
        "PP-300",
        "Montage",
        "réel",
        "société",
        "oui",
    ],
    [
        "12/04/2025",
        "London Lenses Ltd",
        "GB",
        "W1F 9LD",
        "7.01",
        "1.000,00",
        "GBP",
        "1,17",
        "",
        "LL-5",
        "Objectifs",
        "réel",
        "société",
        "oui",
    ],
    [
        "20/04/2025",
        "Studio Lumière SPRL",
        "BE",
        "1050",
        "2.01",
        "-234,56",
        "",
        "",
        "BE0403170701",
        "NC-1001",
        "Avoir F-1001",
        "réel",
        "société",
        "oui",
    ],
    [
        "30/04/2025",
        "Post Paris SAS",
        "FR",
        "75011",
        "8.01",
        "5.000,00",
        "",
        "",
        "FR44732829320",
        "",
        "Étalonnage (bon de commande)",
        "engagé",
        "société",
        "oui",
    ],
]
#: what the rows above add up to, in EUR: 1234.56 + 12500 + 3200 + 845.20 + 22000 + 1170 - 234.56
ACTUAL_TOTAL = Decimal("40715.20")
COMMITTED_TOTAL = Decimal("5000.00")

BROKEN = [
    [
        "31/02/2025",
        "Date Impossible",
        "BE",
        "1000",
        "2.01",
        "10,00",
        "",
        "",
        "",
        "X-1",
        "",
        "réel",
        "société",
        "oui",
    ],
    [
        "01/05/2025",
        "Montant Faux",
        "BE",
        "1000",
        "2.01",
        "douze",
        "",
        "",
        "",
        "X-2",
        "",
        "réel",
        "société",
        "oui",
    ],
    [
        "02/05/2025",
        "Poste Inconnu",
        "BE",
        "1000",
        "99.99",
        "10,00",
        "",
        "",
        "",
        "X-3",
        "",
        "réel",
        "société",
        "oui",
    ],
]

DEVIS = """code,label,amount,category,territory
2.01,Location plateau,50000.00,studio,BE-BRU
2.02,Chef opérateur,20000.00,crew,BE-WAL
6.01,Cantine,10000.00,catering,BE-WAL
7.01,Matériel caméra,40000.00,equipment,BE-WAL
8.01,Montage,60000.00,post,FR-75
"""

MANIFEST = """id: essai
title: Essai belge
kind: feature
currency: EUR
schedule: {prep_start: 2025-02-03, shoot_start: 2025-03-31, shoot_end: 2025-05-09, post_end: 2025-10-31}
financing:
  - {scheme: be_tax_shelter, amount: "40000", fiscal_value: "110000", signed_on: 2025-02-20}
  - {scheme: wallimage, amount: "30000", committed_spend: "60000", signed_on: 2025-02-10}
"""


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    lines = [";".join(HEADER)] + [";".join(r) for r in rows]
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))
    return path


def setup_production(tmp: Path) -> tuple[Path, Path]:
    """Manifest and devis files of the small Belgian production."""
    (tmp / "manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp / "devis.csv").write_text(DEVIS, encoding="utf-8")
    return tmp / "manifest.yaml", tmp / "devis.csv"
