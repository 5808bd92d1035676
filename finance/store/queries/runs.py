"""Stored rule runs and quarantine listings, as the command line shows them."""

from __future__ import annotations

from finance.store.queries.catalogue import define

define(
    "runs.list",
    "The rule runs of $pid in order: id, as-at date, rulebook, time, fails and warnings.",
    """
SELECT r.id, r.as_at, r.rulebook, r.ran_at, count(*) FILTER (x.status = 'fail'),
       count(*) FILTER (x.status = 'warn')
FROM rule_runs r JOIN rule_results x ON x.run_id = r.id
WHERE r.production_id = $pid GROUP BY ALL ORDER BY r.id
""",
)
define(
    "runs.compare",
    "Per rule of run $a: status, measured and threshold in run $a and in run $b.",
    """
SELECT a.rule_id, a.status, b.status, a.measured, b.measured, a.threshold, b.threshold
FROM rule_results a FULL JOIN rule_results b ON a.rule_id = b.rule_id AND b.run_id = $b
WHERE a.run_id = $a ORDER BY 1
""",
)
define(
    "imports.quarantine_of_kind",
    "The quarantine rows of $pid of kind $kind (invalid, or waiting to be coded), with reasons.",
    """
SELECT source_file, source_row, reasons FROM quarantine
WHERE production_id = $pid AND kind = $kind ORDER BY batch_id, source_file, source_row
""",
)
