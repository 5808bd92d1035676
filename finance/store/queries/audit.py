"""The audit trail."""

from __future__ import annotations

from finance.store.queries.catalogue import define

define(
    "audit.next_id",
    "The next audit entry id.",
    "SELECT nextval('audit_seq')",
)
define(
    "audit.next_ids",
    "The next $n audit entry ids.",
    "SELECT nextval('audit_seq') FROM range($n)",
)
define(
    "audit.insert",
    "Append one audit entry.",
    """
INSERT INTO audit_log (id, occurred_at, actor, action, production_id, target, details, reason)
VALUES ($id, $at, $actor, $action, $production_id, $target, $details, $reason)
""",
)
define(
    "audit.insert_many",
    "Append one audit entry per item of the lists $ids, $production_ids, $targets, $details.",
    """
INSERT INTO audit_log (id, occurred_at, actor, action, production_id, target, details, reason)
SELECT unnest($ids), $at, $actor, $action, unnest($production_ids), unnest($targets),
       unnest($details), NULL
""",
)
define(
    "audit.trail",
    "Audit entries newest first: of production $p and database-wide (all if $p is NULL); $n at most.",
    """
SELECT id, occurred_at, actor, action, production_id, target, details, reason
FROM audit_log
WHERE $p::VARCHAR IS NULL OR production_id = $p OR production_id IS NULL
ORDER BY id DESC LIMIT $n
""",
)
