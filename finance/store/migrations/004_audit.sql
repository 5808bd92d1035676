-- The audit trail: who did what, when and why, for every import, edit, override, rule run,
-- export, backup and restore. Rows are only ever appended, in the same transaction as the change
-- they describe, so the trail never claims a change that was rolled back.
CREATE SEQUENCE audit_seq START 1;

CREATE TABLE audit_log (
    id               BIGINT PRIMARY KEY,
    occurred_at      TIMESTAMP NOT NULL,
    actor            VARCHAR NOT NULL,          -- dashboard login, or CINELEDGER_USER, or OS user
    action           VARCHAR NOT NULL,          -- production.add | import.expenses | override | ...
    production_id    VARCHAR,
    target           VARCHAR,                   -- file name, expense id, rule run id...
    details          VARCHAR,                   -- JSON: counts, old and new values
    reason           VARCHAR                    -- required for overrides
);
