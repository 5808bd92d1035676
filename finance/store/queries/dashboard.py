"""What the dashboard's pages read besides the figures (finance/store/queries/figures.py)."""

from __future__ import annotations

from finance.store.queries.catalogue import define

#: the columns of the Expenses page's table
EXPENSE_COLUMNS = (
    "id, doc_date, supplier, supplier_vat, country, postcode, territory, budget_code, "
    "chapter_code, category, status, amount, currency, invoice_ref, source_file, source_row"
)
#: the filters the Expenses page offers a choice of values for (the `column` part)
OPTION_COLUMNS = ("territory", "chapter_code")

#: every filter of the Expenses page, each off when its parameter is empty or NULL: $pid, $at,
#: $territories, $chapters, $statuses (lists), $q (a pattern), $d0 and $d1 (dates), $ids (a
#: list of expense ids to keep, NULL for all: a restriction such as a rule's evidence)
_FILTER = """
production_id = $pid AND doc_date <= $at
AND (len($territories) = 0 OR list_contains($territories, territory))
AND (len($chapters) = 0 OR list_contains($chapters, chapter_code))
AND (len($statuses) = 0 OR list_contains($statuses, status))
AND ($q::VARCHAR IS NULL OR supplier ILIKE $q OR invoice_ref ILIKE $q OR supplier_vat ILIKE $q
     OR description ILIKE $q)
AND ($d0::DATE IS NULL OR doc_date BETWEEN $d0 AND $d1)
AND ($ids::BIGINT[] IS NULL OR list_contains($ids, id))
"""
#: ... and counting for one of the $schemes in {relation} (the rules' eligibility relation)
_IN_SCHEMES = """
AND id IN (SELECT expense_id FROM {relation} WHERE production_id = $pid AND counts
           AND list_contains($schemes, scheme))
"""

define(
    "dashboard.latest_run",
    "The latest rule run of production $pid: id, as-at date, rulebook, time.",
    "SELECT id, as_at, rulebook, ran_at FROM rule_runs WHERE production_id = $pid "
    "ORDER BY id DESC LIMIT 1",
)
define(
    "dashboard.run_results",
    "The results of rule run $run as `check` printed them, in order.",
    "SELECT result_json FROM rule_results WHERE run_id = $run ORDER BY rowid",
)
define(
    "dashboard.expense_options",
    "The distinct values of {column} among the expenses of $pid, sorted.",
    "SELECT DISTINCT {column} AS v FROM v_expenses WHERE production_id = $pid "
    "AND {column} IS NOT NULL ORDER BY 1",
)
define(
    "dashboard.expenses_count",
    "How many expenses of $pid pass the Expenses page's filters, and their total.",
    f"SELECT count(*) AS n, coalesce(sum(amount), 0)::DECIMAL(18,2) AS total FROM v_expenses "
    f"WHERE {_FILTER}",
)
define(
    "dashboard.expenses_page",
    "A page of $limit expenses of $pid (from row $offset) passing the Expenses page's filters, "
    "by date.",
    f"SELECT {EXPENSE_COLUMNS} FROM v_expenses WHERE {_FILTER} ORDER BY doc_date, id "
    "LIMIT $limit OFFSET $offset",
)
define(
    "dashboard.expenses_count_in_schemes",
    "How many expenses of $pid pass the filters and count for one of $schemes in {relation}, "
    "and their total.",
    f"SELECT count(*) AS n, coalesce(sum(amount), 0)::DECIMAL(18,2) AS total FROM v_expenses "
    f"WHERE {_FILTER} {_IN_SCHEMES}",
)
define(
    "dashboard.expenses_page_in_schemes",
    "A page of $limit expenses of $pid (from row $offset) passing the filters and counting for "
    "one of $schemes.",
    f"SELECT {EXPENSE_COLUMNS} FROM v_expenses WHERE {_FILTER} {_IN_SCHEMES} "
    "ORDER BY doc_date, id LIMIT $limit OFFSET $offset",
)
define(
    "dashboard.line_expenses",
    "The expenses of $pid on budget line $code as at $at, by date, with provenance.",
    """
SELECT doc_date, supplier, invoice_ref, status, amount, currency, territory, source_file,
       source_row
FROM v_expenses WHERE production_id = $pid AND budget_code = $code AND doc_date <= $at
ORDER BY doc_date
""",
)
define(
    "dashboard.examined",
    "The first $n actual expenses of $pid examined for $scheme in {relation} that count ($c) or not, with the agreement each counts for.",
    """
SELECT l.counts, e.doc_date, e.supplier, e.invoice_ref, e.territory, e.category, l.amount,
       l.eligible_amount, l.agreement, l.reasons, e.source_file, e.source_row
FROM (SELECT expense_id, counts, doc_date, amount, eligible_amount, reasons,
             CASE WHEN counts THEN agreement_seq END AS agreement FROM {relation} r
      WHERE r.production_id = $pid AND r.scheme = $s AND r.status = 'actual' AND r.counts = $c
      ORDER BY r.doc_date, r.expense_id LIMIT $n) l
JOIN v_expenses e ON e.id = l.expense_id
ORDER BY l.doc_date, l.expense_id
""",
)
define(
    "dashboard.cost_drill_totals",
    "How many expenses of $pid as at $at are on the budget lines $codes, and their total, per "
    "status (the cost report's drill-down: its actual total is the lines' actual).",
    "SELECT status, count(*) AS n, coalesce(sum(amount), 0)::DECIMAL(18,2) AS total "
    "FROM v_expenses WHERE production_id = $pid AND doc_date <= $at "
    "AND list_contains($codes, budget_code) GROUP BY status ORDER BY status",
)
define(
    "dashboard.cost_drill",
    "The first $limit expenses of $pid as at $at on the budget lines $codes, by date.",
    "SELECT doc_date, budget_code, supplier, invoice_ref, status, amount, territory, "
    "source_file, source_row FROM v_expenses WHERE production_id = $pid AND doc_date <= $at "
    "AND list_contains($codes, budget_code) ORDER BY doc_date, id LIMIT $limit",
)
