"""What every expense importer returns, whatever the source format."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import polars as pl

#: Canonical expense columns after extraction, with their polars types.
EXPENSE_SCHEMA: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "supplier": pl.String(),
    "country": pl.String(),
    "postcode": pl.String(),
    "budget_code": pl.String(),
    "amount": pl.Decimal(18, 2),
    "currency": pl.String(),
    "fx_rate": pl.Decimal(18, 8),
    "vat_amount": pl.Decimal(18, 2),
    "supplier_vat": pl.String(),
    "invoice_ref": pl.String(),
    "description": pl.String(),
    "paid_on": pl.Date(),
    "status": pl.String(),
    "payee_type": pl.String(),
    "av_company": pl.Boolean(),
    "be_taxable": pl.Boolean(),
    "be_tax_regime": pl.String(),  # a payee abroad: ordinary | flat_withholding
    "category": pl.String(),
    "ts_class": pl.String(),
    "nights": pl.Int32(),
    "document": pl.String(),
    "fee_slip": pl.String(),  # the Belgian fee slip (fiche 281.50) of a fee paid, its reference
}

#: Provenance columns every extracted row carries.
PROVENANCE_SCHEMA: dict[str, pl.DataType] = {
    "_row": pl.Int64(),
    "_file": pl.String(),
    "_sheet": pl.String(),
    "_sha256": pl.String(),
    "_format": pl.String(),
}


@dataclass(frozen=True)
class SignCheck:
    """The debits (positive amounts: expenses) and credits (negative: refunds, credit notes) of
    a profile's result. More credits than debits, by count or by total, is most likely a sign
    error in the profile (an export whose payments are negative, read without `amount_sign:
    flip`): the import stops and says so unless the user confirms."""

    profile: str
    debits: int
    credits: int
    debit_total: Decimal
    credit_total: Decimal

    @property
    def suspicious(self) -> bool:
        return self.credits > self.debits or self.credit_total > self.debit_total


@dataclass(frozen=True)
class Extracted:
    """Typed rows plus the problems found while reading them.

    `rows` has EXPENSE_SCHEMA + PROVENANCE_SCHEMA + `raw_<column>` text cells (the row as read, kept for
    quarantine). `problems` has finance.domain.validate.PROBLEM_SCHEMA plus `_file`.
    """

    rows: pl.DataFrame
    problems: pl.DataFrame
    file: str
    sha256: str
    format: str
    sheet: str | None = None
    notes: tuple[str, ...] = ()
    attachments: dict[str, bytes] = field(
        default_factory=dict
    )  # supporting documents, by file name
    sign_check: SignCheck | None = None  # a profile's debits and credits (see SignCheck)
    #: the file's own header of each canonical column it gives (`amount` -> `Montant HT`), for
    #: reports that name the columns as the user's file does
    headers: dict[str, str] = field(default_factory=dict)
