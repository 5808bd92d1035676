"""A scheme is a folder: a pack written in a temporary folder, named by CINELEDGER_PACKS, is a
funder everywhere (manifest, `check`, the justification workbook, the Funders page) with no
Python change; its sentences follow its parameters."""

from __future__ import annotations

import json
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
import yaml
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from finance import DATA_DIR
from finance.cli.main import cli
from finance.devtools.catalogue import write_catalogues
from finance.domain.errors import UserError
from finance.domain.i18n import PACK_DOMAIN
from finance.domain.manifest import load_manifest
from rules.loader import load_pack
from tests.scenarios import load_scenario_file, mismatches, run_scenario

SCHEME = "flanders_test"
APP = str(Path(__file__).resolve().parent.parent / "dashboards" / "app.py")
AT = "2026-11-22"

PACK = """\
scheme: flanders_test
title: A Flemish fund written for this test
public_aid: true
territorial_obligation: required_flemish_spend
presentation:
  label: {fr: Fonds flamand (test), nl: Vlaams fonds (test), en: Flemish fund (test)}
  colour: "#ffcc00"
eligibility:
  source: "the test's own rules"
  confidence: medium
  territories: [BE-VLG]
  payee: any
  excluded_categories: [catering]
  excluded_ts_classes: [excluded]
  window: {anchor: manifest}
measures:
  flemish_spend: {fact: eligible_spend, plan_territories: [BE-VLG], spend_where: BE-VLG}
values:
  aid: {fact: plan_amount}
thresholds:
  required_flemish_spend: {fact: share_of_plan_or_commitment, ratio: min_flemish_spend_ratio}
  max_aid: {fact: parameter, parameter: max_aid}
rules:
  - id: flemish_spend
    reference: "the test's own rules"
    measured: flanders_test.flemish_spend
    operator: gte
    threshold: flanders_test.required_flemish_spend
    parameters: [min_flemish_spend_ratio]
  - id: max_aid
    reference: "the test's own rules"
    measured: flanders_test.aid
    operator: lte
    threshold: flanders_test.max_aid
    parameters: [max_aid]
"""

MESSAGES = """\
flemish_spend.title:
  en: "Eligible Flemish spend reaches max({min_flemish_spend_ratio:percent} of the aid, commitment)"
  fr: "Les dépenses flamandes éligibles atteignent max({min_flemish_spend_ratio:percent} de l'aide, engagement)"
  nl: "De Vlaamse uitgaven bereiken max({min_flemish_spend_ratio:percent} van de steun, verbintenis)"
flemish_spend.explanation:
  en: "Eligible Flemish spend {measured} {verb} the required {threshold}"
  fr: "Dépenses flamandes éligibles : {measured} {verb} le minimum requis de {threshold}"
  nl: "Vlaamse uitgaven: {measured} {verb} het vereiste {threshold}"
max_aid.title:
  en: "Aid is at most {max_aid:amount}"
  fr: "L'aide vaut au plus {max_aid:amount}"
  nl: "De steun bedraagt hoogstens {max_aid:amount}"
max_aid.explanation:
  en: "Flemish aid {measured} {verb} the cap of {threshold}"
  fr: "Aide flamande : {measured} {verb} le plafond de {threshold}"
  nl: "Vlaamse steun: {measured} {verb} het plafond van {threshold}"
"""


def _parameter(title: str, unit: str, value: str) -> str:
    return (
        f"title: {title}\nunit: {unit}\nreference: the test's own rules\nvalues:\n"
        f'  2020-01-01:\n    value: "{value}"\n    source: the test\n    confidence: medium\n'
        "    verified: false\n"
    )


SCENARIO = """\
rule: flanders_test.flemish_spend
base:
  manifest:
    kind: feature
    financing: [{scheme: flanders_test, amount: "100000", signed_on: 2026-02-02}]
  budget: [{code: "2.01", label: Équipe, amount: "500000.00", category: crew, territory: BE-VLG}]
  defaults: {date: 2026-06-15, country: BE, postcode: "9000", budget_code: "2.01", payee_type: company}
  at: 2026-11-22
scenarios:
  - name: twice the aid spent in Flanders passes
    expenses: [{amount: "200000.00"}]
    expect: {status: pass, measured: "200000.00", threshold: "200000.00", evidence_count: 1}
  - name: spend in Brussels does not count
    expenses: [{amount: "200000.00", postcode: "1000"}]
    expect: {measured: "0.00", threshold: "200000.00"}
"""


def write_pack(root: Path, ratio: str = "2.00") -> Path:
    """The test pack under `root`, as a funder would add it: files only."""
    folder = root / SCHEME
    (folder / "parameters").mkdir(parents=True)
    (folder / "scenarios").mkdir()
    (folder / "pack.yaml").write_text(PACK, encoding="utf-8")
    write_catalogues(folder / "locale", PACK_DOMAIN, yaml.safe_load(MESSAGES))
    (folder / "parameters" / "min_flemish_spend_ratio.yaml").write_text(
        _parameter("Minimum Flemish spend as a share of the aid", "ratio", ratio)
    )
    (folder / "parameters" / "max_aid.yaml").write_text(
        _parameter("Maximum aid per work", "EUR", "300000")
    )
    (folder / "scenarios" / "flemish_spend.yaml").write_text(SCENARIO, encoding="utf-8")
    return folder


@pytest.fixture
def pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = write_pack(tmp_path / "extra-packs")
    monkeypatch.setenv("CINELEDGER_PACKS", str(folder.parent))
    return folder


@pytest.fixture
def db(pack: Path, demo_db: Path, tmp_path: Path) -> Iterator[Path]:
    """The demo with a financing line of the test scheme added to its manifest."""
    path = tmp_path / "demo.duckdb"
    shutil.copy(demo_db, path)
    manifest = yaml.safe_load((DATA_DIR / "demo" / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["financing"].append(
        {"scheme": SCHEME, "amount": "100000", "committed_spend": "150000"}
    )
    with_fund = tmp_path / "manifest.yaml"
    with_fund.write_text(yaml.safe_dump(manifest, allow_unicode=True), encoding="utf-8")
    added = CliRunner().invoke(cli, ["production", "add", str(with_fund), "--db", str(path)])
    assert added.exit_code == 0, added.output
    yield path


def test_without_the_pack_the_scheme_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(
        f"id: a\ntitle: A\nkind: feature\nfinancing: [{{scheme: {SCHEME}, amount: 1}}]\n"
    )
    with pytest.raises(UserError) as err:
        load_manifest(path)
    assert "financing.0.scheme" in {p.column for p in err.value.problems}


def test_the_pack_scenarios_pass(pack: Path, tmp_path: Path) -> None:
    data = load_scenario_file(pack / "scenarios" / "flemish_spend.yaml")
    for i, scenario in enumerate(data["scenarios"]):
        work = tmp_path / f"s{i}"
        work.mkdir()
        result = run_scenario(data["base"], scenario, data["rule"], work)
        assert not mismatches(result, scenario["expect"]), (scenario["name"], result)


def test_check_gives_the_pack_rules(db: Path) -> None:
    out = CliRunner().invoke(
        cli, ["check", "dernier-tram", "--format", "json", "--at", AT, "--db", str(db)]
    )
    assert out.exit_code in (0, 1), out.output
    results = {r["rule_id"]: r for r in json.loads(out.output)["results"]}
    spend = results[f"{SCHEME}.flemish_spend"]
    assert spend["threshold"] == "200000.00"  # max(2.00 x 100 000, 150 000)
    assert spend["status"] in ("pass", "warn", "fail")
    assert spend["title"] == "Eligible Flemish spend reaches max(200 % of the aid, commitment)"
    assert spend["explanation"].startswith("Eligible Flemish spend EUR ")
    assert results[f"{SCHEME}.max_aid"]["status"] == "pass"
    assert results[f"{SCHEME}.max_aid"]["title"] == "Aid is at most EUR 300 000"
    # its trait counts it among the public aid (a Belgian one: in the EU ceiling, not in the
    # French one) and the territorial obligations
    assert results["eu.aid_intensity"]["measured"] == "1220000.00"  # 1,120,000 + its 100,000
    assert results["cnc_acm.public_aid_intensity"]["measured"] == "150000.00"
    # the demo's own rules are untouched
    assert results["wallimage.walloon_spend"]["threshold"] == "1200000.00"


def test_a_changed_parameter_changes_the_sentence(
    db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = write_pack(tmp_path / "other-packs", ratio="2.50")
    monkeypatch.setenv("CINELEDGER_PACKS", str(other))
    out = CliRunner().invoke(
        cli, ["check", "dernier-tram", "--format", "json", "--at", AT, "--db", str(db)]
    )
    spend = next(
        r for r in json.loads(out.output)["results"] if r["rule_id"] == f"{SCHEME}.flemish_spend"
    )
    assert spend["threshold"] == "250000.00"
    assert "250 %" in spend["title"]


def test_the_pack_exports_its_justification_workbook(db: Path, tmp_path: Path) -> None:
    out = tmp_path / "flanders.xlsx"
    done = CliRunner().invoke(
        cli,
        [
            "export",
            "dernier-tram",
            "--scheme",
            SCHEME,
            "--out",
            str(out),
            "--at",
            AT,
            "--db",
            str(db),
            "--lang",
            "en",
        ],
    )
    assert done.exit_code == 0, done.output
    with zipfile.ZipFile(out) as book:
        text = "".join(book.read(n).decode("utf-8") for n in book.namelist() if n.endswith(".xml"))
    assert f"{SCHEME}.flemish_spend" in text and "Eligible Flemish spend" in text


def test_the_funders_page_shows_the_pack(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CINELEDGER_DB", str(db))
    monkeypatch.setenv("CINELEDGER_TODAY", AT)
    st.cache_data.clear()
    at = AppTest.from_file(APP, default_timeout=120)
    at.run()
    at.switch_page("views/funders.py")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [e for e in at.expander if "Fonds flamand (test)" in e.label]
    at.session_state[f"scheme-{SCHEME}"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    texts = " ".join(m.value for m in at.markdown)
    # the rule's id is a small caption under its title in words
    assert any(f"{SCHEME}.flemish_spend" in c.value for c in at.caption)
    assert "Les dépenses flamandes éligibles atteignent max(200 % de l'aide" in texts
    assert at.button(key=f"prepare-{SCHEME}") is not None
    st.cache_data.clear()


def test_the_cli_help_lists_the_pack(pack: Path) -> None:
    shown = CliRunner().invoke(cli, ["export", "--help"], terminal_width=200)
    assert shown.exit_code == 0 and SCHEME in shown.output and "wallimage" in shown.output


def test_an_eligibility_list_is_dated_like_a_parameter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 16, point 14: a pack's excluded categories may change with a regulation; an
    agreement gets the list in force on its signing date, as with parameters."""
    folder = write_pack(tmp_path / "dated-packs")
    dated = PACK.replace(
        "  excluded_categories: [catering]\n",
        "  excluded_categories:\n"
        "    2020-01-01: [catering]\n"
        "    2025-01-01: [catering, transport]\n",
    )
    (folder / "pack.yaml").write_text(dated, encoding="utf-8")
    monkeypatch.setenv("CINELEDGER_PACKS", str(folder.parent))
    base = load_scenario_file(folder / "scenarios" / "flemish_spend.yaml")["base"]
    base["budget"] = [
        *base["budget"],
        {
            "code": "6.01",
            "label": "Transports",
            "amount": "50000.00",
            "category": "transport",
            "territory": "BE-VLG",
        },
    ]
    measured = {}
    for signed in ("2024-12-31", "2025-01-01"):
        scenario = {
            "name": signed,
            "manifest": {
                "financing": [
                    {
                        "scheme": SCHEME,
                        "amount": "100000",
                        "signed_on": signed,
                        "window_start": "2024-01-01",
                    }
                ]
            },
            "expenses": [{"amount": "1000.00", "budget_code": "6.01"}],
        }
        work = tmp_path / signed
        work.mkdir()
        measured[signed] = run_scenario(base, scenario, f"{SCHEME}.flemish_spend", work)["measured"]
    assert measured == {"2024-12-31": "1000.00", "2025-01-01": "0.00"}


def test_a_dated_list_must_start_with_the_pack_s_parameters(tmp_path: Path) -> None:
    folder = write_pack(tmp_path / "late-packs")
    late = PACK.replace(
        "  excluded_categories: [catering]\n",
        "  excluded_categories:\n    2021-01-01: [catering]\n",
    )
    (folder / "pack.yaml").write_text(late, encoding="utf-8")
    with pytest.raises(UserError) as err:
        load_pack(folder)
    assert any("excluded_categories" in p.reason for p in err.value.problems)
