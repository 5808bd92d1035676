-- The allocation of spent invoices to obligations (issue 20), stored with the rule run it was
-- computed with, so that the justification files and the check agree. `inputs_sha256` is the
-- hash of what it rests on (the ledger state with the manifest's hash, the date, the rulebook):
-- `cineledger allocate` reads the stored allocation while it matches, else computes it.
-- `summary_json`: each obligation's figures and the solver's (rules/allocation_store.py).
CREATE TABLE allocations (
    run_id           BIGINT PRIMARY KEY,
    production_id    VARCHAR NOT NULL,
    as_at            DATE NOT NULL,
    inputs_sha256    VARCHAR NOT NULL,
    summary_json     VARCHAR NOT NULL
);

-- What each expense counts for each obligation (`claim`: a scheme, or `scheme/k` for an
-- agreement) in the allocation and in the naive one; only the cells where either is not zero.
CREATE TABLE allocation_lines (
    run_id           BIGINT NOT NULL,
    expense_id       BIGINT NOT NULL,
    claim            VARCHAR NOT NULL,
    scheme           VARCHAR NOT NULL,
    agreement        INTEGER,
    counted          DECIMAL(18,2) NOT NULL,
    naive            DECIMAL(18,2) NOT NULL,
    split            BOOLEAN NOT NULL
);
