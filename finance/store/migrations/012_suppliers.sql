-- Supplier facts the funds ask for (issue 22, point 3): a payee's registered office and its seat
-- of operations can differ (a Brussels head office with a Ghent studio). Per production and
-- supplier (`supplier_key` as for supplier_mappings: the VAT number when the file gives one, else
-- the folded name; `name_key` is the folded name, so an expense recorded without a VAT number
-- still finds its supplier), each address with its country, postcode, the territory the
-- classifier derives from them and the source it was read from ("KBO/BCE extract 2026-10-02",
-- "invoice"). Either address may be missing. Provenance like every import: the batch, the file
-- and the row. A newer file replaces a supplier's record.
CREATE TABLE suppliers (
    production_id       VARCHAR NOT NULL,
    supplier_key        VARCHAR NOT NULL,
    name_key            VARCHAR,
    supplier            VARCHAR NOT NULL,          -- the name as written in the file
    supplier_vat        VARCHAR,                   -- the VAT number, normalised
    office_country      VARCHAR,
    office_postcode     VARCHAR,
    office_territory    VARCHAR,
    office_source       VARCHAR,
    seat_country        VARCHAR,
    seat_postcode       VARCHAR,
    seat_territory      VARCHAR,
    seat_source         VARCHAR,
    batch_id            BIGINT NOT NULL,
    source_file         VARCHAR NOT NULL,
    source_row          INTEGER NOT NULL,
    PRIMARY KEY (production_id, supplier_key)
);

-- Each expense's supplier key (v_expenses.supplier_key) -> the recorded territories of its
-- supplier: matched on the supplier key first, else on the folded name; one row per key (where
-- two records share a folded name, the one with the smallest key).
CREATE VIEW v_supplier_sites AS
SELECT production_id, match_key, office_territory, seat_territory
FROM (
    SELECT production_id, supplier_key AS match_key, office_territory, seat_territory,
           '0' || supplier_key AS rank
    FROM suppliers
    UNION ALL
    SELECT production_id, name_key, office_territory, seat_territory, '1' || supplier_key
    FROM suppliers WHERE name_key IS NOT NULL AND name_key <> supplier_key
)
QUALIFY row_number() OVER (PARTITION BY production_id, match_key ORDER BY rank) = 1;
