"""The expenses behind a rule's figure, for a financier: what counts, what does not, and why."""

from __future__ import annotations

import duckdb
import polars as pl

from finance.domain import i18n
from finance.store.db import read_frame
from finance.store.productions import get_manifest
from rules.loader import load_measures, load_packs
from rules.relation import latest_relation

DETAIL_SQL = """
SELECT l.expense_id, l.agreement_seq AS agreement, e.doc_date, e.supplier, e.supplier_vat, e.country, e.postcode, e.territory,
       e.invoice_ref, e.budget_code, e.category, e.ts_class, e.amount, e.currency, e.amount_orig,
       e.fx_rate, l.eligible_amount, l.counts, l.reasons, l.address_used, e.source_file,
       e.source_row
FROM {relation} l JOIN v_expenses e ON e.id = l.expense_id
WHERE l.production_id = $pid AND l.scheme = $scheme AND l.status = 'actual'
ORDER BY l.doc_date, l.expense_id
"""


def tests_supplier_address(rule_id: str) -> bool:
    """Whether the rule's scheme tests a supplier's recorded address (its pack's
    `payee_address`): its evidence then says which address each expense was tested on."""
    pack = load_packs().get(rule_id.partition(".")[0])
    return bool(pack and pack.eligibility and pack.eligibility.payee_address != "invoice")


def measure_of(rule_id: str) -> str:
    """The measure a rule is measured on, or a UserError naming the rules that have evidence."""
    scheme, _, name = rule_id.partition(".")
    pack = load_packs().get(scheme)
    rule = next((r for r in pack.rules if r.id == name), None) if pack else None
    measures = load_measures()
    if rule is None or rule.measured not in measures:
        known = sorted(
            f"{s}.{r.id}"
            for s, p in load_packs().items()
            for r in p.rules
            if r.measured in measures
        )
        raise i18n.error("error.evidence.no_rule", rule=repr(rule_id), known=", ".join(known))
    return rule.measured


def evidence_rows(
    con: duckdb.DuckDBPyConnection, production_id: str, rule_id: str
) -> tuple[pl.DataFrame, bool]:
    """Every actual expense examined for the rule's scheme in the latest run, with `counted`
    (what it adds to the measured value: 0 when it does not count), its reason codes and the
    agreement it counts for (where the scheme's agreements stand on their own, the rule's
    figure per agreement is the sum of its rows); and
    whether the ledger changed since that run (the rows are then recomputed from the ledger as
    it is now, for the run's date)."""
    measure = load_measures()[measure_of(rule_id)]
    relation, params, stale = latest_relation(con, production_id)
    params = {**params, "scheme": measure.scheme}
    rows = read_frame(con, DETAIL_SQL.format(relation=relation), params)
    flags = read_frame(
        con,
        f"SELECT expense_id, ({measure.amount})::DECIMAL(18,2) AS counted FROM {relation} "
        f"WHERE production_id = $pid AND scheme = $scheme AND status = 'actual' AND ({measure.where})",
        params,
    )
    planned = {f.scheme for f in get_manifest(con, production_id).financing}
    if rows.height == 0 and measure.scheme not in planned:
        raise i18n.error(
            "error.export.not_in_plan", production=production_id, scheme=measure.scheme
        )
    out = rows.join(flags, on="expense_id", how="left")
    return out.with_columns(pl.col("counted").fill_null(pl.lit(0, pl.Decimal(18, 2)))), stale
