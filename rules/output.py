"""`check` as a text table: status, figures, and which thresholds are unverified."""

from __future__ import annotations

from finance.fmt import fmt_money
from rules.runs import CheckRun

MARK = {
    "pass": "PASS",
    "fail": "FAIL",
    "warn": "WARN",
    "not_applicable": "n/a",
    "insufficient_data": "DATA?",
}


def check_table(run: CheckRun, lang: str = "fr") -> str:
    """One line per rule, then the explanations and the unverified parameters."""
    head = ("rule", "status", "measured", "threshold", "shortfall", "projected", "where")
    rows = [head] + [
        (
            r.rule_id,
            MARK[r.status.value],
            fmt_money(r.measured, lang),
            fmt_money(r.threshold, lang),
            fmt_money(r.shortfall, lang),
            fmt_money(r.projected, lang),
            r.spend_where or "",
        )
        for r in run.results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = [
        "  ".join(
            c.ljust(w) if i in (0, 1, 6) else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        for row in rows
    ]
    lines.insert(1, "-" * len(lines[0]))
    lines += [
        "",
        f"{run.production_id} at {run.at.isoformat()}, rulebook {run.rulebook}, run {run.run_id}",
        "",
    ]
    for r in run.results:
        unverified = [p["name"] for p in r.parameters if p["confidence"] == "unverified"]
        unchecked = [
            p["name"] for p in r.parameters if not p["verified"] and p["confidence"] != "unverified"
        ]
        flag = f"  [UNVERIFIED figure: {', '.join(unverified)}]" if unverified else ""
        flag += (
            f"  [not checked against the legal text: {', '.join(unchecked)}]" if unchecked else ""
        )
        lines.append(f"{r.rule_id}: {r.explanation}{flag}")
    return "\n".join(lines)
