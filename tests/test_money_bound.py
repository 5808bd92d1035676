"""One bound for money, checked at the door (issue 21, point 6): 999,999,999.99 in the
production's currency (finance.domain.money.MAX_MONEY). An expense of 100,000,000.00 ended in
exit 3 (the product of amount and rate overflowed); a devis line or a manifest amount of 16
digits imported, then broke `report`, `check`, `export` and `check --all` for every production.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_run import invoke

pytestmark = pytest.mark.usefixtures("cli_in_english")

MANIFEST = "id: big\ntitle: Big\nkind: feature\n"
HEADER = "date,supplier,country,postcode,budget_code,amount,status\n"


@pytest.fixture
def production(db: Path, tmp_path: Path) -> Path:
    (tmp_path / "m.yaml").write_text(MANIFEST, encoding="utf-8")
    (tmp_path / "devis.csv").write_text("code,label,amount\n2.01,Crew,900000000\n")
    assert invoke("--db", str(db), "production", "add", str(tmp_path / "m.yaml")).exit_code == 0
    args = ("--db", str(db), "import", "budget", "big", str(tmp_path / "devis.csv"))
    assert invoke(*args).exit_code == 0
    return tmp_path


def test_an_expense_of_a_hundred_million_imports_and_every_report_runs(
    db: Path, production: Path
) -> None:
    path = production / "big.csv"
    path.write_text(HEADER + "01/03/2026,Studio,BE,1000,2.01,100000000,actual\n")
    result = invoke("--db", str(db), "import", "expenses", "big", str(path))
    assert result.exit_code == 0, result.output
    report = invoke("--db", str(db), "report", "big", "--format", "json", "--at", "2026-03-31")
    assert json.loads(report.output)["totals"]["actual"] == "100000000.00"
    assert invoke("--db", str(db), "check", "--all", "--at", "2026-03-31").exit_code in (0, 1)
    assert invoke("--db", str(db), "financing", "big", "--format", "json").exit_code == 0


@pytest.mark.parametrize(
    ("kind", "content"),
    [
        ("expenses", HEADER + "01/03/2026,Studio,BE,1000,2.01,1000000000,actual\n"),
        ("expenses", HEADER + "01/03/2026,Studio,BE,1000,2.01,-1000000000,actual\n"),
        ("budget", "code,label,amount\n2.01,Crew,1234567890123456\n"),
    ],
)
def test_an_amount_above_the_bound_is_refused_with_its_row(
    db: Path, production: Path, kind: str, content: str
) -> None:
    path = production / "file.csv"
    path.write_text(content)
    result = invoke("--db", str(db), "import", kind, "big", str(path))
    assert result.exit_code == 2
    assert "row 2" in result.output and "above the largest amount accepted" in result.output


@pytest.mark.parametrize(
    "line",
    [
        "budget_total: 1234567890123456\n",
        "financing:\n  - {scheme: other, amount: 1000000000}\n",
    ],
)
def test_a_manifest_amount_above_the_bound_is_refused(db: Path, tmp_path: Path, line: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(MANIFEST + line, encoding="utf-8")
    result = invoke("--db", str(db), "production", "add", str(path))
    assert result.exit_code == 2
    assert "less than or equal to 999999999.99" in result.output
    assert not db.exists()
