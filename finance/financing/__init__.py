"""The financing side: the plan against the devis, tranches and receipts, the cash-flow plan,
and what-ifs over them (issue 19). It reads the manifest's plan (finance/domain), the ledger's
figures and receipts (finance/store) and the funders' rule results (finance/checks)."""
