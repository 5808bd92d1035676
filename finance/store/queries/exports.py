"""The lines of a justification file: the expenses that count for a scheme, those that do not,
and the paperwork missing, each in the order the workbook shows it.

The side templates take `side`, one of SIDES' conditions; the file statements take a path made
by `finance.store.sql.literal` (DuckDB binds no parameter in COPY's target nor in SET)."""

from __future__ import annotations

from finance.store.queries.catalogue import define

#: the columns of every part, in this order (the content hash covers them all)
COLUMNS = (
    "supplier, supplier_vat, supplier_vat_valid, country, postcode, territory, invoice_ref, "
    "doc_date, paid_on, budget_code, chapter_code, chapter_label, budget_label, amount, currency, "
    "fx_rate, amount_orig, eligible_amount, counts, reasons, document, payee_type, source_file, "
    "source_row, expense_id"
)

#: the agreement each expense counts for, after the others where the scheme's agreements stand
#: on their own (only then: the other schemes' files and content hashes are as before)
AGREEMENT_COLUMN = "agreement"
#: where a scheme counts payees abroad by their Belgian tax regime: the regime and the fee slip
REGIME_COLUMNS = "tax_regime, fee_slip"
#: where a scheme tests a supplier's recorded address: the address each line was tested on
ADDRESS_COLUMN = "address_used"

#: budget line by number (chapter, then line), then code, date and id; nulls first
LINE_ORDER = (
    "sort_chapter NULLS FIRST, sort_line NULLS FIRST, budget_code NULLS FIRST, "
    "doc_date NULLS FIRST, expense_id NULLS FIRST"
)

#: the condition of each side of the file on the export's lines
SIDES = {"eligible": "counts", "excluded": "NOT counts"}

#: paperwork to chase, in the order of the checks for one expense: (test, code); the files say
#: each code in words (the catalogue's `export.missing.<code>`)
MISSING_CHECKS = (
    ("payee_type = 'company' AND invoice_ref IS NULL", "invoice_ref"),
    ("payee_type = 'company' AND supplier_vat IS NULL", "supplier_vat"),
    ("document IS NULL", "document"),
    ("supplier_vat_valid = FALSE", "invalid_vat"),
)

define(
    "exports.lines",
    "The actual expenses of $pid examined for $scheme in {relation}, with provenance and sort keys.",
    """
SELECT e.supplier, e.supplier_vat, e.supplier_vat_valid, e.country, e.postcode, e.territory,
       e.invoice_ref, e.doc_date, e.paid_on, e.budget_code, e.chapter_code, e.chapter_label,
       e.budget_label, e.amount, e.currency, e.fx_rate, e.amount_orig, l.eligible_amount, l.counts,
       l.reasons, e.document, e.payee_type, e.source_file, e.source_row, e.id AS expense_id,
       CASE WHEN l.counts THEN l.agreement_seq END AS agreement,
       e.be_tax_regime AS tax_regime, e.fee_slip, l.address_used,
       TRY_CAST(str_split(e.budget_code, '.')[1] AS BIGINT) AS sort_chapter,
       TRY_CAST(str_split(e.budget_code, '.')[2] AS BIGINT) AS sort_line
FROM {relation} l JOIN v_expenses e ON e.id = l.expense_id
WHERE l.production_id = $pid AND l.scheme = $scheme AND l.status = 'actual'
""",
)
#: the reason codes of a line the allocation of the invoices decided (rules/allocation_store.py),
#: each followed by the other obligations concerned, `|`-joined: an eligible invoice counted in
#: another funder's file, and a split invoice whose part this file counts
ALLOCATED_TO = "allocated_to:"
ALLOCATED_PART = "allocated_part:"

define(
    "exports.lines_allocated",
    "The export lines {lines} as the allocation of the invoices decides them (export_allocation).",
    f"""
SELECT x.* REPLACE (
    x.counts AND NOT coalesce(a.a_counted IS NULL AND a.a_elsewhere <> '', FALSE) AS counts,
    CASE WHEN x.counts AND a.a_counted IS NOT NULL THEN a.a_counted
         WHEN x.counts AND a.a_elsewhere <> '' THEN 0
         ELSE x.eligible_amount END AS eligible_amount,
    CASE WHEN x.counts AND a.a_counted IS NULL AND a.a_elsewhere <> ''
              THEN ['{ALLOCATED_TO}' || a.a_elsewhere]
         WHEN a.a_counted IS NOT NULL AND a.a_split AND a.a_elsewhere <> ''
              THEN list_concat(coalesce(x.reasons, []), ['{ALLOCATED_PART}' || a.a_elsewhere])
         ELSE x.reasons END AS reasons,
    CASE WHEN a.a_counted IS NOT NULL THEN coalesce(a.a_agreement, x.agreement)
         WHEN coalesce(a.a_elsewhere, '') = '' THEN x.agreement END AS agreement
)
FROM ({{lines}}) x LEFT JOIN export_allocation a ON a.expense_id = x.expense_id
""",
)
define(
    "exports.in_line_order",
    "The export lines of one side ({columns}: COLUMNS, and the agreement), in line order.",
    f"SELECT {{columns}} FROM export_lines WHERE {{side}} ORDER BY {LINE_ORDER}",
)
define(
    "exports.chapters_contiguous",
    "Whether each chapter of one side comes in one block in line order (then it is the sheet's).",
    f"""
SELECT count(*) FILTER (WHERE chapter_code IS DISTINCT FROM previous)
       = count(DISTINCT chapter_code) + (count(*) FILTER (WHERE chapter_code IS NULL) > 0)::INT
FROM (SELECT chapter_code, lag(chapter_code, 1, chr(0)) OVER (ORDER BY {LINE_ORDER}) AS previous
      FROM export_lines WHERE {{side}})
""",
)
define(
    "exports.by_chapter",
    "The export lines of one side ({columns}) as the sheet shows them: chapters in first-line order.",
    f"""
SELECT {{columns}} FROM (
    SELECT *, min(pos) OVER (PARTITION BY chapter_code) AS chapter_pos
    FROM (SELECT *, row_number() OVER (ORDER BY {LINE_ORDER}) AS pos
          FROM export_lines WHERE {{side}})
) ORDER BY chapter_pos, pos
""",
)
_MISSING_PARTS = " UNION ALL ".join(
    f"SELECT *, {i} AS check_no, '{what}' AS missing FROM export_lines "
    f"WHERE coalesce({test}, FALSE)"
    for i, (test, what) in enumerate(MISSING_CHECKS)
)
define(
    "exports.missing",
    "The export lines with paperwork missing, one row per line and missing piece, in line order.",
    f"SELECT {COLUMNS}, missing FROM ({_MISSING_PARTS}) ORDER BY {LINE_ORDER}, check_no",
)
define(
    "exports.copy_to_parquet",
    "Write the rows of {query}, in its order, to the Parquet file {path}; returns how many.",
    "COPY ({query}) TO {path} (FORMAT parquet, ROW_GROUP_SIZE {row_group})",
)
define(
    "exports.open_lines",
    "Name the Parquet file {path} of the evaluated lines `export_lines` (a temporary view).",
    "CREATE OR REPLACE TEMP VIEW export_lines AS SELECT * FROM read_parquet({path})",
)
define("exports.close_lines", "Drop the view `export_lines`.", "DROP VIEW export_lines")
define(
    "exports.spill_to",
    "Let DuckDB spill its working data to the folder {path}.",
    "SET temp_directory = {path}",
)
define(
    "exports.memory_limit",
    "Cap DuckDB's working memory at {limit} (a literal, e.g. '128MB').",
    "SET memory_limit = {limit}",
)
define(
    "exports.reset_memory_limit",
    "Give DuckDB back its default memory limit.",
    "RESET memory_limit",
)
