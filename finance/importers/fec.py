"""The French general-ledger export (FEC, 18 columns, art. A47 A-1 LPF) of a coproducer's books.

Expense lines are class 6 accounts (net = debit - credit, in the books' currency, the euro); the
payee is the supplier line (401, 404, 408) of the same entry; lettering gives the payment date.
Without a supplier line the payee is the entry's label cleaned of dates and references, and
salaries (641, 645) are the production's payroll, one payee per entry. A line in another currency
(`Idevise`, `Montantdevise`) keeps its euro amount and its original amount beside it. An FEC has
no addresses: payees are French (the books are a French company's) with the department unknown
unless a mapping says more, which no territorial test counts (conservative). The budget line comes
from the account mapping (`account:6226` covers 6226, 62260000, 6226100).

The identity of an FEC line is its journal, entry number and line (its position in the entry):
`_line_key`, which the ledger recognises a later export of the same books by. A file that does not
number its entries (an entry number with several dates) has entries of one date and one piece
reference within the number.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from finance.domain import i18n
from finance.domain.errors import Problem, UserError
from finance.domain.i18n import text
from finance.domain.validate import PROBLEM_SCHEMA
from finance.importers.base import EXPENSE_SCHEMA, Extracted
from finance.importers.canonical import type_and_check
from finance.importers.tabular import read_table

COLUMNS = [
    "JournalCode",
    "JournalLib",
    "EcritureNum",
    "EcritureDate",
    "CompteNum",
    "CompteLib",
    "CompAuxNum",
    "CompAuxLib",
    "PieceRef",
    "PieceDate",
    "EcritureLib",
    "Debit",
    "Credit",
    "EcritureLet",
    "DateLet",
    "ValidDate",
    "Montantdevise",
    "Idevise",
]
SUPPLIER_ACCOUNTS = r"^40[148]"
#: salaries and social charges: the production's payroll, one payee per entry
PAYROLL_ACCOUNTS = r"^64[15]"
#: the FEC columns each canonical column is read from (reports name them as the file does)
HEADERS = {
    "date": "PieceDate / EcritureDate",
    "supplier": "CompAuxLib",
    "budget_code": "CompteNum",
    "amount": "Debit / Credit",
    "currency": "Idevise",
    "fx_rate": "Montantdevise",
    "invoice_ref": "PieceRef",
    "description": "EcritureLib",
    "paid_on": "DateLet",
}
#: the books' currency (a French company keeps its books in euros)
BOOKS_CURRENCY = "EUR"
#: the amount columns, whose decimal separator is decided once for the file
AMOUNTS = ("Debit", "Credit", "Montantdevise")
#: the language of the payee labels the importer writes (the books are French)
LABEL_LANG = "fr"
#: a supplier or label that names no one
CATCH_ALL = r"^(?:(?:FOURNISSEURS?|FRS|FOURN|CLIENTS?|TIERS)\s+)?(?:DIVERS?|DIVERSES?|AUTRES?|VARIOUS)$|^[\W_]*$"
#: words of a label that announce a document number, not a payee
REFERENCE_WORDS = (
    r"^(?:FACT|FACTURE|FACTURES|FAC|FCT|FA|REF|N°|NO|AVOIR|AV|PIECE|PIÈCE|CB|VIR|PRLV|CHQ)\.?:?$"
)
#: dates in a label: 12/03/2026, 12-03-26, 03/2026, 2026-03-12, 20260312, 12.03
DATES = (
    r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b(?:19|20)\d{6}\b"
    r"|\b\d{1,2}[/.-](?:19|20)\d{2}\b|\b\d{1,2}[/.]\d{1,2}\b"
)


def identify(path: Path) -> bool:
    """A text file whose header is the FEC's 18 columns."""
    if path.suffix.lower() not in (".txt", ".csv", ".tsv", ".fec") or not path.is_file():
        return False
    with path.open("rb") as fh:  # the header only: a million-line CSV is not read to say no
        head = fh.read(512).decode("latin-1", errors="replace")
    return "JournalCode" in head and "EcritureNum" in head and "CompteNum" in head


def _named(frame: pl.DataFrame) -> pl.DataFrame:
    """The FEC's column names as the norm spells them (`MontantDevise`, `IdDevise` seen too)."""
    wanted = {c.lower(): c for c in COLUMNS} | {"iddevise": "Idevise"}
    renames = {c: wanted[c.lower()] for c in frame.columns if c.lower() in wanted}
    return frame.rename({k: v for k, v in renames.items() if k != v})


def _entry_columns(frame: pl.DataFrame) -> list[str]:
    """What groups the lines of one entry: its journal and number, or, in a file that gives
    the same number to entries of several dates (a journal numbered 0 throughout), also its
    date and piece reference."""
    numbered = (
        frame.group_by("JournalCode", "EcritureNum")
        .agg(pl.col("EcritureDate").n_unique().alias("dates"))
        .select((pl.col("dates") <= 1).all())
        .item()
    )
    base = ["JournalCode", "EcritureNum"]
    return base if numbered or frame.height == 0 else [*base, "EcritureDate", "PieceRef"]


def _kinds(cell: pl.Expr) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(decimal comma, decimal point, ambiguous) for an amount cell without spaces: the last
    separator decides, unless three digits follow it alone (`1.234`, `1,234`)."""
    comma_last = cell.str.contains(r",\d*$")
    point_last = cell.str.contains(r"\.\d*$")
    three = cell.str.contains(r"[.,]\d{3}$")
    alone = ~cell.str.contains(r"[.,].*[.,]")
    ambiguous = three & alone
    return comma_last & ~ambiguous, point_last & ~ambiguous, ambiguous


def _amounts(frame: pl.DataFrame, file: str) -> pl.DataFrame:
    """The amount columns as Decimal: the file's decimal separator is decided from every amount
    (a file is consistent); a file mixing both, or whose only separators could be either, or
    with an amount that is no number, is refused with its rows."""
    present = [c for c in AMOUNTS if c in frame.columns]
    cells = pl.concat(
        [
            frame.select(
                "_row",
                pl.lit(c).alias("column"),
                pl.col(c).str.replace_all(r"[\s\u00a0\u202f']", "").alias("value"),
            )
            for c in present
        ]
    ).filter(pl.col("value").is_not_null() & (pl.col("value") != ""))
    comma, point, ambiguous = _kinds(pl.col("value"))
    kinds = cells.with_columns(comma.alias("comma"), point.alias("point"), ambiguous.alias("amb"))
    n_comma, n_point = int(kinds["comma"].sum()), int(kinds["point"].sum())

    def refuse(key: str, rows: pl.DataFrame, reason: str, **values: str) -> UserError:
        listed = rows.sort("_row").unique("_row", keep="first", maintain_order=True)
        shown = ", ".join(str(r) for r in listed["_row"].head(20).to_list())
        more = f" (+{listed.height - 20})" if listed.height > 20 else ""
        problems = [
            Problem(
                reason=text(reason), file=file, row=r["_row"], column=r["column"], value=r["value"]
            )
            for r in listed.head(200).iter_rows(named=True)
        ]
        return UserError(text(key, file=file, rows=shown + more, **values), problems)

    if n_comma and n_point:
        minority = "point" if n_point <= n_comma else "comma"
        raise refuse(
            "fec.refused.mixed_decimals",
            kinds.filter(pl.col(minority)),
            "fec.problem.decimal_point" if minority == "point" else "fec.problem.decimal_comma",
        )
    if not n_comma and not n_point and kinds["amb"].any():
        rows = kinds.filter(pl.col("amb"))
        raise refuse(
            "fec.refused.ambiguous_decimals",
            rows,
            "fec.problem.ambiguous",
            value=str(rows["value"][0]),
        )
    decimal, thousands = ("\\.", ",") if n_point else (",", "\\.")
    parsed = {
        c: pl.col(c)
        .str.replace_all(r"[\s\u00a0\u202f']", "")
        .str.replace_all(thousands, "")
        .str.replace(decimal, ".")
        .str.replace(r"^\+", "")
        for c in present
    }
    numbers = frame.select("_row", *(parsed[c].alias(c) for c in present))
    typed = numbers.with_columns(pl.col(c).cast(pl.Decimal(18, 2), strict=False) for c in present)
    bad = pl.concat(
        [
            numbers.filter(pl.col(c).is_not_null() & (pl.col(c) != "") & typed[c].is_null()).select(
                "_row", pl.lit(c).alias("column"), pl.col(c).alias("value")
            )
            for c in present
        ]
    )
    if bad.height:
        raise refuse("fec.refused.unreadable_amount", bad, "fec.problem.unreadable")
    return frame.with_columns(typed[c] for c in present)


def _clean_label(label: pl.Expr) -> pl.Expr:
    """An entry's label as a payee: dates, document numbers and references taken out
    (`ITALIAN FOOD F.374` -> `ITALIAN FOOD`, `SNCF 12/03/2026` -> `SNCF`); what is left of a
    catch-all (`DIVERS`) is nothing."""
    words = (
        label.str.replace_all(DATES, " ")
        .str.replace_all(r"[|;]", " ")
        .str.strip_chars()
        .str.split(" ")
        .list.eval(
            pl.element().filter(
                (pl.element() != "")
                # a word with letters and digits, or digits and signs: a reference
                & ~(
                    pl.element().str.contains(r"\d")
                    & pl.element().str.contains(r"[A-Za-zÀ-ÿ#°/.\-_]")
                )
                & ~pl.element().str.contains(r"^\d{5,}$")  # a long number: an account, an id
                & ~pl.element().str.to_uppercase().str.contains(REFERENCE_WORDS)
            )
        )
        .list.join(" ")
        .str.strip_chars(" -/.,:;_*")
    )
    return pl.when(words.str.to_uppercase().str.contains(CATCH_ALL)).then(None).otherwise(words)


def _entries(frame: pl.DataFrame, entry: list[str]) -> pl.DataFrame:
    """Class 6 lines joined to their entry's supplier line (payee, lettering), with their
    line key (journal, entry number, position in the entry)."""
    col = pl.col
    frame = frame.with_columns(
        (pl.int_range(pl.len(), dtype=pl.Int64).over(entry, order_by="_row") + 1).alias("_line")
    )
    suppliers = (
        frame.filter(col("CompteNum").str.contains(SUPPLIER_ACCOUNTS))
        .group_by(entry)
        .agg(
            col("CompAuxNum").first().alias("aux"),
            col("CompAuxLib").drop_nulls().first().alias("payee"),
            col("EcritureLet").drop_nulls().first().alias("letter"),
            col("DateLet").drop_nulls().first().alias("date_let"),
        )
    )
    labels = frame.group_by(entry).agg(col("EcritureLib").drop_nulls().first().alias("entry_lib"))
    # the payment: another entry lettering the same supplier account with the same letter
    payments = (
        frame.filter(
            col("CompteNum").str.contains(SUPPLIER_ACCOUNTS)
            & col("EcritureLet").is_not_null()
            & (col("Debit") > 0)  # a debit: the payment side
        )
        .group_by(col("CompAuxNum").alias("aux"), col("EcritureLet").alias("letter"))
        .agg(col("EcritureDate").max().alias("paid_date"))
    )
    expenses = frame.filter(col("CompteNum").str.starts_with("6"))
    return (
        expenses.join(suppliers, on=entry, how="left", nulls_equal=True)
        .join(labels, on=entry, how="left", nulls_equal=True)
        .join(payments, on=["aux", "letter"], how="left")
    )


def _payee(rows: pl.DataFrame, entry_columns: list[str]) -> pl.DataFrame:
    """`supplier` and `payee_type`: the supplier line's name (unless a catch-all), else the
    production's payroll for salaries, else the entry's cleaned label, else a payee named by
    its entry (never the account's label)."""
    col = pl.col
    entry = pl.concat_str(
        [col(c) for c in entry_columns if c != "PieceRef"], separator=" ", ignore_nulls=True
    )
    named = (
        pl.when(col("payee").str.to_uppercase().str.contains(CATCH_ALL))
        .then(None)
        .otherwise(col("payee"))
    )
    payroll = col("CompteNum").str.contains(PAYROLL_ACCOUNTS)
    label = pl.coalesce(_clean_label(col("EcritureLib")), _clean_label(col("entry_lib")))
    payroll_text = text("fec.payee.payroll", LABEL_LANG, entry="\x00")
    unnamed_text = text("fec.payee.unnamed", LABEL_LANG, entry="\x00")
    pre_p, post_p = payroll_text.split("\x00")
    pre_u, post_u = unnamed_text.split("\x00")
    return rows.with_columns(
        pl.when(named.is_not_null())
        .then(named)
        .when(payroll)
        .then(pl.concat_str([pl.lit(pre_p), entry, pl.lit(post_p)]))
        .when(label.is_not_null() & (label != ""))
        .then(label)
        .otherwise(pl.concat_str([pl.lit(pre_u), entry, pl.lit(post_u)]))
        .alias("supplier"),
        pl.when(named.is_null() & payroll)
        .then(pl.lit("person"))
        .otherwise(pl.lit(None, pl.String))
        .alias("payee_type"),
    )


def _money(rows: pl.DataFrame, currency: str) -> pl.DataFrame:
    """`amount`, `currency`, `fx_rate`: the euro figure of the books, and, for a line in another
    currency (when the production counts in euros), its original amount with the rate that
    gives the same euro figure back (no second conversion)."""
    col = pl.col
    net = (col("Debit").fill_null(0) - col("Credit").fill_null(0)).alias("net")
    rows = rows.with_columns(net)
    foreign = (
        col("Idevise").is_not_null()
        & (col("Idevise").str.to_uppercase() != BOOKS_CURRENCY)
        & col("Montantdevise").is_not_null()
        & (col("Montantdevise") != 0)
        & (col("net") != 0)
        & pl.lit(currency == BOOKS_CURRENCY)
    )
    orig = (col("Montantdevise").abs() * pl.when(col("net") < 0).then(-1).otherwise(1)).cast(
        pl.Decimal(18, 2)
    )
    rate = (col("net").abs().cast(pl.Decimal(38, 12)) / col("Montantdevise").abs()).cast(
        pl.Decimal(18, 8)
    )
    rows = rows.with_columns(
        pl.when(foreign).then(orig).otherwise(col("net")).alias("_amount"),
        pl.when(foreign).then(rate).alias("_rate"),
    )
    # the rate must give the books' figure back to the cent, else the euro figure alone is kept
    back = (col("_amount").cast(pl.Decimal(38, 10)) * col("_rate")).round(2).cast(pl.Decimal(18, 2))
    exact = foreign & (back == col("net"))
    return rows.with_columns(
        pl.when(exact).then(col("_amount")).otherwise(col("net")).cast(pl.String).alias("amount"),
        pl.when(exact)
        .then(col("Idevise").str.to_uppercase())
        .otherwise(pl.lit(BOOKS_CURRENCY))
        .alias("currency"),
        pl.when(exact).then(col("_rate").cast(pl.String)).alias("fx_rate"),
    )


def _canonical(rows: pl.DataFrame, entry: list[str], currency: str) -> pl.DataFrame:
    """FEC cells -> canonical expense cells (text), debit minus credit as the amount."""
    col = pl.col

    def iso(c: pl.Expr) -> pl.Expr:
        return (
            pl.when(c.str.contains(r"^\d{8}$"))
            .then(
                pl.concat_str(
                    [
                        c.str.slice(0, 4),
                        pl.lit("-"),
                        c.str.slice(4, 2),
                        pl.lit("-"),
                        c.str.slice(6, 2),
                    ]
                )
            )
            .otherwise(c)
        )

    rows = _money(_payee(rows, entry), currency)
    key = [c for c in entry if c not in ("JournalCode", "EcritureNum")]
    return rows.select(
        col("_row"),
        iso(pl.coalesce(col("PieceDate"), col("EcritureDate"))).alias("date"),
        col("supplier"),
        pl.lit("FR").alias("country"),
        pl.lit(None, pl.String).alias("postcode"),
        pl.concat_str([pl.lit("account:"), col("CompteNum")]).alias("budget_code"),
        col("amount"),
        col("currency"),
        col("fx_rate"),
        col("PieceRef").alias("invoice_ref"),
        col("EcritureLib").alias("description"),
        iso(pl.coalesce(col("date_let"), col("paid_date"))).alias("paid_on"),
        col("payee_type"),
        pl.concat_str(
            [
                col("JournalCode"),
                col("EcritureNum"),
                *(col(c).fill_null("") for c in key),
                col("_line").cast(pl.String),
            ],
            separator="|",
            ignore_nulls=False,
        ).alias("_line_key"),
    ).sort("_row")


def extract(path: Path, currency: str) -> Extracted:
    """Expense lines of an FEC file as canonical rows (typed and checked like any other file)."""
    table = read_table(path)
    named = _named(table.frame)
    missing = [c for c in COLUMNS[:13] if c not in named.columns]
    if missing:
        raise i18n.error("error.fec.columns", name=table.file, columns=", ".join(missing))
    frame = named.with_columns(  # lettering and currency columns are optional in practice
        pl.lit(None, pl.String).alias(c) for c in COLUMNS[13:] if c not in named.columns
    )
    frame = frame.with_columns(
        pl.col(c).fill_null("") for c in ("JournalCode", "EcritureNum")
    ).filter(pl.col("CompteNum").is_not_null())
    frame = _amounts(frame, table.file)
    entry = _entry_columns(frame)
    rows = _canonical(_entries(frame, entry), entry, currency)
    if rows.height == 0:
        raise i18n.error("error.fec.no_expenses", name=table.file)
    keys = rows.select("_row", "_line_key")
    raw = rows.drop("_line_key").with_columns(
        pl.lit(None, pl.String).alias(c) for c in EXPENSE_SCHEMA if c not in rows.columns
    )
    raw = raw.with_columns(pl.col(c).cast(pl.String) for c in EXPENSE_SCHEMA).select(
        "_row", *EXPENSE_SCHEMA
    )
    typed, problems = type_and_check(raw, currency)
    problems = problems.filter(~pl.col("column").is_in(["budget_code", "postcode"]))
    out = pl.concat(
        [
            typed.select("_row", *EXPENSE_SCHEMA),
            typed.select(pl.col(f"raw_{c}") for c in EXPENSE_SCHEMA),
        ],
        how="horizontal",
    ).with_columns(
        pl.lit(table.file).alias("_file"),
        pl.lit(None, pl.String).alias("_sheet"),
        pl.lit(table.sha256).alias("_sha256"),
        pl.lit("fec").alias("_format"),
    )
    out = out.join(keys, on="_row", how="left", maintain_order="left")
    return Extracted(
        out,
        problems.with_columns(pl.lit(table.file).alias("_file")).select("_file", *PROBLEM_SCHEMA),
        table.file,
        table.sha256,
        "fec",
        None,
        headers=HEADERS,
    )
