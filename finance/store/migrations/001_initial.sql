-- The ledger: productions and their financing plan, devis versions and lines, expenses with
-- provenance, import batches, quarantine, exchange rates. Money is DECIMAL(18,2) throughout.

CREATE TABLE productions (
    id               VARCHAR PRIMARY KEY,
    title            VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,
    currency         VARCHAR NOT NULL,
    budget_total     DECIMAL(18,2),
    layout           VARCHAR NOT NULL,
    prep_start       DATE,
    shoot_start      DATE,
    shoot_end        DATE,
    post_end         DATE,
    manifest_json    VARCHAR NOT NULL,
    manifest_sha256  VARCHAR NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

CREATE TABLE financing (
    production_id    VARCHAR NOT NULL,
    seq              INTEGER NOT NULL,
    scheme           VARCHAR NOT NULL,
    label            VARCHAR,
    amount           DECIMAL(18,2) NOT NULL,
    fiscal_value     DECIMAL(18,2),
    signed_on        DATE,
    committed_spend  DECIMAL(18,2),
    window_start     DATE,
    window_end       DATE,
    PRIMARY KEY (production_id, seq)
);

CREATE SEQUENCE import_batch_seq START 1;

CREATE TABLE import_batches (
    id               BIGINT PRIMARY KEY,
    production_id    VARCHAR NOT NULL,
    kind             VARCHAR NOT NULL,          -- budget | expenses | fx_rates
    file_name        VARCHAR NOT NULL,
    file_sha256      VARCHAR NOT NULL,
    format           VARCHAR NOT NULL,          -- canonical_csv | canonical_xlsx | ecb_csv | ...
    sheet            VARCHAR,
    version_label    VARCHAR,
    rows_read        INTEGER NOT NULL,
    rows_imported    INTEGER NOT NULL,
    rows_duplicate   INTEGER NOT NULL,
    rows_rejected    INTEGER NOT NULL,
    imported_at      TIMESTAMP NOT NULL,
    imported_by      VARCHAR
);

CREATE TABLE budget_versions (
    production_id    VARCHAR NOT NULL,
    version          VARCHAR NOT NULL,
    batch_id         BIGINT NOT NULL,
    loaded_at        TIMESTAMP NOT NULL,
    PRIMARY KEY (production_id, version)
);

CREATE TABLE budget_lines (
    production_id    VARCHAR NOT NULL,
    version          VARCHAR NOT NULL,
    code             VARCHAR NOT NULL,          -- normalised: chapter without leading zeros
    code_raw         VARCHAR NOT NULL,          -- as written in the devis
    chapter_code     VARCHAR NOT NULL,
    chapter_label    VARCHAR,
    label            VARCHAR NOT NULL,
    amount           DECIMAL(18,2) NOT NULL,
    category         VARCHAR NOT NULL,
    category_reason  VARCHAR NOT NULL,
    ts_class         VARCHAR NOT NULL,
    ts_class_reason  VARCHAR NOT NULL,
    territory        VARCHAR,                   -- planned territory of the remaining spend
    batch_id         BIGINT NOT NULL,
    source_file      VARCHAR NOT NULL,
    source_sheet     VARCHAR,
    source_row       INTEGER NOT NULL,
    PRIMARY KEY (production_id, version, code)
);

CREATE SEQUENCE expense_seq START 1;

CREATE TABLE expenses (
    id                   BIGINT NOT NULL,
    production_id        VARCHAR NOT NULL,
    batch_id             BIGINT NOT NULL,
    doc_date             DATE NOT NULL,
    supplier             VARCHAR NOT NULL,
    supplier_key         VARCHAR NOT NULL,      -- VAT number if any, else the folded name
    country              VARCHAR NOT NULL,
    postcode             VARCHAR,
    budget_code          VARCHAR NOT NULL,      -- normalised like budget_lines.code
    amount_orig          DECIMAL(18,2) NOT NULL,-- in `currency`
    currency             VARCHAR NOT NULL,
    fx_rate              DECIMAL(18,8) NOT NULL,-- to the production currency
    fx_source            VARCHAR NOT NULL,      -- same currency | file column | rates table <date>
    amount               DECIMAL(18,2) NOT NULL,-- production currency, excluding VAT
    vat_amount           DECIMAL(18,2),
    supplier_vat         VARCHAR,
    supplier_vat_kind    VARCHAR,
    supplier_vat_valid   BOOLEAN,
    supplier_vat_reason  VARCHAR,
    invoice_ref          VARCHAR,
    description          VARCHAR,
    paid_on              DATE,
    status               VARCHAR NOT NULL,      -- actual | committed
    payee_type           VARCHAR NOT NULL,      -- company | person
    av_company           BOOLEAN,
    be_taxable           BOOLEAN NOT NULL,
    be_taxable_reason    VARCHAR NOT NULL,
    category_override    VARCHAR,
    ts_class_override    VARCHAR,
    nights               INTEGER,
    document             VARCHAR,
    territory            VARCHAR NOT NULL,
    territory_country    VARCHAR NOT NULL,
    fr_department        VARCHAR,
    fr_region            VARCHAR,
    territory_reason     VARCHAR NOT NULL,
    fingerprint          VARCHAR NOT NULL,      -- content hash + occurrence: idempotent re-import
    source_file          VARCHAR NOT NULL,
    source_sheet         VARCHAR,
    source_row           INTEGER NOT NULL,
    source_format        VARCHAR NOT NULL
);

CREATE TABLE quarantine (
    production_id    VARCHAR NOT NULL,
    batch_id         BIGINT NOT NULL,
    source_file      VARCHAR NOT NULL,
    source_sheet     VARCHAR,
    source_row       INTEGER NOT NULL,
    reasons          VARCHAR NOT NULL,          -- every problem of the row, '; '-separated
    raw_json         VARCHAR NOT NULL           -- the row as read, for correction and re-import
);

CREATE TABLE fx_rates (
    currency         VARCHAR NOT NULL,
    rate_date        DATE NOT NULL,
    per_eur          DECIMAL(18,8) NOT NULL,    -- units of `currency` for 1 EUR (ECB convention)
    batch_id         BIGINT NOT NULL,
    PRIMARY KEY (currency, rate_date)
);

-- A user's correction of a classification; the newest per expense and field wins.
CREATE TABLE overrides (
    expense_id       BIGINT NOT NULL,
    field            VARCHAR NOT NULL,          -- territory | category | ts_class | be_taxable | av_company
    value            VARCHAR NOT NULL,
    reason           VARCHAR NOT NULL,
    made_by          VARCHAR,
    made_at          TIMESTAMP NOT NULL
);

CREATE TABLE categories (
    category         VARCHAR PRIMARY KEY,
    ts_class         VARCHAR NOT NULL
);

CREATE VIEW current_budget AS
SELECT bl.*
FROM budget_lines bl
JOIN (
    SELECT production_id, arg_max(version, loaded_at) AS version
    FROM budget_versions GROUP BY production_id
) cur USING (production_id, version);

-- Expenses as the rules and reports see them: the budget line's classification, the expense's
-- own overrides from its file, and the user's later corrections (newest wins), each with the
-- reason it was chosen.
CREATE VIEW v_expenses AS
WITH latest AS (
    SELECT expense_id, field, arg_max(value, made_at) AS value, arg_max(reason, made_at) AS reason
    FROM overrides GROUP BY expense_id, field
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
    FROM expenses e
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
