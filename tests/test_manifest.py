"""The manifest: valid ones load exactly, invalid ones list every problem by field path."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from finance.domain.errors import UserError
from finance.domain.manifest import load_manifest


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "m.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_contract_example_loads(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
id: dernier-tram
title: Le Dernier Tram
kind: feature
currency: EUR
budget_total: 3200000
schedule: {prep_start: 2025-01-06, shoot_start: 2025-04-07, shoot_end: 2025-06-13, post_end: 2026-02-27}
financing:
  - {scheme: be_tax_shelter, amount: 320000, fiscal_value: 900000, signed_on: 2025-03-01}
  - {scheme: wallimage, amount: 300000, signed_on: 2025-02-15, committed_spend: 1200000}
  - {scheme: screen_brussels, amount: 200000, committed_spend: 600000}
  - {scheme: cnc_acm, amount: 150000}
  - {scheme: other, label: Coproducteur FR, amount: 800000}
""",
    )
    manifest, sha = load_manifest(path)
    assert manifest.budget_total == Decimal("3200000")
    assert manifest.financing[0].fiscal_value == Decimal("900000")
    assert manifest.schemes()[:4] == [
        "be_tax_shelter",
        "wallimage",
        "screen_brussels",
        "cnc_acm",
    ]
    assert len(sha) == 64


def test_unquoted_decimal_is_exact_not_float(tmp_path: Path) -> None:
    path = write(tmp_path, "id: a\ntitle: A\nkind: feature\nbudget_total: 1234567.89\n")
    manifest, _ = load_manifest(path)
    assert manifest.budget_total == Decimal("1234567.89")


def test_every_problem_is_listed_by_field_path(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
id: Not A Slug
title: X
kind: short
currency: euro
financing:
  - {scheme: wallimage, amount: -3}
  - {scheme: be_tax_shelter, amount: 1}
  - {scheme: nope, amount: 1}
""",
    )
    with pytest.raises(UserError) as err:
        load_manifest(path)
    fields = {p.column for p in err.value.problems}
    assert {
        "id",
        "kind",
        "currency",
        "financing.0.amount",
        "financing.1",
        "financing.2.scheme",
    } <= fields
    assert "fiscal_value" in " ".join(str(p) for p in err.value.problems)


def test_duplicate_keys_are_rejected_with_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "id: a\ntitle: A\nkind: feature\nbudget_total: 1\nbudget_total: 2\n")
    with pytest.raises(UserError, match=r"line 5.*duplicate key 'budget_total'"):
        load_manifest(path)


def test_schedule_out_of_order(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "id: a\ntitle: A\nkind: feature\nschedule: {prep_start: 2026-05-01, "
        "shoot_start: 2026-04-01, shoot_end: 2026-06-01, post_end: 2026-09-01}\n",
    )
    with pytest.raises(UserError) as err:
        load_manifest(path)
    assert err.value.problems[0].column == "schedule"


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="file not found"):
        load_manifest(tmp_path / "absent.yaml")


HEAD = "id: bad\ntitle: Bad\nkind: feature\n"


@pytest.mark.parametrize(
    ("body", "said"),
    [
        (  # an impossible date was a crash (exit 3)
            "schedule: {prep_start: 2027-02-30, shoot_start: 2027-03-01, shoot_end: 2027-04-01,"
            " post_end: 2027-05-01}\n",
            "not a real date: 2027-02-30",
        ),
        ("layout: nosuch\n", "no such layout"),  # accepted, then every report failed
        ("layout: ../../etc/passwd\n", "String should match pattern"),
        (  # a schedule ending in 9999 made `report --format json` write 91 MB
            "schedule: {prep_start: 2027-01-01, shoot_start: 2027-03-01, shoot_end: 2027-04-01,"
            " post_end: 9999-05-01}\n",
            "a date between 1990-01-01 and 2100-12-31",
        ),
        ("x: " + "[" * 5000 + "]" * 5000 + "\n", "nested too deep"),  # was a RecursionError
        ("1: x\n", "Keys should be strings"),
        ("budget_total: 1e400\n", "no more than 18 digits"),
    ],
)
def test_a_manifest_that_broke_the_tool_is_refused_at_the_door(
    tmp_path: Path, body: str, said: str
) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + body, encoding="utf-8")
    with pytest.raises(UserError) as caught:
        load_manifest(path)
    assert said in "\n".join(caught.value.lines())


def test_a_huge_yaml_file_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(HEAD + "# " + "x" * (3 * 2**20) + "\n", encoding="utf-8")
    with pytest.raises(UserError, match="larger than 2 MB"):
        load_manifest(path)
