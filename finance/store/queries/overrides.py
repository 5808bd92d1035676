"""Users' corrections of a classification."""

from __future__ import annotations

from finance.store.queries.catalogue import define

#: `field` is one of finance.classify.overrides.FIELDS, checked before the query is made
define(
    "overrides.before",
    "Id and current value of {field} of the expenses $ids of production $pid.",
    """
SELECT id, CAST({field} AS VARCHAR) AS before FROM v_expenses
WHERE production_id = $pid AND id IN (SELECT unnest($ids)) ORDER BY id
""",
)
define(
    "overrides.insert",
    "Record the correction of $field to $value, with its reason, on each expense of $ids.",
    """
INSERT INTO overrides (expense_id, field, value, reason, made_by, made_at)
SELECT unnest($ids), $field, $value, $reason, $made_by, $made_at
""",
)
