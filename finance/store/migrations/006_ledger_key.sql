-- The ledger gets a real key, and the stored expense row keeps what was read and what identifies
-- it. What is derived lives elsewhere: the territory details in `territories`, the check of the
-- VAT number in `vat_checks`, where the exchange rate came from in `fx_sources` (each a small
-- lookup table the row points to by id), the batch's file, sheet and format in `import_batches`,
-- and the reason for the Belgian tax residence in the view. The fingerprint is stored as the
-- number its md5 hex spells (16 bytes, not 32 characters). `v_expenses` keeps exactly its
-- columns and their meaning. Existing rows are carried forward with their ids.

CREATE SEQUENCE territory_seq START 1;
CREATE SEQUENCE vat_check_seq START 1;
CREATE SEQUENCE fx_source_seq START 1;

CREATE TABLE territories (
    id                   INTEGER PRIMARY KEY DEFAULT nextval('territory_seq'),
    territory            VARCHAR NOT NULL,
    territory_country    VARCHAR NOT NULL,
    fr_department        VARCHAR,
    fr_region            VARCHAR,
    territory_reason     VARCHAR NOT NULL
);

CREATE TABLE vat_checks (
    id                   INTEGER PRIMARY KEY DEFAULT nextval('vat_check_seq'),
    supplier_vat_kind    VARCHAR,
    supplier_vat_valid   BOOLEAN,
    supplier_vat_reason  VARCHAR
);

CREATE TABLE fx_sources (
    id                   INTEGER PRIMARY KEY DEFAULT nextval('fx_source_seq'),
    fx_source            VARCHAR NOT NULL        -- same currency | rate on the expense line | rates table, <date>
);

INSERT INTO territories (territory, territory_country, fr_department, fr_region, territory_reason)
SELECT * FROM (
    SELECT DISTINCT territory, territory_country, fr_department, fr_region, territory_reason
    FROM expenses
) ORDER BY ALL;

INSERT INTO vat_checks (supplier_vat_kind, supplier_vat_valid, supplier_vat_reason)
SELECT * FROM (
    SELECT DISTINCT supplier_vat_kind, supplier_vat_valid, supplier_vat_reason FROM expenses
) ORDER BY ALL;

INSERT INTO fx_sources (fx_source)
SELECT * FROM (SELECT DISTINCT fx_source FROM expenses) ORDER BY ALL;

DROP VIEW v_expenses;
ALTER TABLE expenses RENAME TO expenses_005;

CREATE TABLE expenses (
    id                   BIGINT PRIMARY KEY DEFAULT nextval('expense_seq'),
    production_id        VARCHAR NOT NULL,
    batch_id             BIGINT NOT NULL,       -- import_batches: the file, its sheet and format
    source_row           INTEGER NOT NULL,      -- row number as the user sees it
    source_part          VARCHAR,               -- the document inside the batch's file (a folder
                                                -- or archive of e-invoices); NULL: the file itself
    doc_date             DATE NOT NULL,
    supplier             VARCHAR NOT NULL,
    supplier_key         VARCHAR NOT NULL,      -- VAT number if any, else the folded name
    country              VARCHAR NOT NULL,
    postcode             VARCHAR,
    budget_code          VARCHAR NOT NULL,      -- normalised like budget_lines.code
    amount_orig          DECIMAL(18,2) NOT NULL,-- in `currency`
    currency             VARCHAR NOT NULL,
    fx_rate              DECIMAL(18,8) NOT NULL,-- to the production currency
    amount               DECIMAL(18,2) NOT NULL,-- production currency, excluding VAT
    vat_amount           DECIMAL(18,2),
    supplier_vat         VARCHAR,               -- normalised when valid
    invoice_ref          VARCHAR,
    description          VARCHAR,
    paid_on              DATE,
    status               VARCHAR NOT NULL,      -- actual | committed
    payee_type           VARCHAR NOT NULL,      -- company | person
    av_company           BOOLEAN,
    be_taxable_stated    BOOLEAN,               -- as stated on the line; NULL: the default applies
    category_override    VARCHAR,
    ts_class_override    VARCHAR,
    nights               INTEGER,
    document             VARCHAR,
    fingerprint          UHUGEINT NOT NULL,     -- content hash + occurrence (the md5 as a number,
                                                -- its hex in v_expenses): idempotent re-import
    territory_id         INTEGER NOT NULL,      -- territories
    vat_check_id         INTEGER NOT NULL,      -- vat_checks
    fx_source_id         INTEGER NOT NULL       -- fx_sources
);

INSERT INTO expenses (
    id, production_id, batch_id, source_row, source_part, doc_date, supplier, supplier_key,
    country, postcode, budget_code, amount_orig, currency, fx_rate, amount, vat_amount,
    supplier_vat, invoice_ref, description, paid_on, status, payee_type, av_company,
    be_taxable_stated, category_override, ts_class_override, nights, document, fingerprint,
    territory_id, vat_check_id, fx_source_id
)
SELECT
    e.id, e.production_id, e.batch_id, e.source_row,
    CASE WHEN e.source_file IS DISTINCT FROM b.file_name THEN e.source_file END,
    e.doc_date, e.supplier, e.supplier_key, e.country, e.postcode, e.budget_code, e.amount_orig,
    e.currency, e.fx_rate, e.amount, e.vat_amount, e.supplier_vat, e.invoice_ref, e.description,
    e.paid_on, e.status, e.payee_type, e.av_company,
    CASE WHEN e.be_taxable_reason = 'stated on the expense line' THEN e.be_taxable END,
    e.category_override, e.ts_class_override, e.nights, e.document,
    ('0x' || e.fingerprint)::UHUGEINT, t.id, v.id, f.id
FROM expenses_005 e
LEFT JOIN import_batches b ON b.id = e.batch_id
JOIN territories t
  ON t.territory = e.territory AND t.territory_country = e.territory_country
 AND t.fr_department IS NOT DISTINCT FROM e.fr_department
 AND t.fr_region IS NOT DISTINCT FROM e.fr_region AND t.territory_reason = e.territory_reason
JOIN vat_checks v
  ON v.supplier_vat_kind IS NOT DISTINCT FROM e.supplier_vat_kind
 AND v.supplier_vat_valid IS NOT DISTINCT FROM e.supplier_vat_valid
 AND v.supplier_vat_reason IS NOT DISTINCT FROM e.supplier_vat_reason
JOIN fx_sources f ON f.fx_source = e.fx_source
ORDER BY e.id;

-- every row carried forward, or the migration fails (and rolls back) rather than lose one
SELECT CASE WHEN (SELECT count(*) FROM expenses) <> (SELECT count(*) FROM expenses_005)
            THEN error('migration 006: an expense found no lookup row; nothing changed') END;

DROP TABLE expenses_005;

-- the sequence was created by 001 but ids were max(id) + 1 until now: it starts past them
SELECT max(nextval('expense_seq')) FROM range((SELECT coalesce(max(id), 0) FROM expenses));

-- Expenses as the rules and reports see them: the stored row with its derived details, the budget
-- line's classification, the expense's own overrides from its file, and the user's later
-- corrections (newest wins), each with the reason it was chosen. Same columns as before 006.
CREATE VIEW v_expenses AS
WITH latest AS (
    SELECT expense_id, field, arg_max(value, made_at) AS value, arg_max(reason, made_at) AS reason
    FROM overrides GROUP BY expense_id, field
),
stored AS (
    SELECT
        e.id, e.production_id, e.batch_id, e.doc_date, e.supplier, e.supplier_key, e.country,
        e.postcode, e.budget_code, e.amount_orig, e.currency, e.fx_rate, f.fx_source, e.amount,
        e.vat_amount, e.supplier_vat, v.supplier_vat_kind, v.supplier_vat_valid,
        v.supplier_vat_reason, e.invoice_ref, e.description, e.paid_on, e.status, e.payee_type,
        e.av_company,
        coalesce(e.be_taxable_stated, e.country = 'BE') AS be_taxable,
        CASE WHEN e.be_taxable_stated IS NOT NULL THEN 'stated on the expense line'
             WHEN e.country = 'BE' THEN 'default: payee established in Belgium'
             ELSE 'default: payee established outside Belgium' END AS be_taxable_reason,
        e.category_override, e.ts_class_override, e.nights, e.document,
        t.territory, t.territory_country, t.fr_department, t.fr_region, t.territory_reason,
        lpad(lower(hex(e.fingerprint)), 32, '0') AS fingerprint,
        coalesce(e.source_part, b.file_name) AS source_file,
        b.sheet AS source_sheet, e.source_row, b.format AS source_format
    FROM expenses e
    LEFT JOIN territories t ON t.id = e.territory_id
    LEFT JOIN vat_checks v ON v.id = e.vat_check_id
    LEFT JOIN fx_sources f ON f.id = e.fx_source_id
    LEFT JOIN import_batches b ON b.id = e.batch_id
),
resolved AS (
    SELECT
        e.*,
        b.label AS budget_label,
        b.chapter_code,
        b.chapter_label,
        o_ter.value AS o_territory, o_ter.reason AS o_territory_reason,
        o_cat.value AS o_category, o_cat.reason AS o_category_reason,
        o_ts.value AS o_ts_class, o_ts.reason AS o_ts_class_reason,
        o_bet.value AS o_be_taxable, o_bet.reason AS o_be_taxable_reason,
        o_av.value AS o_av_company, o_av.reason AS o_av_company_reason,
        b.category AS line_category, b.category_reason AS line_category_reason,
        b.ts_class AS line_ts_class, b.ts_class_reason AS line_ts_class_reason
    FROM stored e
    LEFT JOIN current_budget b ON b.production_id = e.production_id AND b.code = e.budget_code
    LEFT JOIN latest o_ter ON o_ter.expense_id = e.id AND o_ter.field = 'territory'
    LEFT JOIN latest o_cat ON o_cat.expense_id = e.id AND o_cat.field = 'category'
    LEFT JOIN latest o_ts  ON o_ts.expense_id  = e.id AND o_ts.field  = 'ts_class'
    LEFT JOIN latest o_bet ON o_bet.expense_id = e.id AND o_bet.field = 'be_taxable'
    LEFT JOIN latest o_av  ON o_av.expense_id  = e.id AND o_av.field  = 'av_company'
)
SELECT
    r.* EXCLUDE (territory, territory_reason, be_taxable, be_taxable_reason, av_company,
                 o_territory, o_territory_reason, o_category, o_category_reason,
                 o_ts_class, o_ts_class_reason, o_be_taxable, o_be_taxable_reason,
                 o_av_company, o_av_company_reason, line_category, line_category_reason,
                 line_ts_class, line_ts_class_reason),
    coalesce(r.o_territory, r.territory) AS territory,
    CASE WHEN r.o_territory IS NOT NULL THEN 'corrected by user: ' || r.o_territory_reason
         ELSE r.territory_reason END AS territory_reason,
    coalesce(r.o_category, r.category_override, r.line_category, 'other') AS category,
    CASE WHEN r.o_category IS NOT NULL THEN 'corrected by user: ' || r.o_category_reason
         WHEN r.category_override IS NOT NULL THEN 'set on the expense line'
         WHEN r.line_category IS NOT NULL THEN r.line_category_reason
         ELSE 'budget line ' || r.budget_code || ' is not in the current devis' END AS category_reason,
    coalesce(r.o_ts_class, r.ts_class_override,
             CASE WHEN coalesce(r.o_category, r.category_override) IS NOT NULL THEN c.ts_class END,
             r.line_ts_class, 'indirect') AS ts_class,
    CASE WHEN r.o_ts_class IS NOT NULL THEN 'corrected by user: ' || r.o_ts_class_reason
         WHEN r.ts_class_override IS NOT NULL THEN 'set on the expense line'
         WHEN coalesce(r.o_category, r.category_override) IS NOT NULL
              THEN 'default for category ' || coalesce(r.o_category, r.category_override)
         WHEN r.line_ts_class IS NOT NULL THEN r.line_ts_class_reason
         ELSE 'no budget line: indirect (conservative)' END AS ts_class_reason,
    coalesce(TRY_CAST(r.o_be_taxable AS BOOLEAN), r.be_taxable) AS be_taxable,
    CASE WHEN r.o_be_taxable IS NOT NULL THEN 'corrected by user: ' || r.o_be_taxable_reason
         ELSE r.be_taxable_reason END AS be_taxable_reason,
    coalesce(TRY_CAST(r.o_av_company AS BOOLEAN), r.av_company) AS av_company
FROM resolved r
LEFT JOIN categories c ON c.category = coalesce(r.o_category, r.category_override);
