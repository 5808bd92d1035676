-- A document waiting for a budget line (an e-invoice or a ledger row whose accounting reference
-- is no line of the devis) coded by a user, with the reason (issue 17, point 2). The coding is
-- kept by the document's identity as read (supplier, reference, date, amount in its currency),
-- so that importing the same file again books the document on the same line: the ledger then
-- recognises it and adds nothing, and it does not come back to the to-code list.
CREATE TABLE document_codes (
    production_id    VARCHAR NOT NULL,
    supplier_key     VARCHAR NOT NULL,
    invoice_ref      VARCHAR NOT NULL,          -- '' when the document has none
    doc_date         DATE NOT NULL,
    amount_orig      DECIMAL(18,2) NOT NULL,    -- in the document's currency
    budget_code      VARCHAR NOT NULL,
    reason           VARCHAR NOT NULL,
    coded_by         VARCHAR NOT NULL,
    coded_at         TIMESTAMP NOT NULL,
    PRIMARY KEY (production_id, supplier_key, invoice_ref, doc_date, amount_orig)
);
