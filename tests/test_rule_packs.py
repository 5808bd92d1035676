"""The packs document themselves: every parameter has a title, source, confidence and validity
date; every rule a reference and a scenario file; the required rule ids of the contract exist."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from finance.domain import i18n
from finance.domain.errors import UserError
from finance.domain.i18n import LANGS, PACK_DOMAIN, read_catalogue
from finance.domain.packs import funder_schemes
from rules.loader import load_pack, load_packs
from rules.model import Confidence

REQUIRED_RULE_IDS = {
    "be_tax_shelter.belgian_spend",
    "be_tax_shelter.direct_share",
    "be_tax_shelter.eea_cap",
    "be_tax_shelter.budget_share",
    "wallimage.walloon_spend",
    "screen_brussels.brussels_spend",
    "cnc_acm.french_spend",
}
ROOT = Path(__file__).resolve().parent.parent


def all_rule_ids() -> set[str]:
    return {f"{scheme}.{r.id}" for scheme, pack in load_packs().items() for r in pack.rules}


def test_contract_rule_ids_exist() -> None:
    assert all_rule_ids() >= REQUIRED_RULE_IDS


@pytest.mark.parametrize("scheme", sorted(load_packs()))
def test_every_dated_value_is_plausible_and_never_unverified_yet_verified(scheme: str) -> None:
    """What loading does not enforce: the date of a value and its two flags agreeing (the
    title, reference, source and confidence are required by the pack's model itself)."""
    for name, param in load_packs()[scheme].parameters.items():
        for valid_from, value in param.values.items():
            assert valid_from.year >= 2000, name
            if value.confidence is Confidence.UNVERIFIED:
                assert not value.verified, f"{name}: an unverified figure cannot be verified"


@pytest.mark.parametrize("rule_id", sorted(all_rule_ids()))
def test_every_rule_has_a_reference_and_a_scenario_file(rule_id: str) -> None:
    scheme, rule = rule_id.split(".", 1)
    pack = load_packs()[scheme]
    decl = next(r for r in pack.rules if r.id == rule)
    assert decl.reference
    messages = i18n.catalogue()
    for part in ("title", "explanation"):
        for lang in LANGS:
            assert messages[f"{rule_id}.{part}"][lang], (rule_id, part, lang)
    assert (Path(pack.folder) / "scenarios" / f"{rule}.yaml").exists(), (
        f"no scenario file for {rule_id}"
    )


@pytest.mark.parametrize("scheme", sorted(load_packs()))
def test_no_figure_is_written_into_a_rule_sentence(scheme: str) -> None:
    """A sentence names the parameters it shows: change the parameter and the text follows."""
    folder = Path(load_packs()[scheme].folder)
    messages = read_catalogue(folder / "locale", PACK_DOMAIN)
    for key, texts in messages.items():
        for lang, template in texts.items():
            outside = re.sub(r"\{[^}]*\}", "", template)
            assert not re.search(r"\d", outside), f"{scheme} {key}/{lang}: {template}"


def test_a_broken_pack_names_the_file_and_the_line(tmp_path: Path) -> None:
    pack = tmp_path / "x"
    (pack / "parameters").mkdir(parents=True)
    (pack / "pack.yaml").write_text("scheme: x\ntitle: X pack\nrules: []\n")
    (pack / "parameters" / "ratio.yaml").write_text(
        "title: A ratio\nunit: ratio\nreference: somewhere\nvalues:\n  2020-01-01:\n"
        "    value: '0.5'\n    source: src\n    confidence: sure\n    verified: true\n"
    )
    with pytest.raises(UserError) as err:
        load_pack(pack)
    problem = err.value.problems[0]
    assert problem.file and problem.file.endswith("ratio.yaml")
    assert problem.row == 8 and "confidence" in problem.reason


@pytest.mark.parametrize("package", ["finance", "rules"])
def test_the_core_never_imports_the_ui(package: str) -> None:
    for path in (ROOT / package).rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = (
                [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else ([node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            )
            for name in names:
                assert name.split(".")[0] not in {"streamlit", "plotly"}, f"{path} imports {name}"


def test_the_manifest_takes_the_packs_funders_and_other() -> None:
    assert set(funder_schemes()) == {s for s, p in load_packs().items() if p.funder} | {"other"}
    assert {"be_tax_shelter", "wallimage", "screen_brussels", "cnc_acm", "fr_cic", "fr_c2i"} <= set(
        funder_schemes()
    )
    assert not {"eu", "cumulation"} & set(funder_schemes())


def test_a_pack_naming_an_unknown_fact_or_parameter_is_refused(tmp_path: Path) -> None:
    pack = tmp_path / "x"
    pack.mkdir()
    (pack / "pack.yaml").write_text(
        "scheme: x\ntitle: X pack\nthresholds:\n  cap: {fact: share_of_budget, ratio: nope}\n"
        "  other: {fact: invented}\nrules: []\n"
    )
    with pytest.raises(UserError) as err:
        load_pack(pack)
    reasons = " ".join(p.reason for p in err.value.problems)
    assert "names no parameter 'nope'" in reasons and "unknown fact 'invented'" in reasons
