"""Import batches, devis versions, exchange rates, supplier mappings and supplier records."""

from __future__ import annotations

from finance.store.queries.catalogue import define

define(
    "imports.next_batch_id",
    "The next import batch id.",
    "SELECT nextval('import_batch_seq')",
)
define(
    "imports.insert_batch",
    "Record an import batch (its file, counts, time and who imported it).",
    """
INSERT INTO import_batches (id, production_id, kind, file_name, file_sha256, format, sheet,
                            version_label, rows_read, rows_imported, rows_duplicate,
                            rows_rejected, imported_at, imported_by)
VALUES ($id, $production_id, $kind, $file_name, $file_sha256, $format, $sheet, $version_label,
        $rows_read, $rows_imported, $rows_duplicate, $rows_rejected, $imported_at, $imported_by)
""",
)
define(
    "imports.batches_of",
    "The import batches of production $pid and the shared ones ('*'), in order.",
    """
SELECT id, kind, file_name, file_sha256, rows_imported, imported_at, imported_by
FROM import_batches WHERE production_id IN ($pid, '*') ORDER BY id
""",
)
define(
    "budget.same_file",
    "The version label of the latest devis of $pid loaded from the file of hash $sha.",
    """
SELECT version_label FROM import_batches
WHERE production_id = $pid AND kind = 'budget' AND file_sha256 = $sha
ORDER BY id DESC LIMIT 1
""",
)
define(
    "budget.version_count",
    "How many devis versions production $pid has.",
    "SELECT count(*) FROM budget_versions WHERE production_id = $pid",
)
define(
    "budget.version_exists",
    "One row if production $pid has a devis version $version.",
    "SELECT 1 FROM budget_versions WHERE production_id = $pid AND version = $version",
)
define(
    "budget.delete_lines",
    "Remove the lines of devis version $version of $pid.",
    "DELETE FROM budget_lines WHERE production_id = $pid AND version = $version",
)
define(
    "budget.delete_version",
    "Remove devis version $version of $pid.",
    "DELETE FROM budget_versions WHERE production_id = $pid AND version = $version",
)
define(
    "budget.insert_version",
    "Record devis version $version of $pid, loaded by batch $batch_id at $loaded_at.",
    """
INSERT INTO budget_versions (production_id, version, batch_id, loaded_at)
VALUES ($pid, $version, $batch_id, $loaded_at)
""",
)
define(
    "budget.insert_lines",
    "Store the lines of the registered frame `lines` as devis version $version of $pid.",
    """
INSERT INTO budget_lines (production_id, version, code, code_raw, chapter_code, chapter_label,
                          label, amount, category, category_reason, ts_class, ts_class_reason,
                          territory, batch_id, source_file, source_sheet, source_row)
SELECT $pid, $version, code, raw_code, chapter_code, chapter_label, label, amount, category,
       category_reason, ts_class, ts_class_reason, territory, $batch_id, $file, $sheet, _row
FROM lines
""",
)
define(
    "rates.same_file",
    "One row if an exchange-rate file of hash $sha was loaded.",
    "SELECT 1 FROM import_batches WHERE kind = 'fx_rates' AND file_sha256 = $sha",
)
define(
    "rates.delete_replaced",
    "Remove the stored rates the registered frame `new_rates` replaces.",
    """
DELETE FROM fx_rates USING new_rates n
WHERE fx_rates.currency = n.currency AND fx_rates.rate_date = n.rate_date
""",
)
define(
    "rates.insert",
    "Store the rates of the registered frame `new_rates`, loaded by batch $batch_id.",
    """
INSERT INTO fx_rates (currency, rate_date, per_eur, batch_id)
SELECT currency, rate_date, per_eur, $batch_id FROM new_rates
""",
)
define(
    "mappings.delete_replaced",
    "Remove the mappings of $pid for the suppliers of the registered frame `new_mappings`.",
    """
DELETE FROM supplier_mappings
WHERE production_id = $pid AND supplier_key IN (SELECT supplier_key FROM new_mappings)
""",
)
define(
    "mappings.suppliers_seen",
    "Every (supplier, VAT number, reference) of $pid: its expenses and the rows of its quarantine "
    "(documents waiting to be coded, as read).",
    """
SELECT DISTINCT supplier, supplier_vat, NULL AS reference FROM expenses WHERE production_id = $pid
UNION
SELECT DISTINCT json_extract_string(raw_json, '$.supplier'),
       json_extract_string(raw_json, '$.supplier_vat'),
       json_extract_string(raw_json, '$.budget_code')
FROM quarantine WHERE production_id = $pid
""",
)
define(
    "mappings.insert",
    "Store the mappings of the registered frame `new_mappings` for $pid, read from $file.",
    """
INSERT INTO supplier_mappings (production_id, supplier_key, budget_code, source_file)
SELECT $pid, supplier_key, budget_code, $file FROM new_mappings
""",
)
define(
    "imports.budget_lines",
    "The lines of production $pid's current devis (code, label), in order.",
    "SELECT code, label FROM current_budget WHERE production_id = $pid ORDER BY code",
)
define(
    "imports.quarantine",
    "The rows of production $pid kept in quarantine, with their reasons.",
    """
SELECT kind, source_file, source_row, reasons FROM quarantine
WHERE production_id = $pid ORDER BY kind DESC, batch_id, source_row
""",
)
define(
    "suppliers.keys_seen",
    "Every (supplier, supplier_key) of $pid's expenses.",
    "SELECT DISTINCT supplier, supplier_key FROM expenses WHERE production_id = $pid",
)
define(
    "suppliers.of",
    "The supplier records (registered office, seat of operations) of $pid, with provenance.",
    """
SELECT s.*, b.imported_at, b.imported_by
FROM suppliers s LEFT JOIN import_batches b ON b.id = s.batch_id
WHERE s.production_id = $pid ORDER BY s.supplier, s.supplier_key
""",
)
define(
    "suppliers.delete_replaced",
    "Remove the supplier records of $pid that the registered frame `new_suppliers` replaces.",
    """
DELETE FROM suppliers
WHERE production_id = $pid AND supplier_key IN (SELECT supplier_key FROM new_suppliers)
""",
)
define(
    "suppliers.insert",
    "Store the supplier records of the registered frame `new_suppliers` for $pid (batch "
    "$batch_id, file $file).",
    """
INSERT INTO suppliers (production_id, supplier_key, name_key, supplier, supplier_vat,
                       office_country, office_postcode, office_territory, office_source,
                       seat_country, seat_postcode, seat_territory, seat_source,
                       batch_id, source_file, source_row)
SELECT $pid, supplier_key, name_key, supplier, supplier_vat,
       office_country, office_postcode, office_territory, office_source,
       seat_country, seat_postcode, seat_territory, seat_source,
       $batch_id, $file, _row
FROM new_suppliers
""",
)
