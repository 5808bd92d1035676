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


def _single_root(expr: pl.Expr) -> str | None:
    roots = set(expr.meta.root_names())
    return roots.pop() if len(roots) == 1 else None


def select_by_distinct(frame: pl.DataFrame, exprs: Sequence[pl.Expr]) -> pl.DataFrame:
    """`frame.select(exprs)`, with the low-cardinality columns computed on their distinct values."""
    names = [e.meta.output_name() for e in exprs]
    roots = {name: _single_root(e) for name, e in zip(names, exprs, strict=True)}
    candidates = sorted({r for r in roots.values() if r is not None})
    if frame.height < MIN_ROWS or not candidates:
        return frame.select(exprs)
    distinct = frame.select(pl.col(c).approx_n_unique() for c in candidates).row(0, named=True)
    cheap = {c for c in candidates if distinct[c] <= MAX_DISTINCT_SHARE * frame.height}
    lazy = frame.lazy()
    queries = {
        name: lazy.select(expr)
        for name, expr in zip(names, exprs, strict=True)
        if roots[name] not in cheap
    }
    for name, expr in zip(names, exprs, strict=True):
        source = roots[name]
        if source in cheap:
            table = lazy.select(pl.col(source).unique()).with_columns(expr.alias("__value"))
            queries[name] = (
                lazy.select(source)
                .join(table, on=source, how="left", nulls_equal=True, maintain_order="left")
                .select(pl.col("__value").alias(name))
            )
    done = pl.collect_all(list(queries.values()))  # the lookups run in parallel
    columns = {name: result.to_series() for name, result in zip(queries, done, strict=True)}
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
