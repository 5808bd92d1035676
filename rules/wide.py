"""Every scheme's eligibility as one row per expense ("wide"), and the expense x scheme relation
("long") read from the same rows.

A scheme's tests, counts and eligible amount are the columns `"<scheme>__<column>"` of the
expense's row. The check aggregates the wide rows in one pass: the measures of every scheme and
the double counting (an expense counted by two exclusive schemes) are filters on the same row, so
no expense x scheme rows are built, grouped or scanned again. The evidence, the justification
files and the dashboard read the long relation: the same columns, one scheme at a time (the
columns of eligibility.COLUMNS). Both come from this one SQL, so the expenses behind a measured
value add up to it exactly.
"""

from __future__ import annotations

import re

from finance.store.sql import literal
from rules.eligibility import (
    COLUMNS,
    EXPENSE_COLUMNS,
    PARIS_DEPARTMENTS,
    REASON_OF,
    SUPPLIER_COLUMNS,
    SchemeTests,
    col,
    empty_relation,
)
from rules.plan import Plan

#: the columns of the long relation that are the scheme's own (the others are the expense's)
SCHEME_COLUMNS = (
    "agreement_seq",
    "in_plan",
    "in_window",
    "timing_ok",
    "territory_ok",
    "payee_ok",
    "category_ok",
    "class_ok",
    "be_taxable_ok",
    "regime_ok",
    "eea_ok",
    "counts",
    "eligible_amount",
    "reasons",
)


_LITERAL = re.compile(r"('(?:[^']|'')*')")
_NAMES = re.compile(r"\b(" + "|".join(SCHEME_COLUMNS) + r")\b")


def qualify(snippet: str, scheme: str) -> str:
    """SQL written over the long relation's columns (a measure's `where`, `amount`), over the
    scheme's wide columns instead; text in quotes is left alone."""
    parts = _LITERAL.split(snippet)
    return "".join(
        part if i % 2 else _NAMES.sub(lambda m: col(scheme, m[1]), part)
        for i, part in enumerate(parts)
    )


def _night_cap(s: SchemeTests) -> str:
    """The French hotel cap of a lodging expense: its nights times the plan row's cap per night
    (Paris and 92/93/94, elsewhere)."""
    paris = literal(list(PARIS_DEPARTMENTS))
    night = (
        f"CASE WHEN list_contains({paris}, e.fr_department) THEN {col(s.scheme, 'hotel_paris')} "
        f"ELSE {col(s.scheme, 'hotel_other')} END"
    )
    return f"coalesce(e.nights, 0) * {night} AS {col(s.scheme, 'hotel_cap')}"


def _tested(specs: list[SchemeTests]) -> str:
    """The tests of every scheme, read against the expense's plan row; the plan's columns are
    not carried further (every row would carry them through the materialised CTE)."""
    cols = []
    for s in specs:
        cols += [f"{s.tests[k]} AS {col(s.scheme, k)}" for k in SCHEME_COLUMNS[:11]]
        if s.reads_suppliers:
            cols.append(f"{s.tests['address_used']} AS {col(s.scheme, 'address_used')}")
        cols += [f"{h} AS {col(s.scheme, f'held{k}')}" for k, h in enumerate(s.held, start=1)]
        cols += [_night_cap(s)] if s.hotel else []
    return (
        f"SELECT e.*, {', '.join(cols)} FROM ve e JOIN plan p ON p.production_id = e.production_id"
    )


def _flagged(specs: list[SchemeTests]) -> str:
    counts = [
        f"({' AND '.join(col(s.scheme, c) for c in REASON_OF)}) AS {col(s.scheme, 'counts')}"
        for s in specs
    ]
    return f"SELECT *, {', '.join(counts)} FROM tested"


def _is_fee(s: SchemeTests) -> str:
    return f"({col(s.scheme, 'counts')} AND status = 'actual' AND ts_class = 'producer_fee')"


def _is_lodging(s: SchemeTests) -> str:
    return f"({col(s.scheme, 'counts')} AND category = 'lodging')"


def _fee_ctes(s: SchemeTests, source: str) -> tuple[str, str]:
    """(CTEs, join) of the producer-fee cap, per production and agreement: the running total is
    computed over the fee rows only (a handful), not by a window over every expense, and the cap
    (the ratio of the plan row times the agreement's other Belgian spend) joined to those rows
    only. `source` is the CTE of the flagged rows with their agreement."""
    rows, cap, fees = (f'"{s.scheme}__{n}"' for n in ("fee_rows", "cap", "fees"))
    seq = col(s.scheme, "agreement_seq")
    ctes = f"""
        {rows} AS (
            SELECT production_id, {seq} AS fee_seq, id, sum(amount) OVER (
                PARTITION BY production_id, {seq} ORDER BY doc_date, id ROWS UNBOUNDED PRECEDING
            ) AS {col(s.scheme, "running")}
            FROM {source} WHERE {_is_fee(s)}
        ),
        {cap} AS (
            SELECT production_id, fee_seq, (floor({col(s.scheme, "fee_ratio")} * coalesce(spent, 0)
                   * 100) * 0.01)::DECIMAL(18,2) AS {col(s.scheme, "fee_cap")}
            FROM (
                SELECT production_id, {seq} AS fee_seq, sum(amount) FILTER (
                    {col(s.scheme, "counts")} AND status = 'actual' AND ts_class <> 'producer_fee'
                ) AS spent
                FROM {source} GROUP BY production_id, {seq}
            ) JOIN plan USING (production_id)
        ),
        {fees} AS (
            SELECT id, {col(s.scheme, "running")}, {col(s.scheme, "fee_cap")}
            FROM {rows} JOIN {cap} USING (production_id, fee_seq)
        ),"""
    return ctes, f"LEFT JOIN {fees} USING (id)"


def _fill_ctes(s: SchemeTests) -> str:
    """The CTEs that fill a scheme's agreements in signing order (rules/model.py's Window):
    agreement k takes, among the expenses it can take that no earlier agreement took, actual
    spend before committed, in date order, every row until its running total reaches what it
    is filled up to (the row that crosses it included). `"<scheme>__taken"` holds (id, k)."""
    counts = col(s.scheme, "counts")
    ctes: list[str] = []
    taken: list[str] = []
    for k in range(1, s.fill + 1):
        name = f'"{s.scheme}__t{k}"'
        earlier = (
            f" AND id NOT IN (SELECT id FROM {' UNION ALL SELECT id FROM '.join(taken)})"
            if taken
            else ""
        )
        ctes.append(f"""
        {name} AS (
            SELECT id FROM (
                SELECT id, {col(s.scheme, f"need{k}")} AS need, sum(amount) OVER (
                    PARTITION BY production_id ORDER BY status <> 'actual', doc_date, id
                    ROWS UNBOUNDED PRECEDING
                ) - amount AS before
                FROM flagged JOIN plan USING (production_id)
                WHERE {counts} AND {col(s.scheme, f"held{k}")}{earlier}
            ) WHERE before < need
        ),""")
        taken.append(name)
    union = " UNION ALL ".join(f"SELECT id, {k} AS k FROM {t}" for k, t in enumerate(taken, 1))
    ctes.append(f'\n        "{s.scheme}__taken" AS ({union}),')
    return "".join(ctes)


def _placed(fills: list[SchemeTests]) -> str:
    """The flagged rows with the agreements the fill chose (the first that can take an
    expense keeps it where no fill took it)."""
    seqs = ", ".join(
        f'coalesce("{s.scheme}__taken".k, f.{col(s.scheme, "agreement_seq")}) '
        f"AS {col(s.scheme, 'agreement_seq')}"
        for s in fills
    )
    joins = " ".join(f'LEFT JOIN "{s.scheme}__taken" USING (id)' for s in fills)
    return f"\n        placed AS MATERIALIZED (SELECT f.* REPLACE ({seqs}) FROM flagged f {joins}),"


def _eligible(s: SchemeTests) -> str:
    """What the expense counts for after the caps that work across rows (0 when it does not)."""
    arms = [f"WHEN NOT {col(s.scheme, 'counts')} THEN 0"]
    if s.fee_cap:
        fee_cap, running = col(s.scheme, "fee_cap"), col(s.scheme, "running")
        # what the row adds to the capped running total: the cap applies to the net of the
        # fees, so a credit note is never dropped (it lowers the total when it brings it under)
        arms.append(
            f"WHEN {_is_fee(s)} THEN least({running}, {fee_cap}) - least({running} - amount, {fee_cap})"
        )
    if s.hotel:
        arms.append(f"WHEN {_is_lodging(s)} THEN least(amount, {col(s.scheme, 'hotel_cap')})")
    return f"CASE {' '.join(arms)} ELSE amount END::DECIMAL(18,2) AS {col(s.scheme, 'eligible_amount')}"


def _reasons(s: SchemeTests) -> str:
    """The reason codes: failed tests, then the caps applied."""
    failed = ", ".join(
        f"CASE WHEN NOT {col(s.scheme, c)} THEN {literal(s.payee_reason if c == 'payee_ok' else code)} END"
        for c, code in REASON_OF.items()
    )
    reasons = f"list_filter([{failed}], lambda x: x IS NOT NULL)"
    eligible, caps = col(s.scheme, "eligible_amount"), []
    if s.fee_cap:
        caps.append(
            f"CASE WHEN {_is_fee(s)} AND {eligible} <> amount THEN 'producer_fee_capped' END"
        )
    if s.hotel:
        lodging = _is_lodging(s)
        caps.append(
            f"CASE WHEN {lodging} AND nights IS NULL THEN 'hotel_nights_missing' "
            f"WHEN {lodging} AND {eligible} <> amount THEN 'hotel_cap' END"
        )
    if caps:
        reasons = (
            f"list_concat({reasons}, list_filter([{', '.join(caps)}], lambda x: x IS NOT NULL))"
        )
    return f"{reasons} AS {col(s.scheme, 'reasons')}"


def _expenses(plan: Plan) -> str:
    """The expenses of the plan's productions as at $at, as the tests read them; where a scheme
    tests a supplier's recorded address, with the territories of its supplier record (one join
    on the production and the supplier key)."""
    reads = any(s.reads_suppliers for s in plan.specs)
    cols = f"{EXPENSE_COLUMNS}, supplier_key" if reads else EXPENSE_COLUMNS
    own = f"SELECT {cols} FROM v_expenses WHERE {plan.scope} AND doc_date <= $at"
    if not reads:
        return own
    return (
        f"SELECT x.* EXCLUDE (supplier_key), {SUPPLIER_COLUMNS} FROM ({own}) x "
        "LEFT JOIN v_supplier_sites s "
        "ON s.production_id = x.production_id AND s.match_key = x.supplier_key"
    )


def _ctes(plan: Plan) -> str:
    """The CTEs up to `valued`: the expenses with their plan row, their tests, counts and
    eligible amounts."""
    specs = plan.specs
    fills = [s for s in specs if s.fill]
    source = "placed" if fills else "flagged"
    fees = [_fee_ctes(s, source) for s in specs if s.fee_cap]
    # the fee caps (and the fill) read the flagged rows several times: computed once
    flagged = "flagged AS MATERIALIZED" if fees or fills else "flagged AS"
    filled = "".join(_fill_ctes(s) for s in fills) + (_placed(fills) if fills else "")
    return f"""
        {plan.cte},
        ve AS ({_expenses(plan)}),
        tested AS ({_tested(specs)}),
        {flagged} ({_flagged(specs)}),{filled}{"".join(c for c, _ in fees)}
        valued AS (
            SELECT f.*, {", ".join(_eligible(s) for s in specs)}
            FROM {source} f {" ".join(j for _, j in fees)}
        )"""


def wide_relation(plan: Plan) -> str:
    """One row per expense (as at $at) of the plan's productions with every scheme's tests,
    counts and eligible amount, to put after FROM; reasons are left to the long relation."""
    if not plan.specs:
        return f"({_expenses(plan)})"
    return f"(WITH {_ctes(plan)}\nSELECT * FROM valued)"


def _scheme_rows(spec: SchemeTests) -> str:
    scheme = spec.scheme
    cols = {c: col(scheme, c) for c in SCHEME_COLUMNS}
    cols |= {"scheme": literal(scheme), "expense_id": "id"}
    cols["address_used"] = (
        col(scheme, "address_used") if spec.reads_suppliers else "'invoice_address'"
    )
    return (
        "SELECT "
        + ", ".join(f"{cols[c]} AS {c}" if c in cols else c for c in COLUMNS)
        + f" FROM wide WHERE production_id IN "
        f"(SELECT production_id FROM plan WHERE {col(scheme, 'seq1')} IS NOT NULL)"
    )


def long_relation(plan: Plan) -> str:
    """Every scheme's rows (eligibility.COLUMNS) as one relation, to put after FROM: for each
    production, the schemes of its plan only."""
    if not plan.specs:
        return empty_relation()
    reasons = ", ".join(_reasons(s) for s in plan.specs)
    body = "\nUNION ALL\n".join(_scheme_rows(s) for s in plan.specs)
    return f"(WITH {_ctes(plan)},\n        wide AS (SELECT *, {reasons} FROM valued)\n{body})"
