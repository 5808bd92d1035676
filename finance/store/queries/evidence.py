"""The expenses behind one rule's figure, for the dashboard (finance/reports/evidence.py): the
rows of a measure's scheme or of the double counting, whether the rule counts each, then the
rows chosen with their count, total and a page of them."""

from __future__ import annotations

from finance.store.queries.catalogue import define

define(
    "evidence.measure_rows",
    "Actual expenses of $pid examined for $scheme in {relation}: whether the measure ({where}) counts each (hit), its figure ({amount} when counted, its amount when not) and the address its territory was tested on.",
    """
SELECT expense_id, agreement_seq AS agreement, doc_date, eligible_amount, reasons,
       coalesce(({where}), FALSE) AS hit,
       (CASE WHEN coalesce(({where}), FALSE) THEN ({amount}) ELSE amount END)::DECIMAL(18,2)
           AS figure,
       []::VARCHAR[] AS schemes, address_used
FROM {relation} WHERE production_id = $pid AND scheme = $scheme AND status = 'actual'
""",
)

define(
    "evidence.overlap_rows",
    "Actual expenses of $pid counted by two schemes or more in the wide rows {relation}: double counting where {overlap} holds (hit), with the schemes ($names) that count each.",
    """
SELECT id AS expense_id, NULL::INTEGER AS agreement, doc_date, amount AS eligible_amount,
       []::VARCHAR[] AS reasons, coalesce({overlap}, FALSE) AS hit,
       amount::DECIMAL(18,2) AS figure, list_where($names::VARCHAR[], [{counts}]) AS schemes,
       NULL::VARCHAR AS address_used
FROM {relation} WHERE production_id = $pid AND status = 'actual' AND ({several}) >= 2
""",
)

define(
    "evidence.chosen",
    "The rows of {flags} the rule counts ($c) or not, of agreement $k (NULL: every one): their count and total on every row, and the page of $n from row $o with provenance.",
    """
WITH f AS MATERIALIZED (
    SELECT * FROM ({flags}) r WHERE r.hit = $c AND ($k::INTEGER IS NULL OR r.agreement = $k)),
s AS (SELECT count(*) AS n, coalesce(sum(figure), 0)::DECIMAL(18,2) AS total FROM f),
p AS (SELECT * FROM f ORDER BY doc_date, expense_id LIMIT $n OFFSET $o)
SELECT s.n AS n_all, s.total AS total_all, p.expense_id, e.doc_date, e.supplier, e.invoice_ref,
       e.territory, p.address_used, e.category, e.amount, p.figure, p.agreement, p.reasons,
       p.schemes, e.source_file, e.source_row
FROM s LEFT JOIN p ON TRUE LEFT JOIN v_expenses e ON e.id = p.expense_id
ORDER BY p.doc_date, p.expense_id
""",
)
