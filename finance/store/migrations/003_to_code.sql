-- E-invoices and ledger exports can arrive without a budget line: they wait in the quarantine as
-- `to_code` (not as invalid rows) until a supplier mapping or a user assigns them a line.
ALTER TABLE quarantine ADD COLUMN kind VARCHAR DEFAULT 'invalid';

CREATE TABLE supplier_mappings (
    production_id    VARCHAR NOT NULL,
    supplier_key     VARCHAR NOT NULL,          -- VAT number, or the folded supplier name
    budget_code      VARCHAR NOT NULL,
    source_file      VARCHAR,
    PRIMARY KEY (production_id, supplier_key)
);
