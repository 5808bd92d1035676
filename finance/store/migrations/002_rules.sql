-- The rules engine's tables: the expense x scheme eligibility of the latest run of each
-- production, and every rule run with its results, rulebook version and parameter snapshot.

CREATE TABLE eligibility (
    production_id    VARCHAR NOT NULL,
    scheme           VARCHAR NOT NULL,
    expense_id       BIGINT NOT NULL,
    agreement_seq    INTEGER,               -- the financing line whose window it falls in
    status           VARCHAR NOT NULL,      -- actual | committed
    doc_date         DATE NOT NULL,
    amount           DECIMAL(18,2) NOT NULL,
    ts_class         VARCHAR NOT NULL,
    category         VARCHAR NOT NULL,
    in_window        BOOLEAN NOT NULL,
    territory_ok     BOOLEAN NOT NULL,
    payee_ok         BOOLEAN NOT NULL,
    category_ok      BOOLEAN NOT NULL,
    class_ok         BOOLEAN NOT NULL,
    be_taxable_ok    BOOLEAN NOT NULL,
    eea_ok           BOOLEAN NOT NULL,
    counts           BOOLEAN NOT NULL,      -- every test of the scheme passes
    eligible_amount  DECIMAL(18,2) NOT NULL,-- what it counts for, after caps (0 when it does not)
    reasons          VARCHAR[] NOT NULL     -- reason codes: failed tests and caps applied
);

CREATE SEQUENCE rule_run_seq START 1;

CREATE TABLE rule_runs (
    id               BIGINT PRIMARY KEY,
    production_id    VARCHAR NOT NULL,
    as_at            DATE NOT NULL,
    rulebook         VARCHAR NOT NULL,
    ran_at           TIMESTAMP NOT NULL,
    manifest_sha256  VARCHAR NOT NULL,
    expenses         BIGINT NOT NULL,
    parameters_json  VARCHAR NOT NULL       -- every parameter value used, with its source
);

CREATE TABLE rule_results (
    run_id           BIGINT NOT NULL,
    rule_id          VARCHAR NOT NULL,
    scheme           VARCHAR NOT NULL,
    status           VARCHAR NOT NULL,
    measured         DECIMAL(18,2),
    threshold        DECIMAL(18,2),
    shortfall        DECIMAL(18,2),
    projected        DECIMAL(18,2),
    spend_where      VARCHAR,
    explanation      VARCHAR NOT NULL,
    evidence_count   BIGINT NOT NULL,
    result_json      VARCHAR NOT NULL,      -- the result exactly as `check --format json` printed it
    PRIMARY KEY (run_id, rule_id)
);
