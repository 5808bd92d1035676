-- How a payee abroad is taxed in Belgium (issue 16, point 5): the Tax Shelter counts a payment
-- abroad only when it is professional income taxed in Belgium under the ordinary regime
-- (CIR 92 art. 194ter, definition 7°); foreign artists under the flat withholding tax do not
-- count. The regime is stated on the expense line (`be_tax_regime`) or corrected by a user
-- (`override ... be_tax_regime=...`, with a reason), and `v_expenses` gives it with its reason.
-- The fee slip (fiche 281.50) of a fee paid is its evidence where the justification file lists
-- it: stated on the expense line (`fee_slip`).
ALTER TABLE expenses ADD COLUMN be_tax_regime_stated VARCHAR;  -- ordinary | flat_withholding
ALTER TABLE expenses ADD COLUMN fee_slip VARCHAR;              -- the 281.50 slip's reference

DROP VIEW v_expenses;

-- Expenses as the rules and reports see them (as in 006, with the Belgian tax regime and its
-- reason, and the fee slip): the stored row with its derived details, the budget line's classification, the
-- expense's own overrides from its file, and the user's later corrections (newest wins).
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
        e.be_tax_regime_stated, e.fee_slip,
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
        o_reg.value AS o_be_tax_regime, o_reg.reason AS o_be_tax_regime_reason,
        b.category AS line_category, b.category_reason AS line_category_reason,
        b.ts_class AS line_ts_class, b.ts_class_reason AS line_ts_class_reason
    FROM stored e
    LEFT JOIN current_budget b ON b.production_id = e.production_id AND b.code = e.budget_code
    LEFT JOIN latest o_ter ON o_ter.expense_id = e.id AND o_ter.field = 'territory'
    LEFT JOIN latest o_cat ON o_cat.expense_id = e.id AND o_cat.field = 'category'
    LEFT JOIN latest o_ts  ON o_ts.expense_id  = e.id AND o_ts.field  = 'ts_class'
    LEFT JOIN latest o_bet ON o_bet.expense_id = e.id AND o_bet.field = 'be_taxable'
    LEFT JOIN latest o_av  ON o_av.expense_id  = e.id AND o_av.field  = 'av_company'
    LEFT JOIN latest o_reg ON o_reg.expense_id = e.id AND o_reg.field = 'be_tax_regime'
)
SELECT
    r.* EXCLUDE (territory, territory_reason, be_taxable, be_taxable_reason, av_company,
                 o_territory, o_territory_reason, o_category, o_category_reason,
                 o_ts_class, o_ts_class_reason, o_be_taxable, o_be_taxable_reason,
                 o_av_company, o_av_company_reason, line_category, line_category_reason,
                 line_ts_class, line_ts_class_reason, be_tax_regime_stated, o_be_tax_regime,
                 o_be_tax_regime_reason),
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
    coalesce(TRY_CAST(r.o_av_company AS BOOLEAN), r.av_company) AS av_company,
    coalesce(r.o_be_tax_regime, r.be_tax_regime_stated) AS be_tax_regime,
    CASE WHEN r.o_be_tax_regime IS NOT NULL THEN 'corrected by user: ' || r.o_be_tax_regime_reason
         WHEN r.be_tax_regime_stated IS NOT NULL THEN 'stated on the expense line'
         WHEN r.country = 'BE' THEN 'payee established in Belgium: ordinary regime'
         ELSE 'not recorded' END AS be_tax_regime_reason
FROM resolved r
LEFT JOIN categories c ON c.category = coalesce(r.o_category, r.category_override);
