"""Seeded generator of the demo production, at any size (a few thousand lines, or millions for
the benchmarks). Vectorised with numpy: no Python loop per expense line. Same seed, same bytes.

    python -m finance.demo.generate --out data/demo                 # the bundled demo
    python -m finance.demo.generate --out /tmp/big --expenses 1000000 --canonical
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import yaml

from finance.demo.data import (
    DEVIS,
    FLAT_WITHHOLDING,
    INVALID_VAT,
    MANIFEST,
    RECEIPTS,
    SUPPLIER_SITES,
    SUPPLIERS,
)
from finance.domain.layout import load_layout

AS_OF = date(2026, 11, 20)  # last day with spend in the demo
DEFAULT_EXPENSES = 3000
RATES = {"GBP": 1.1723, "CHF": 1.0641, "USD": 0.9215}  # to EUR, as written on the invoice
VAT_RATE = {"BE": 21, "FR": 20}
BELGIAN_HEADERS = {
    "date": "Date facture",
    "supplier": "Fournisseur",
    "country": "Pays",
    "postcode": "Code postal",
    "budget_code": "Poste",
    "amount": "Montant HT",
    "currency": "Devise",
    "fx_rate": "Taux de change",
    "vat_amount": "TVA",
    "supplier_vat": "N° TVA",
    "invoice_ref": "N° facture",
    "description": "Libellé",
    "paid_on": "Date paiement",
    "status": "Statut",
    "payee_type": "Type bénéficiaire",
    "av_company": "Société audiovisuelle",
    "be_taxable": "Imposable en Belgique",
    "be_tax_regime": "Régime fiscal belge",
    "nights": "Nuitées",
    "document": "Justificatif",
}


@dataclass(frozen=True)
class DemoProduction:
    """The generated production: manifest, devis and expenses (typed frames)."""

    manifest: dict[str, Any]
    budget: pl.DataFrame
    expenses: pl.DataFrame


def _be_vat(seed: int, valid: bool) -> str:
    """BE + 10 digits: 0 and 7 digits, then 97 - (first eight mod 97)."""
    base = 2000000 + seed % 7999999
    check = 97 - base % 97
    return f"BE0{base:07d}{(check if valid else check % 97 + 1):02d}"


def _fr_vat(seed: int, valid: bool) -> str:
    body = f"{(300000000 + seed * 7919) % 100000000:08d}"
    digits = [int(d) for d in body]
    total = sum(
        d if i % 2 == 0 else (d * 2 - 9 if d * 2 > 9 else d * 2) for i, d in enumerate(digits)
    )
    siren = int(body + str((10 - total % 10) % 10))
    key = (12 + 3 * (siren % 97)) % 97
    return f"FR{(key + (0 if valid else 1)) % 100:02d}{siren:09d}"


def _tax_regime(country: pl.Expr, taxable: pl.Expr, supplier: pl.Expr) -> pl.Expr:
    """How the payees abroad who are taxable in Belgium are taxed there: on the Belgian
    payroll (the ordinary regime), except the artist paid under the flat withholding."""
    abroad = (country != "BE") & taxable.fill_null(False)
    regime = pl.when(supplier.is_in(list(FLAT_WITHHOLDING))).then(pl.lit("flat_withholding"))
    return pl.when(abroad).then(regime.otherwise(pl.lit("ordinary")))


def supplier_frame() -> pl.DataFrame:
    """Suppliers with their VAT numbers (valid mod-97 / Luhn, except the deliberately wrong)."""
    rows = []
    for i, (name, country, pc, person, av, taxable, currency, _codes) in enumerate(SUPPLIERS):
        valid = name not in INVALID_VAT
        vat = (
            None
            if person
            else (
                _be_vat(i * 104729 + 17, valid)
                if country == "BE"
                else _fr_vat(i + 11, valid)
                if country == "FR"
                else None
            )
        )
        rows.append(
            {
                "sid": i,
                "supplier": name,
                "country": country,
                "postcode": pc,
                "person": person,
                "av": av,
                "taxable": taxable,
                "currency": currency,
                "supplier_vat": vat,
                "prefix": "".join(w[0] for w in name.split()[:3]).upper(),
            }
        )
    return pl.DataFrame(rows)


def budget_frame() -> pl.DataFrame:
    """The devis: canonical columns, amounts exact."""
    layout = load_layout("cnc")
    return pl.DataFrame(
        [
            {
                "code": c,
                "label": lab,
                "amount": f"{amt}.00",
                "chapter": (
                    layout.chapter(c.split(".")[0]).label["fr"]  # type: ignore[union-attr]
                    if layout.chapter(c.split(".")[0])
                    else None
                ),
                "category": cat,
                "ts_class": ts or None,
                "territory": ter or None,
            }
            for c, lab, amt, cat, ter, ts in DEVIS
        ]
    ).with_columns(pl.col("amount").cast(pl.Decimal(18, 2)))


def _phase_spans() -> dict[str, tuple[date, date]]:
    s = MANIFEST["schedule"]
    d = {k: date.fromisoformat(v) for k, v in s.items()}
    return {
        "prep": (d["prep_start"], d["shoot_start"] - timedelta(days=1)),
        "shoot": (d["shoot_start"], d["shoot_end"]),
        "post": (d["shoot_end"] + timedelta(days=1), d["post_end"]),
    }


def _line_plan() -> pl.DataFrame:
    """Per spendable devis line: budget cents, share spent by AS_OF, phase weights."""
    layout = load_layout("cnc")
    spans = _phase_spans()
    rows = []
    for code, _, amount, category, _, _ in DEVIS:
        if category == "contingency":
            continue
        chapter = layout.chapter(code.split(".")[0])
        weights = {k: float(v) for k, v in (chapter.phase_weights if chapter else {}).items()} or {
            "shoot": 1.0
        }
        done = sum(
            w * min(max((AS_OF - a).days + 1, 0) / ((b - a).days + 1), 1.0)
            for p, w in weights.items()
            for a, b in [spans[p]]
        )
        rows.append(
            {
                "code": code,
                "category": category,
                "cents": amount * 100,
                "done": done,
                **{f"w_{p}": weights.get(p, 0.0) for p in spans},
            }
        )
    return pl.DataFrame(rows)


def _dates(rng: np.random.Generator, plan: pl.DataFrame, line: np.ndarray) -> np.ndarray:
    """A document date per row: a phase by the line's weights, a day within it up to AS_OF."""
    spans = _phase_spans()
    names = list(spans)
    w = plan.select(f"w_{p}" for p in names).to_numpy()[line]
    w = w / w.sum(axis=1, keepdims=True)
    phase = (rng.random(len(line))[:, None] > np.cumsum(w, axis=1)).sum(axis=1)
    start = np.array([np.datetime64(spans[p][0]) for p in names])[phase]
    end = np.array([np.datetime64(min(spans[p][1], AS_OF)) for p in names])[phase]
    days = (end - start).astype(int) + 1
    dates: np.ndarray = start + (rng.random(len(line)) * days).astype(int).astype("timedelta64[D]")
    return dates


def _suppliers_for(rng: np.random.Generator, plan: pl.DataFrame, line: np.ndarray) -> np.ndarray:
    """A supplier per row among those that serve the row's budget line."""
    serving: dict[str, list[int]] = {}
    for i, s in enumerate(SUPPLIERS):
        for code in s[7].split():
            serving.setdefault(code, []).append(i)
    out = np.zeros(len(line), dtype=np.int64)
    for li, code in enumerate(plan["code"].to_list()):
        mask = line == li
        out[mask] = rng.choice(np.array(serving[code]), int(mask.sum()))
    return out


def _amount_cents(rng: np.random.Generator, plan: pl.DataFrame, line: np.ndarray) -> np.ndarray:
    """Split each line's spend-to-date (budget x share done x noise) over its rows, in cents."""
    weights = rng.lognormal(0.0, 0.6, len(line))
    per_line = np.bincount(line, weights=weights, minlength=plan.height)
    noise = rng.uniform(0.86, 1.10, plan.height)
    target = plan["cents"].to_numpy() * plan["done"].to_numpy() * noise
    cents: np.ndarray = np.maximum(np.round(target[line] * weights / per_line[line]), 100).astype(
        np.int64
    )
    return cents


def _base_rows(rng: np.random.Generator, n: int) -> pl.DataFrame:
    plan = _line_plan()
    p = plan["cents"].to_numpy() / plan["cents"].sum()
    line = rng.choice(plan.height, n, p=p)
    sup = _suppliers_for(rng, plan, line)
    frame = pl.DataFrame(
        {
            "line": line,
            "sid": sup,
            "date": _dates(rng, plan, line),
            "eur_cents": _amount_cents(rng, plan, line),
            "u": rng.random(n),
            "u2": rng.random(n),
            "u3": rng.random(n),
        }
    )
    codes = plan.select(
        pl.int_range(pl.len()).alias("line"), pl.col("code").alias("budget_code"), "category"
    )
    labels = pl.DataFrame({"budget_code": [d[0] for d in DEVIS], "label": [d[1] for d in DEVIS]})
    return (
        frame.join(codes, on="line").join(labels, on="budget_code").join(supplier_frame(), on="sid")
    )


def _statuses(frame: pl.DataFrame) -> pl.DataFrame:
    """~5 % committed (post lines, ordered in Oct-Nov); a few development costs in early 2025."""
    col = pl.col
    committed = col("category").is_in(["post", "vfx", "music"]) & (col("u") < 0.35)
    early = (col("category") == "rights") & (col("u") < 0.12)
    order_day = pl.lit(date(2026, 10, 1)) + pl.duration(days=(col("u2") * 50).cast(pl.Int64))
    dev_day = pl.lit(date(2025, 4, 1)) + pl.duration(days=(col("u2") * 130).cast(pl.Int64))
    return frame.with_columns(
        pl.when(committed).then(pl.lit("committed")).otherwise(pl.lit("actual")).alias("status"),
        pl.when(committed)
        .then(order_day)
        .when(early)
        .then(dev_day)
        .otherwise(col("date"))
        .alias("date"),
    )


def _credit_notes(frame: pl.DataFrame, n: int) -> pl.DataFrame:
    """Negative rows for ~2 % of company invoices, dated a few weeks later."""
    col = pl.col
    pick = frame.filter(~col("person") & (col("status") == "actual") & (col("u3") < 0.025)).head(
        max(n // 50, 1)
    )
    return pick.with_columns(
        (
            -(col("eur_cents").cast(pl.Float64) * (0.1 + col("u2") * 0.3)).round(0).cast(pl.Int64)
        ).alias("eur_cents"),
        pl.min_horizontal(
            col("date") + pl.duration(days=(10 + col("u2") * 30).cast(pl.Int64)), pl.lit(AS_OF)
        ).alias("date"),
        pl.lit(True).alias("credit"),
    )


def _refs(frame: pl.DataFrame) -> pl.DataFrame:
    """Invoice numbers unique per supplier; payslips (persons) have none."""
    col = pl.col
    seq = (pl.int_range(pl.len()).over("sid") + 1).cast(pl.String).str.zfill(5)
    ref = pl.concat_str([col("prefix"), pl.lit("-"), seq])
    return frame.sort("date", "sid", "eur_cents").with_columns(
        pl.when(col("person"))
        .then(None)
        .when(col("credit"))
        .then(pl.concat_str([pl.lit("NC-"), ref]))
        .otherwise(ref)
        .alias("invoice_ref")
    )


def _money(cents: pl.Expr) -> pl.Expr:
    """Integer cents -> Decimal(18, 2), exactly (through text: no float, no truncation)."""
    sign = pl.when(cents < 0).then(pl.lit("-")).otherwise(pl.lit(""))
    units = (cents.abs() // 100).cast(pl.String)
    frac = (cents.abs() % 100).cast(pl.String).str.zfill(2)
    return pl.concat_str([sign, units, pl.lit("."), frac]).cast(pl.Decimal(18, 2))


def _typed(frame: pl.DataFrame) -> pl.DataFrame:
    """The canonical expense columns, typed."""
    col = pl.col
    rate = col("currency").replace_strict(RATES, default=None, return_dtype=pl.Float64)
    orig_cents = (
        pl.when(rate.is_null())
        .then(col("eur_cents"))
        .otherwise((col("eur_cents").cast(pl.Float64) / rate).round(0).cast(pl.Int64))
    )
    vat = col("country").replace_strict(VAT_RATE, default=0, return_dtype=pl.Int64)
    vat_cents = (
        pl.when(col("person"))
        .then(0)
        .otherwise((col("eur_cents") * vat / 100).round(0).cast(pl.Int64))
    )
    lodging = col("category") == "lodging"
    paid = col("date") + pl.duration(days=30)
    return frame.select(
        col("date"),
        col("supplier"),
        col("country"),
        col("postcode"),
        col("budget_code"),
        _money(orig_cents).alias("amount"),
        col("currency"),
        rate.cast(pl.String).cast(pl.Decimal(18, 8)).alias("fx_rate"),
        _money(vat_cents).alias("vat_amount"),
        col("supplier_vat"),
        col("invoice_ref"),
        pl.when(col("credit"))
        .then(pl.format("Avoir: {}", col("label")))
        .otherwise(col("label"))
        .alias("description"),
        pl.when((col("status") == "actual") & (paid <= pl.lit(AS_OF))).then(paid).alias("paid_on"),
        col("status"),
        pl.when(col("person"))
        .then(pl.lit("person"))
        .otherwise(pl.lit("company"))
        .alias("payee_type"),
        pl.when(col("person")).then(None).otherwise(col("av")).alias("av_company"),
        col("taxable").alias("be_taxable"),
        _tax_regime(col("country"), col("taxable"), col("supplier")).alias("be_tax_regime"),
        pl.when(lodging)
        .then((col("eur_cents") // 11000).clip(1, None).cast(pl.Int32))
        .alias("nights"),
        pl.when(col("u3") > 0.05)
        .then(
            pl.format(
                "pieces/{}/FAC-{}.pdf",
                col("date").dt.year(),
                pl.int_range(pl.len()).cast(pl.String).str.zfill(6),
            )
        )
        .alias("document"),
    )


def generate(seed: int = 2026, n_expenses: int | None = None) -> DemoProduction:
    """The demo production; `n_expenses` rows in all (credit notes included)."""
    n = n_expenses or DEFAULT_EXPENSES
    rng = np.random.default_rng(seed)
    base = _statuses(_base_rows(rng, n - max(n // 50, 1))).with_columns(
        pl.lit(False).alias("credit")
    )
    rows = pl.concat([base, _credit_notes(base, n)], how="vertical_relaxed")
    return DemoProduction(MANIFEST, budget_frame(), _typed(_refs(rows)))


def _belgian_money(expr: pl.Expr) -> pl.Expr:
    """Decimal -> `1.234,56` (dot thousands, decimal comma), as a Belgian Excel writes it."""
    text = expr.cast(pl.String)
    sign = pl.when(text.str.starts_with("-")).then(pl.lit("-")).otherwise(pl.lit(""))
    units = text.str.replace("-", "", literal=True).str.extract(r"^(\d+)", 1)
    cents = text.str.extract(r"\.(\d+)$", 1).fill_null("00")
    grouped = (
        units.str.reverse()
        .str.replace_all(r"(\d{3})", "$1.")
        .str.strip_chars_end(".")
        .str.reverse()
    )
    return pl.concat_str([sign, grouped, pl.lit(","), cents])


def _yes_no(expr: pl.Expr) -> pl.Expr:
    return pl.when(expr).then(pl.lit("oui")).when(~expr).then(pl.lit("non")).otherwise(None)


def belgian_expense_frame(expenses: pl.DataFrame) -> pl.DataFrame:
    """The expenses as a Belgian Excel export: French headers and values, local formats."""
    col = pl.col
    day = "%d/%m/%Y"
    return expenses.select(
        col("date").dt.strftime(day),
        "supplier",
        "country",
        "postcode",
        "budget_code",
        _belgian_money(col("amount")).alias("amount"),
        pl.when(col("currency") != "EUR").then(col("currency")).alias("currency"),
        col("fx_rate")
        .cast(pl.String)
        .str.replace(r"0+$", "")
        .str.replace(".", ",", literal=True)
        .alias("fx_rate"),
        _belgian_money(col("vat_amount")).alias("vat_amount"),
        "supplier_vat",
        "invoice_ref",
        "description",
        col("paid_on").dt.strftime(day).alias("paid_on"),
        col("status").replace_strict({"actual": "réel", "committed": "engagé"}).alias("status"),
        col("payee_type")
        .replace_strict({"company": "société", "person": "personne"})
        .alias("payee_type"),
        _yes_no(col("av_company")).alias("av_company"),
        _yes_no(col("be_taxable")).alias("be_taxable"),
        col("be_tax_regime").replace_strict(
            {"ordinary": "ordinaire", "flat_withholding": "libératoire"}, default=None
        ),
        col("nights").cast(pl.String),
        "document",
    ).rename(BELGIAN_HEADERS)


def _manifest_yaml(manifest: dict[str, Any]) -> str:
    """YAML with real dates (unquoted) and money quoted, so YAML never makes a float of it."""

    def dated(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: dated(v) for k, v in value.items()}
        if isinstance(value, list):
            return [dated(v) for v in value]
        if isinstance(value, str) and len(value) == 10 and value[4] == "-" and value[7] == "-":
            return date.fromisoformat(value)
        return value

    head = "# Le Dernier Tram: the bundled demo production (generated by `python -m finance.demo.generate`).\n"
    return head + yaml.safe_dump(dated(manifest), sort_keys=False, allow_unicode=True)


def receipts_csv() -> str:
    """The money received so far, as a producer's own spreadsheet writes it (French headers,
    semicolons, dd/mm/yyyy, decimal comma)."""
    lines = ["date;tranche;montant;référence;payeur"]
    for day, tranche, amount, reference, payer in RECEIPTS:
        y, m, d = day.split("-")
        lines.append(f"{d}/{m}/{y};{tranche};{amount.replace('.', ',')};{reference};{payer}")
    return "\n".join(lines) + "\n"


SITE_HEADERS = (
    "fournisseur;n° tva;siège social code postal;siège social pays;siège social source;"
    "siège d'exploitation code postal;siège d'exploitation pays;siège d'exploitation source"
)


def suppliers_csv() -> str:
    """A few suppliers' registered office and seat of operations with the source of each, as a
    producer's spreadsheet writes them (French headers, semicolons), with the VAT numbers their
    invoices carry."""
    vat = dict(supplier_frame().select("supplier", "supplier_vat").iter_rows())
    lines = [SITE_HEADERS]
    for name, *sites in SUPPLIER_SITES:
        lines.append(";".join([name, vat.get(name) or "", *sites]))
    return "\n".join(lines) + "\n"


def write_demo(
    out_dir: Path, seed: int = 2026, n_expenses: int | None = None, belgian_format: bool = True
) -> dict[str, Path]:
    """Write manifest.yaml, devis.csv, expenses.csv (Belgian Excel format, or canonical),
    receipts.csv and suppliers.csv."""
    demo = generate(seed, n_expenses)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {
        "manifest": out_dir / "manifest.yaml",
        "budget": out_dir / "devis.csv",
        "expenses": out_dir / "expenses.csv",
        "receipts": out_dir / "receipts.csv",
        "suppliers": out_dir / "suppliers.csv",
    }
    paths["receipts"].write_text(receipts_csv(), encoding="utf-8")
    paths["suppliers"].write_text(suppliers_csv(), encoding="utf-8")
    paths["manifest"].write_text(_manifest_yaml(demo.manifest), encoding="utf-8")
    demo.budget.write_csv(paths["budget"])
    if belgian_format:
        text = belgian_expense_frame(demo.expenses).write_csv(separator=";", line_terminator="\r\n")
        paths["expenses"].write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    else:
        demo.expenses.write_csv(paths["expenses"])
    return paths


def main(argv: list[str] | None = None) -> None:
    """`python -m finance.demo.generate --out DIR [--seed N] [--expenses N] [--canonical]`."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--expenses", type=int, default=None)
    parser.add_argument(
        "--canonical", action="store_true", help="English headers, ISO dates, decimal point"
    )
    args = parser.parse_args(argv)
    for kind, path in write_demo(args.out, args.seed, args.expenses, not args.canonical).items():
        print(f"{kind}: {path}")


if __name__ == "__main__":
    main()
