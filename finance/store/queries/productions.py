"""Productions: the stored manifest and the production list."""

from __future__ import annotations

from finance.store.queries.catalogue import define
from finance.store.queries.figures import PRODUCTION_BUDGET

#: the manifest's columns, in the order of the insert and the update
COLUMNS = (
    "title",
    "kind",
    "currency",
    "budget_total",
    "layout",
    "prep_start",
    "shoot_start",
    "shoot_end",
    "post_end",
    "manifest_json",
    "manifest_sha256",
)

define(
    "productions.insert",
    "Add a production ($id, its manifest columns, $now as created and updated time).",
    f"""
INSERT INTO productions (id, {", ".join(COLUMNS)}, created_at, updated_at)
VALUES ($id, {", ".join("$" + c for c in COLUMNS)}, $now, $now)
""",
)
define(
    "productions.update",
    "Replace a production's ($id) manifest columns; $now is the update time.",
    f"""
UPDATE productions SET {", ".join(f"{c} = ${c}" for c in COLUMNS)}, updated_at = $now
WHERE id = $id
""",
)
define(
    "productions.manifest_sha256",
    "The sha256 of the stored manifest of production $id (no row if unknown).",
    "SELECT manifest_sha256 FROM productions WHERE id = $id",
)
define(
    "productions.manifest_json",
    "The stored manifest of production $id as JSON (no row if unknown).",
    "SELECT manifest_json FROM productions WHERE id = $id",
)
define(
    "productions.ids",
    "The id of every production, sorted.",
    "SELECT id FROM productions ORDER BY id",
)
define(
    "productions.titles",
    "Id and title of every production, sorted by id.",
    "SELECT id, title FROM productions ORDER BY id",
)
define(
    "productions.title",
    "The title of production $id (no row if unknown).",
    "SELECT title FROM productions WHERE id = $id",
)
define(
    "productions.list",
    "One row per production: id, title, kind, currency, budget, expenses and last import.",
    f"""
SELECT p.id, p.title, p.kind, p.currency, b.budget,
       (SELECT count(*) FROM expenses e WHERE e.production_id = p.id) AS expenses,
       (SELECT max(imported_at) FROM import_batches i WHERE i.production_id = p.id) AS last_import
FROM productions p LEFT JOIN ({PRODUCTION_BUDGET.text}) b ON b.production_id = p.id
ORDER BY p.id
""",
)
