"""The expenses behind a rule's figure, for a financier: what counts, what does not, and why."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finance.errors import UserError
from finance.store.db import connect, read_frame
from rules.facts import MEASURES
from rules.loader import load_packs

DETAIL_SQL = """
SELECT l.expense_id, e.doc_date, e.supplier, e.supplier_vat, e.country, e.postcode, e.territory,
       e.invoice_ref, e.budget_code, e.category, e.ts_class, e.amount, e.currency, e.amount_orig,
       e.fx_rate, l.eligible_amount, l.counts, l.reasons, e.source_file, e.source_row
FROM eligibility l JOIN v_expenses e ON e.id = l.expense_id
WHERE l.production_id = $pid AND l.scheme = $scheme AND l.status = 'actual'
ORDER BY l.doc_date, l.expense_id
"""


def measure_of(rule_id: str) -> str:
    """The measure a rule is measured on, or a UserError naming the rules that have evidence."""
    scheme, _, name = rule_id.partition(".")
    pack = load_packs().get(scheme)
    rule = next((r for r in pack.rules if r.id == name), None) if pack else None
    if rule is None or rule.measured not in MEASURES:
        known = sorted(
            f"{s}.{r.id}"
            for s, p in load_packs().items()
            for r in p.rules
            if r.measured in MEASURES
        )
        raise UserError(
            f"no expense evidence for rule {rule_id!r} (rules with evidence: {', '.join(known)})"
        )
    return rule.measured


def rule_evidence(db: Path | None, production_id: str, rule_id: str) -> pl.DataFrame:
    """Every actual expense examined for the rule's scheme in the latest run, with `counted`
    (what it adds to the measured value: 0 when it does not count) and its reason codes."""
    measure = MEASURES[measure_of(rule_id)]
    with connect(db, read_only=True) as con:
        rows = read_frame(con, DETAIL_SQL, {"pid": production_id, "scheme": measure.scheme})
        flags = read_frame(
            con,
            f"SELECT expense_id, ({measure.amount})::DECIMAL(18,2) AS counted FROM eligibility "
            f"WHERE production_id = $pid AND scheme = $scheme AND status = 'actual' AND ({measure.where})",
            {"pid": production_id, "scheme": measure.scheme},
        )
    if rows.height == 0:
        raise UserError(
            f"{production_id}: no check has run for {measure.scheme}; run `cineledger check` first"
        )
    out = rows.join(flags, on="expense_id", how="left")
    return out.with_columns(pl.col("counted").fill_null(pl.lit(0, pl.Decimal(18, 2))))
