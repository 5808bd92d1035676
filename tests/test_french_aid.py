"""The French and EU aid facts where a scenario cannot reach (issue 16, points 9-12): the film
tax credit's cap per work (a base of EUR 100 M does not fit an expense file's amounts), whose
aid each scheme is, and the manifest fields they read."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from finance.domain.errors import UserError
from finance.domain.models import Manifest
from rules.facts import DETAIL_FACTS, Bound, DetailInput, FactContext, pack_country
from rules.loader import load_pack, load_packs
from rules.sentences import result_sentences

PLAN = {"id": "essai", "title": "Essai", "kind": "feature"}


def credit(measured: str, threshold: str, **manifest: object) -> dict[str, str]:
    packs = load_packs()
    decl = next(r for r in packs["fr_cic"].rules if r.id == "eligible_base").details
    assert decl is not None
    params = {
        f"fr_cic.{name}": p.at(date(2026, 1, 26))[1].value
        for name, p in packs["fr_cic"].parameters.items()
    }
    c = FactContext(Manifest.model_validate({**PLAN, **manifest}), params, ZERO, ZERO, {}, packs)
    found = DetailInput(c, Decimal(measured), Decimal(threshold), lambda key: key)
    return DETAIL_FACTS[decl.fact](found, Bound("fr_cic", decl.args))


ZERO = Decimal("0")


def test_the_credit_is_capped_per_work() -> None:
    # 30 % of 100,000,000.10 is 30,000,000.03: the cap (EUR 30 M) holds it
    assert (
        credit("100000000.10", "200000000.00", original_language="fr")["estimated_credit"]
        == "30000000.00"
    )
    # one cent of credit under the cap is not capped
    assert (
        credit("99999999.97", "200000000.00", original_language="fr")["estimated_credit"]
        == "29999999.99"
    )


def test_whose_aid_a_scheme_is() -> None:
    packs = load_packs()
    assert pack_country(packs["cnc_acm"]) == "FR"
    assert pack_country(packs["fr_cic"]) == "FR"
    assert pack_country(packs["wallimage"]) == "BE"
    assert pack_country(packs["screen_brussels"]) == "BE"
    assert pack_country(packs["be_tax_shelter"]) == "BE"  # tested by Belgian taxability


def test_the_new_manifest_fields_are_optional_and_checked() -> None:
    plain = Manifest.model_validate(PLAN)
    assert plain.coproduction is None and plain.aid_derogation is None
    full = Manifest.model_validate(
        {
            **PLAN,
            "original_language": "fr",
            "aid_derogation": "first_film",
            "coproduction": {"french_participation": "400000", "partner_country": "SN"},
            "financing": [
                {"scheme": "other", "amount": "1", "public_aid": True, "aid_country": "EU"},
                {"scheme": "cnc_acm", "amount": "1", "application_stage": "after_shooting"},
            ],
        }
    )
    assert full.coproduction is not None and full.coproduction.partner_country == "SN"
    for wrong in (
        {"aid_derogation": "because"},
        {"original_language": "French"},
        {"coproduction": {"partner_country": "SN"}},  # the French participation is required
        {"financing": [{"scheme": "other", "amount": "1", "aid_country": "France"}]},
        {"financing": [{"scheme": "cnc_acm", "amount": "1", "application_stage": "during"}]},
    ):
        with pytest.raises(ValueError):
            Manifest.model_validate({**PLAN, **wrong})


def test_a_rule_requiring_an_unknown_manifest_field_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "essai"
    (folder / "parameters").mkdir(parents=True)
    (folder / "pack.yaml").write_text(
        "scheme: essai\ntitle: Essai\nvalues: {aid: {fact: plan_amount}}\n"
        "thresholds: {zero: {fact: zero}}\n"
        "rules:\n  - {id: r, reference: a text, measured: essai.aid, operator: lte,"
        " threshold: essai.zero, requires: [coproduction.partner]}\n",
        encoding="utf-8",
    )
    with pytest.raises(UserError) as err:
        load_pack(folder)
    assert "coproduction.partner" in str(err.value.problems)


def test_an_information_limit_is_said_as_exceeded_though_it_passes() -> None:
    """The dashboard re-says a stored result in the reader's language from its figures: the CIC
    base above its cap passes (information), and its sentence still says the spend exceeds it."""
    result = {
        "rule_id": "fr_cic.eligible_base",
        "status": "pass",
        "measured": "500000.00",
        "threshold": "440000.00",
        "parameters": [
            {"name": n, "value": str(p.at(date(2026, 1, 26))[1].value)}
            for n, p in load_packs()["fr_cic"].parameters.items()
        ],
    }
    _, said = result_sentences(result, "en")
    assert "exceeds" in said, said
    assert "dépasse" in result_sentences(result, "fr")[1]


def test_a_rule_missing_its_manifest_field_says_so_in_every_language() -> None:
    result = {
        "rule_id": "cnc_acm.coproduction_share",
        "status": "not_applicable",
        "measured": None,
        "threshold": None,
        "details": {"not_recorded": "coproduction"},
        "parameters": [{"name": "coproduction_min_french_participation", "value": "0.30"}],
    }
    assert (
        result_sentences(result, "en")[1] == "not concerned: the manifest records no coproduction"
    )
    assert "coproduction" in result_sentences(result, "nl")[1]
    assert "n'indique pas coproduction" in result_sentences(result, "fr")[1]
