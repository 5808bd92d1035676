"""The financiers' portfolio table: budget, spend and the latest status of every rule."""

from __future__ import annotations

import polars as pl

from dashboards.ui import data
from dashboards.ui.view import money_table

SQL = """
WITH spend AS (
    SELECT production_id, sum(amount) FILTER (status = 'actual')::DECIMAL(18,2) AS actual
    FROM expenses GROUP BY 1),
budget AS (SELECT production_id, sum(amount)::DECIMAL(18,2) AS budget FROM current_budget GROUP BY 1),
latest AS (SELECT production_id, max(id) AS run_id FROM rule_runs GROUP BY 1),
statuses AS (
    SELECT l.production_id,
           string_agg(r.rule_id || ': ' || r.status, ', ' ORDER BY r.rule_id)
               FILTER (r.status IN ('fail', 'warn')) AS attention,
           count(*) FILTER (r.status = 'fail') AS fails, count(*) FILTER (r.status = 'warn') AS warns
    FROM latest l JOIN rule_results r ON r.run_id = l.run_id GROUP BY 1)
SELECT p.id, p.title, coalesce(b.budget, 0)::DECIMAL(18,2) AS budget, coalesce(s.actual, 0)::DECIMAL(18,2) AS actual,
       round(100 * coalesce(s.actual, 0) / nullif(b.budget, 0), 1) AS pct_spent,
       coalesce(x.fails, 0) AS fails, coalesce(x.warns, 0) AS warns, x.attention
FROM productions p LEFT JOIN budget b ON b.production_id = p.id LEFT JOIN spend s ON s.production_id = p.id
LEFT JOIN statuses x ON x.production_id = p.id ORDER BY p.id
"""


def portfolio_table() -> pl.DataFrame:
    """One row per production (money formatted for display)."""
    frame = data.query(data.version(), SQL)
    return money_table(frame) if frame.height else frame
