"""Receipts: money in, against the tranches of a production's financing plan."""

from __future__ import annotations

from finance.store.queries.catalogue import define

define(
    "receipts.of",
    "The receipts of the productions in $pids received on or before $at, with provenance.",
    """
SELECT r.production_id, r.tranche_id, r.received_on, r.amount, r.payer, r.reference,
       r.source_file, r.source_row, r.source_format, r.batch_id, r.id,
       b.imported_at, b.imported_by
FROM receipts r LEFT JOIN import_batches b ON b.id = r.batch_id
WHERE list_contains($pids, r.production_id) AND r.received_on <= $at
ORDER BY r.production_id, r.received_on, r.id
""",
)
define(
    "receipts.received_by_tranche",
    "Per tranche of $pid: the total received so far (every date).",
    """
SELECT tranche_id, sum(amount)::DECIMAL(18,2) AS received
FROM receipts WHERE production_id = $pid GROUP BY 1
""",
)
define(
    "receipts.fingerprints",
    "The fingerprints of $pid's receipts among $prints.",
    "SELECT fingerprint FROM receipts WHERE production_id = $pid AND list_contains($prints, fingerprint)",
)
define(
    "receipts.insert",
    "Receipts from the registered frame `new_receipts` (ids from receipt_seq).",
    """
INSERT INTO receipts (id, production_id, batch_id, tranche_id, received_on, amount, payer,
                      reference, fingerprint, source_file, source_row, source_format)
SELECT nextval('receipt_seq'), $pid, $batch_id, tranche_id, received_on, amount, payer,
       reference, fingerprint, $file, source_row, $format
FROM new_receipts ORDER BY source_row
""",
)
define(
    "receipts.received_elsewhere",
    "Per tranche of $pid: the total received, leaving out the receipts of the file of hash $sha "
    "(a bank export read again matches its credits as the first time).",
    """
SELECT r.tranche_id, sum(r.amount)::DECIMAL(18,2) AS received
FROM receipts r JOIN import_batches b ON b.id = r.batch_id
WHERE r.production_id = $pid AND b.file_sha256 <> $sha GROUP BY 1
""",
)
