"""What the cash-flow plan reads from the ledger, for a set of productions ($pids) in one pass:
the spend still to come per chapter, the committed costs by week, the actual spend to date.

The remainder of a line is the budget not yet spent nor committed (committed at any date: a
commitment dated after $at is a cost the plan pays in its week, not part of the remainder),
never below zero, as figures.lines defines the estimate to complete."""

from __future__ import annotations

from finance.store.queries.catalogue import define

define(
    "cash.remainder_by_chapter",
    "Per production of $pids and chapter: the budget still to spend after $at.",
    """
WITH spend AS (
    SELECT production_id, budget_code AS code,
           coalesce(sum(amount) FILTER (status = 'actual' AND doc_date <= $at), 0) AS actual,
           coalesce(sum(amount) FILTER (status = 'committed'), 0) AS committed
    FROM expenses WHERE list_contains($pids, production_id) GROUP BY 1, 2
)
SELECT b.production_id, b.chapter_code,
       sum(greatest(b.amount - coalesce(s.actual, 0) - coalesce(s.committed, 0), 0))
           ::DECIMAL(18,2) AS remainder
FROM current_budget b
LEFT JOIN spend s ON s.production_id = b.production_id AND s.code = b.code
WHERE list_contains($pids, b.production_id)
GROUP BY 1, 2
""",
)
define(
    "cash.committed_by_week",
    "Per production of $pids and week (Monday): its committed costs, those dated on or before "
    "$at in the week of $at (due now).",
    """
SELECT production_id,
       date_trunc('week', greatest(doc_date, $at))::DATE AS week_start,
       sum(amount)::DECIMAL(18,2) AS committed
FROM expenses WHERE list_contains($pids, production_id) AND status = 'committed'
GROUP BY 1, 2
""",
)
define(
    "cash.actual_to_date",
    "Per production of $pids: the actual spend dated on or before $at (paid, for the plan).",
    """
SELECT production_id, sum(amount)::DECIMAL(18,2) AS actual
FROM expenses WHERE list_contains($pids, production_id) AND status = 'actual' AND doc_date <= $at
GROUP BY 1
""",
)
define(
    "cash.devis_totals",
    "Per production of $pids: its current devis total.",
    """
SELECT production_id, sum(amount)::DECIMAL(18,2) AS devis
FROM current_budget WHERE list_contains($pids, production_id) GROUP BY 1
""",
)
