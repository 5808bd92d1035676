-- Eligibility is computed on demand from the ledger (rules/relation.py), no longer stored: writing
-- a million expense x scheme rows on every check was most of its time. A run now records the
-- state of the ledger it saw, so the evidence can say when the ledger has changed since.
DROP TABLE eligibility;
ALTER TABLE rule_runs ADD COLUMN ledger_state VARCHAR;
