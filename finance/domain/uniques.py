"""Evaluate per-cell expressions once per distinct value: the cheap way to type a big file.

An expense file of a million rows has a few hundred dates, suppliers, budget lines and
statuses: parsing each distinct value once and joining the result back is ten times cheaper than
running regexes and date parsers on every row. Columns with many distinct values (invoice
numbers, document paths) are evaluated directly, where the lookup would cost more than it saves.

Only element-wise expressions of a single column qualify (the output of a cell depends on that
cell alone); anything else is evaluated directly.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import polars as pl

#: a column is looked up when it has at most this share of distinct values...
MAX_DISTINCT_SHARE = 0.25
#: ...and the frame is big enough for the lookup to pay
MIN_ROWS = 20_000
#: rows the share of distinct values is estimated on
SAMPLE_ROWS = 50_000


def _single_root(expr: pl.Expr) -> str | None:
    roots = set(expr.meta.root_names())
    return roots.pop() if len(roots) == 1 else None


def _by_codes(values: pl.Series, exprs: Sequence[pl.Expr]) -> list[pl.Series]:
    """`exprs` (all of the one column `values`) evaluated on its distinct values, and put back in
    place through each row's code among them (a gather, not a join). An output that equals its
    input on every distinct value (a text already clean) is the column itself: no copy."""
    distinct = values.drop_nulls().unique()
    # the distinct values, then null: a row's code is its value's position, null the last one
    table = pl.concat([distinct, pl.Series(values.name, [None], values.dtype)]).to_frame()
    typed = table.select(exprs)
    codes: pl.Series | None = None
    out = []
    for column in typed.get_columns():
        if column.dtype == values.dtype and column.equals(table.to_series(), check_names=False):
            out.append(values.alias(column.name))
            continue
        if codes is None:
            codes = values.cast(pl.Enum(distinct)).to_physical().fill_null(distinct.len())
        out.append(column.gather(codes))
    return out


def select_by_distinct(frame: pl.DataFrame, exprs: Sequence[pl.Expr]) -> pl.DataFrame:
    """`frame.select(exprs)`, with the low-cardinality columns computed on their distinct values."""
    names = [e.meta.output_name() for e in exprs]
    roots = {name: _single_root(e) for name, e in zip(names, exprs, strict=True)}
    candidates = sorted({r for r in roots.values() if r is not None})
    if frame.height < MIN_ROWS or not candidates:
        return frame.select(exprs)
    # the share of distinct values, estimated on evenly spaced rows (a wrong guess costs time,
    # never a different result)
    sample = frame.select(candidates).gather_every(max(1, frame.height // SAMPLE_ROWS))
    distinct = sample.select(pl.col(c).n_unique() for c in candidates).row(0, named=True)
    cheap = {
        c
        for c in candidates
        if distinct[c] <= MAX_DISTINCT_SHARE * sample.height and frame[c].dtype == pl.String
    }
    by_root = {
        r: [e for n, e in zip(names, exprs, strict=True) if roots[n] == r] for r in sorted(cheap)
    }
    direct = [e for n, e in zip(names, exprs, strict=True) if roots[n] not in cheap]
    columns = {s.name: s for s in frame.select(direct).get_columns()} if direct else {}
    for root, group in by_root.items():
        columns.update((s.name, s) for s in _by_codes(frame[root], group))
    # one chunk per column, as the frame it joins: a frame of mixed chunks is copied whole by
    # the next group_by or filter that has to align them
    return pl.DataFrame([columns[n] for n in names]).rechunk()


def with_distinct(
    frame: pl.DataFrame, keys: Sequence[str], add: Callable[[pl.DataFrame], pl.DataFrame]
) -> pl.DataFrame:
    """`add(frame)` computed once per distinct combination of `keys` and joined back.

    `add` must derive its new columns from `keys` alone (a classification of the postcode and
    country, a key from the supplier name and VAT number); the row order is kept."""
    keys = list(keys)
    if frame.height < MIN_ROWS:
        return add(frame)
    distinct = frame.select(keys).unique()
    if distinct.height > MAX_DISTINCT_SHARE * frame.height:
        return add(frame)
    done = add(distinct)
    added = [c for c in done.columns if c not in keys]
    # only the key columns go through the join: the frame's other columns are not copied
    values = (
        frame.select(keys)
        .join(
            done.select(*keys, *added), on=keys, how="left", nulls_equal=True, maintain_order="left"
        )
        .select(added)
    )
    return frame.with_columns(values.get_columns())
