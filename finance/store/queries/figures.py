"""The money figures, each defined once, in SQL: the CLI report, the dashboard, the exports and
the rules all read them from here.

- **actual**: the sum of the expenses whose status is `actual` (invoices, payslips, notes) dated
  on or before the as-at date `$at`; credit notes are negative expenses and count.
- **committed**: the same sum for status `committed` (ordered, not yet invoiced).
- **budget** of a line: its amount in the production's current devis (the latest loaded budget
  version); of a chapter or of the report: the sum of its lines. The cost report compares every
  line with it, so its totals are always the sum of its lines.
- **production budget**: the manifest's `budget_total` when it gives one, otherwise the current
  devis total (interfaces.md: "budget_total: optional; otherwise the sum of the loaded devis").
  It is the budget of the work as a whole: the funders' ratios (the rules), the production list
  and the portfolio use it; the cost report shows the manifest's figure beside its devis totals
  (`budget_total`).
- **estimate to complete** (ETC) of a line: the budget not yet spent or committed, never below
  zero (a line already over budget is expected to cost what it has cost); **estimate at
  completion** (EAC): actual + committed + ETC; **variance**: budget - EAC (negative: over).
"""

from __future__ import annotations

from finance.store.queries.catalogue import define

#: actual spend of the grouped expense rows (the caller filters on the as-at date)
ACTUAL = "coalesce(sum(amount) FILTER (status = 'actual'), 0)::DECIMAL(18,2)"
#: committed spend of the grouped expense rows
COMMITTED = "coalesce(sum(amount) FILTER (status = 'committed'), 0)::DECIMAL(18,2)"
#: the current devis total of each production
DEVIS_TOTALS = (
    "SELECT production_id, sum(amount)::DECIMAL(18,2) AS devis FROM current_budget GROUP BY 1"
)

LINES = define(
    "figures.lines",
    "Per production and budget line as at $at: budget, actual, committed, ETC, EAC, variance.",
    f"""
WITH spend AS (
    SELECT production_id, budget_code AS code,
           {ACTUAL} AS actual,
           {COMMITTED} AS committed,
           count(*) AS expenses
    FROM expenses WHERE {{scope}} AND doc_date <= $at GROUP BY 1, 2
),
lines AS (
    SELECT coalesce(b.production_id, s.production_id) AS production_id,
           coalesce(b.code, s.code) AS code,
           coalesce(b.chapter_code, split_part(s.code, '.', 1)) AS chapter_code,
           b.chapter_label,
           coalesce(b.label, '(not in the current devis)') AS label,
           b.category, b.ts_class, b.territory,
           coalesce(b.amount, 0)::DECIMAL(18,2) AS budget,
           coalesce(s.actual, 0)::DECIMAL(18,2) AS actual,
           coalesce(s.committed, 0)::DECIMAL(18,2) AS committed,
           coalesce(s.expenses, 0) AS expenses
    FROM (SELECT * FROM current_budget WHERE {{scope}}) b
    FULL OUTER JOIN spend s ON s.production_id = b.production_id AND s.code = b.code
),
etc AS (
    SELECT *, greatest(budget - actual - committed, 0)::DECIMAL(18,2) AS estimate_to_complete
    FROM lines
),
eac AS (
    SELECT *, (actual + committed + estimate_to_complete)::DECIMAL(18,2) AS estimate_at_completion
    FROM etc
)
SELECT *, (budget - estimate_at_completion)::DECIMAL(18,2) AS variance FROM eac
""",
)
# `scope` is a SQL condition on production_id made by code: `production_id = $pid` for one
# production (figures.report_lines), the rules' plan scope for a portfolio

REPORT_LINES = define(
    "figures.report_lines",
    "One production's ($pid) budget lines as at $at, with every figure of figures.lines.",
    "SELECT * EXCLUDE (production_id) FROM ("
    + LINES.text.format(scope="production_id = $pid")
    + ")",
)

WEEKLY = define(
    "figures.weekly",
    "One row per week (Monday) from $first to $last: actual and committed spend of $pid as at $at.",
    """
WITH spend AS (
    SELECT date_trunc('week', doc_date)::DATE AS week_start,
           sum(amount) FILTER (status = 'actual') AS actual,
           sum(amount) FILTER (status = 'committed') AS committed
    FROM expenses WHERE production_id = $pid AND doc_date <= $at GROUP BY 1
),
bounds AS (
    SELECT least(coalesce(min(week_start), $first), $first) AS lo,
           greatest(coalesce(max(week_start), $last), $last) AS hi FROM spend
),
weeks AS (
    SELECT unnest(generate_series(lo, hi, INTERVAL 7 DAY))::DATE AS week_start FROM bounds
)
SELECT w.week_start,
       CASE WHEN w.week_start <= $at THEN coalesce(s.actual, 0) END::DECIMAL(18,2) AS actual,
       CASE WHEN w.week_start <= $at THEN coalesce(s.committed, 0) END::DECIMAL(18,2) AS committed
FROM weeks w LEFT JOIN spend s USING (week_start)
ORDER BY w.week_start
""",
)

TRAILING = define(
    "figures.trailing_four_weeks",
    "Actual spend of $pid in the 28 days ending on $at.",
    f"""
SELECT {ACTUAL} FROM expenses
WHERE production_id = $pid AND doc_date > $at - INTERVAL 28 DAY AND doc_date <= $at
""",
)

COUNTRY_SPLIT = define(
    "figures.actual_by_country",
    "Actual spend of $pid as at $at per chapter: France, Belgium and the other countries.",
    """
SELECT split_part(budget_code, '.', 1) AS chapter_code,
       sum(amount) FILTER (country = 'FR')::DECIMAL(18,2) AS france,
       sum(amount) FILTER (country = 'BE')::DECIMAL(18,2) AS belgium,
       sum(amount) FILTER (country NOT IN ('FR', 'BE'))::DECIMAL(18,2) AS other
FROM expenses WHERE production_id = $pid AND status = 'actual' AND doc_date <= $at GROUP BY 1
""",
)

PRODUCTION_BUDGET = define(
    "figures.production_budget",
    "Per production: the manifest's budget_total, the current devis total, and the budget.",
    f"""
SELECT p.id AS production_id, p.budget_total, d.devis,
       coalesce(p.budget_total, d.devis)::DECIMAL(18,2) AS budget
FROM productions p LEFT JOIN ({DEVIS_TOTALS}) d ON d.production_id = p.id
""",
)

PORTFOLIO = define(
    "figures.portfolio",
    "Per production as at $at: budget, actual, percent spent and its latest rule statuses.",
    f"""
WITH spend AS (
    SELECT production_id, {ACTUAL} AS actual FROM expenses WHERE doc_date <= $at GROUP BY 1
),
latest AS (SELECT production_id, max(id) AS run_id FROM rule_runs GROUP BY 1),
statuses AS (
    SELECT l.production_id,
           string_agg(r.rule_id || ': ' || r.status, ', ' ORDER BY r.rule_id)
               FILTER (r.status IN ('fail', 'warn')) AS attention,
           count(*) FILTER (r.status = 'fail') AS fails, count(*) FILTER (r.status = 'warn') AS warns
    FROM latest l JOIN rule_results r ON r.run_id = l.run_id GROUP BY 1
)
SELECT p.id, p.title, coalesce(b.budget, 0)::DECIMAL(18,2) AS budget,
       coalesce(s.actual, 0)::DECIMAL(18,2) AS actual,
       round(100 * coalesce(s.actual, 0) / nullif(b.budget, 0), 1) AS pct_spent,
       coalesce(x.fails, 0) AS fails, coalesce(x.warns, 0) AS warns, x.attention
FROM productions p
LEFT JOIN ({PRODUCTION_BUDGET.text}) b ON b.production_id = p.id
LEFT JOIN spend s ON s.production_id = p.id
LEFT JOIN statuses x ON x.production_id = p.id ORDER BY p.id
""",
)

define(
    "figures.portfolio_schemes",
    "Per production and scheme, from its latest check: the worst status, the largest shortfall "
    "of its failing or warning results, and the value its spend supports where a result says it.",
    """
WITH latest AS (SELECT production_id, max(id) AS run_id FROM rule_runs GROUP BY 1)
SELECT l.production_id, r.scheme,
       min(CASE r.status WHEN 'fail' THEN 0 WHEN 'insufficient_data' THEN 1 WHEN 'warn' THEN 2
                         WHEN 'pass' THEN 3 ELSE 4 END) AS rank,
       coalesce(max(r.shortfall) FILTER (r.status IN ('fail', 'warn')), 0)::DECIMAL(18,2)
           AS shortfall,
       max(TRY_CAST(json_extract_string(r.result_json, '$.supportable_value') AS DECIMAL(18,2)))
           AS supportable
FROM latest l JOIN rule_results r ON r.run_id = l.run_id
GROUP BY 1, 2 ORDER BY 1, 2
""",
)

TERRITORY_SPLIT = define(
    "figures.actual_and_planned_by_territory",
    "Actual spend of $pid as at $at and its devis, per territory (French departments as FR).",
    """
WITH actual AS (
    SELECT CASE WHEN territory LIKE 'FR-%' THEN 'FR' ELSE territory END AS territory,
           sum(amount) FILTER (status = 'actual') AS actual
    FROM v_expenses WHERE production_id = $pid AND doc_date <= $at GROUP BY 1),
planned AS (
    SELECT CASE WHEN territory LIKE 'FR%' THEN 'FR' ELSE coalesce(territory, '?') END AS territory,
           sum(amount) AS planned
    FROM current_budget WHERE production_id = $pid GROUP BY 1)
SELECT territory, coalesce(actual, 0)::DECIMAL(18,2) AS actual,
       coalesce(planned, 0)::DECIMAL(18,2) AS planned
FROM actual FULL JOIN planned USING (territory) ORDER BY planned DESC NULLS LAST
""",
)

BUDGET_PARTS = define(
    "figures.budget_by_chapter_and_territory",
    "The current devis of $pid per chapter and planned territory (French ones as FR).",
    """
SELECT chapter_code,
       CASE WHEN territory LIKE 'FR%' THEN 'FR' ELSE coalesce(territory, '?') END AS territory,
       sum(amount)::DECIMAL(18,2) AS budget
FROM current_budget WHERE production_id = $pid GROUP BY 1, 2
""",
)

FR_REGIONS = define(
    "figures.actual_by_french_region",
    "Actual spend of $pid as at $at per French region, largest first.",
    """
SELECT fr_region, sum(amount) FILTER (status = 'actual')::DECIMAL(18,2) AS actual FROM v_expenses
WHERE production_id = $pid AND fr_region IS NOT NULL AND doc_date <= $at GROUP BY 1 ORDER BY 2 DESC
""",
)
