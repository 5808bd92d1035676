-- Money in (issue 19): each receipt recorded against a tranche of the financing plan, with its
-- provenance like an expense (the import batch, the file and the row; `form` for the
-- dashboard's form). The tranche is named by its id in the manifest's plan
-- (finance/domain/financing_plan.py); `fingerprint` makes a second import of the same receipt
-- add nothing.
CREATE SEQUENCE receipt_seq START 1;

CREATE TABLE receipts (
    id               BIGINT PRIMARY KEY,
    production_id    VARCHAR NOT NULL,
    batch_id         BIGINT NOT NULL,
    tranche_id       VARCHAR NOT NULL,
    received_on      DATE NOT NULL,
    amount           DECIMAL(18,2) NOT NULL,
    payer            VARCHAR,
    reference        VARCHAR,
    fingerprint      VARCHAR NOT NULL,
    source_file      VARCHAR NOT NULL,
    source_row       INTEGER NOT NULL,
    source_format    VARCHAR NOT NULL,
    UNIQUE (production_id, fingerprint)
);
