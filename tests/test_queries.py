"""The store's query layer: every query is named, described, bound and runs on the schema;
inserts name their columns; the dashboard holds no SQL; the one literal helper quotes safely."""

from __future__ import annotations

import ast
import re
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path, PurePosixPath

import duckdb
import pytest

from finance.store import queries
from finance.store.db import connect
from finance.store.sql import literal

ROOT = Path(__file__).resolve().parents[1]

#: a plausible value for every parameter name the queries use
VALUES: dict[str, object] = {
    "pid": "p",
    "pids": ["p"],
    "prints": ["x"],
    "p": "p",
    "id": "p",
    "at": date(2026, 5, 31),
    "first": date(2026, 1, 5),
    "last": date(2026, 6, 1),
    "sha": "0" * 64,
    "version": "v1",
    "n": 3,
    "a": 1,
    "b": 2,
    "kind": "to_code",
    "run": 1,
    "code": "1.01",
    "codes": ["1.01"],
    "territories": [],
    "chapters": ["1"],
    "statuses": [],
    "schemes": ["wallimage"],
    "q": "%a%",
    "d0": date(2026, 1, 1),
    "d1": date(2026, 12, 31),
    "limit": 10,
    "offset": 0,
    "s": "wallimage",
    "c": True,
    "scheme": "wallimage",
    "ids": [1, 2],
}
#: the fragments a template takes, as the code that uses it makes them
RELATION = (
    "(SELECT 'p' AS production_id, 'wallimage' AS scheme, 1::BIGINT AS expense_id, "
    "'actual' AS status, TRUE AS counts, DATE '2026-01-01' AS doc_date, "
    "0::DECIMAL(18,2) AS amount, 0::DECIMAL(18,2) AS eligible_amount, []::VARCHAR[] AS reasons, "
    "1::INTEGER AS agreement_seq, 'invoice_address' AS address_used)"
)
PARTS = {
    "scope": "production_id = $pid",
    "relation": RELATION,
    "column": "territory",
    "field": "territory",
    "side": "counts",
}
#: statements that need a registered frame or the export's temporary view
NEEDS_STATE = re.compile(r"\b(lines|new_rates|new_mappings|export_lines)\b")


def _reads() -> list[str]:
    return [
        n
        for n in queries.names()
        if re.match(r"\s*(SELECT|WITH)\b", queries.get(n).text)
        and set(queries.get(n).parts) <= set(PARTS)
        and not NEEDS_STATE.search(queries.get(n).text)
    ]


@pytest.mark.parametrize("name", _reads())
def test_every_read_runs_on_a_fresh_schema(name: str, db: Path) -> None:
    query = queries.get(name)
    params = {
        k: VALUES[k]
        for k in dict.fromkeys(
            re.findall(r"\$(\w+)", queries.sql(name, **{p: PARTS[p] for p in query.parts}))
        )
    }
    with connect(db) as con:
        queries.frame(con, name, params, {p: PARTS[p] for p in query.parts})


def test_every_query_says_what_it_returns() -> None:
    assert len(queries.names()) > 40
    for name in queries.names():
        doc = queries.get(name).doc
        assert doc and "\n" not in doc and doc[0].isupper(), name


def test_inserts_name_their_columns() -> None:
    for name in queries.names():
        text = queries.get(name).text
        assert not re.search(r"INSERT\s+INTO\s+\w+\s+(VALUES|SELECT)\b", text, re.I), name


def test_a_template_refuses_missing_or_unknown_parts() -> None:
    with pytest.raises(ValueError, match="takes the parts"):
        queries.sql("figures.lines")
    with pytest.raises(ValueError, match="takes the parts"):
        queries.sql("productions.ids", scope="TRUE")
    with pytest.raises(KeyError, match="no query named"):
        queries.get("nope.nothing")


def _sql_strings(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and re.search(r"\b(SELECT|INSERT INTO|DELETE FROM|UPDATE \w+ SET)\b", node.value)
    ]


def test_the_dashboard_holds_no_sql() -> None:
    found = {
        str(p.relative_to(ROOT)): _sql_strings(p)
        for p in sorted((ROOT / "dashboards").rglob("*.py"))
    }
    assert {k: v for k, v in found.items() if v} == {}


@pytest.mark.parametrize(
    "folder",
    ["finance/reports", "finance/exports", "finance/access", "finance/demo", "finance/cli"],
)
def test_no_sql_outside_the_query_layer(folder: str) -> None:
    found = {
        str(p.relative_to(ROOT)): _sql_strings(p) for p in sorted((ROOT / folder).rglob("*.py"))
    }
    assert {k: v for k, v in found.items() if v} == {}


def test_literal_quotes_every_value_as_a_value() -> None:
    con = duckdb.connect()
    evil = "x'); DROP TABLE t; --"
    assert con.sql(f"SELECT {literal(evil)}").fetchall() == [(evil,)]
    assert literal(PurePosixPath("exports/l'été.parquet")) == "'exports/l''été.parquet'"
    assert con.sql(f"SELECT {literal(Decimal('12.50'))}").fetchall() == [(Decimal("12.50"),)]
    assert con.sql(f"SELECT {literal(date(2026, 1, 2))}").fetchall() == [(date(2026, 1, 2),)]
    moment = datetime(2026, 1, 2, 3, 4, 5)
    assert con.sql(f"SELECT {literal(moment)}").fetchall() == [(moment,)]
    assert con.sql(f"SELECT {literal(['a', None])}").fetchall() == [(["a", None],)]
    assert (literal(None), literal(True), literal(7)) == ("NULL", "TRUE", "7")
    with pytest.raises(TypeError):
        literal(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        literal("a\x00b")
