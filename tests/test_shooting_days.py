"""The shooting days by territory: given in the manifest or read from a CSV shooting schedule
(finance/domain/shooting.py), and a financing line's strand (its pack's `strands`)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from finance.domain.errors import UserError
from finance.domain.manifest import load_manifest

HEAD = """
id: tournage
title: Tournage
kind: feature
"""


def manifest(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + text, encoding="utf-8")
    return path


def days_of(path: Path) -> dict[str, Decimal]:
    m, _ = load_manifest(path)
    return {d.territory: d.days for d in m.shooting_days or ()}


def test_days_given_as_a_list_load_exactly(tmp_path: Path) -> None:
    path = manifest(
        tmp_path,
        "shooting_days: [{territory: FR-75, days: 8}, {territory: BE-BRU, days: '19.5'}]\n",
    )
    assert days_of(path) == {"FR-75": Decimal(8), "BE-BRU": Decimal("19.5")}


def test_a_schedule_counts_each_date_once_and_shares_a_unit_move(tmp_path: Path) -> None:
    """Three dates: two in Paris, one split between Paris and Brussels (a unit move): Paris
    1 + 1 + 0.5, Brussels 0.5; the days add up to the three dates. French headers, `;`,
    dates as a French spreadsheet writes them, a date listed twice counted once."""
    (tmp_path / "plan.csv").write_text(
        "Jour;Territoire\n02/06/2026;FR-75\n03/06/2026;fr-75\n03/06/2026;FR-75\n"
        "04/06/2026;FR-75\n04/06/2026;BE-BRU\n",
        encoding="utf-8",
    )
    path = manifest(tmp_path, "shooting_schedule: plan.csv\n")
    assert days_of(path) == {"FR-75": Decimal("2.5"), "BE-BRU": Decimal("0.5")}


def test_a_schedule_in_dutch_with_commas(tmp_path: Path) -> None:
    (tmp_path / "draaiplan.csv").write_text(
        "datum,gewest\n2026-06-02,BE-VLG\n2026-06-03,BE-BRU\n", encoding="utf-8"
    )
    path = manifest(tmp_path, "shooting_schedule: draaiplan.csv\n")
    assert days_of(path) == {"BE-VLG": Decimal(1), "BE-BRU": Decimal(1)}


def test_a_changed_schedule_is_a_changed_manifest(tmp_path: Path) -> None:
    """The schedule's bytes enter the manifest's hash: what depends on the manifest (the
    stored allocation, `production add`'s no-change check) sees the change."""
    csv = tmp_path / "plan.csv"
    csv.write_text("date;territory\n2026-06-02;FR-75\n", encoding="utf-8")
    path = manifest(tmp_path, "shooting_schedule: plan.csv\n")
    before = load_manifest(path)[1]
    csv.write_text("date;territory\n2026-06-02;FR-92\n", encoding="utf-8")
    assert load_manifest(path)[1] != before


def test_schedule_problems_name_each_row(tmp_path: Path) -> None:
    (tmp_path / "plan.csv").write_text(
        "date;territory\n2026-06-02;Paris\n2026-13-40;FR-75\n", encoding="utf-8"
    )
    path = manifest(tmp_path, "shooting_schedule: plan.csv\n")
    with pytest.raises(UserError) as exc:
        load_manifest(path)
    said = "\n".join(str(p) for p in exc.value.problems)
    assert "row 2" in said and "Paris" in said and "not a territory" in said
    assert "row 3" in said and "not a date" in said


@pytest.mark.parametrize(
    ("text", "files", "said"),
    [
        ("shooting_schedule: absent.csv\n", {}, "no such file"),
        (
            "shooting_schedule: plan.csv\nshooting_days: [{territory: FR-75, days: 1}]\n",
            {"plan.csv": "date;territory\n2026-06-02;FR-75\n"},
            "not both",
        ),
        ("shooting_schedule: plan.csv\n", {"plan.csv": "lieu;jour\nParis;lundi\n"}, "header"),
        ("shooting_schedule: plan.csv\n", {"plan.csv": "date;territory\n"}, "no shooting day"),
    ],
)
def test_a_schedule_that_cannot_be_read_is_refused(
    tmp_path: Path, text: str, files: dict[str, str], said: str
) -> None:
    for name, body in files.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        load_manifest(manifest(tmp_path, text))
    assert said in "\n".join(str(p) for p in exc.value.problems)


def test_a_negative_day_count_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError) as exc:
        load_manifest(manifest(tmp_path, "shooting_days: [{territory: FR-75, days: -1}]\n"))
    assert "shooting_days.0.days" in "\n".join(str(p) for p in exc.value.problems)


def test_a_strand_belongs_to_a_scheme_with_strands(tmp_path: Path) -> None:
    """A scheme whose pack lists no strands takes none (the strands of the packs that list
    some are tested with their packs' scenarios)."""
    path = manifest(
        tmp_path, "financing: [{scheme: wallimage, amount: 100000, strand: majority}]\n"
    )
    with pytest.raises(UserError) as exc:
        load_manifest(path)
    assert "has no strands" in "\n".join(str(p) for p in exc.value.problems)
