"""`check` as a text table: status, figures, and which thresholds are unverified."""

from __future__ import annotations

from finance.domain.fmt import aligned, fmt_money
from rules.model import Status
from rules.runs import CheckRun

MARK = {
    "pass": "PASS",
    "fail": "FAIL",
    "warn": "WARN",
    "not_applicable": "n/a",
    "insufficient_data": "DATA?",
}


def check_table(run: CheckRun, lang: str = "fr") -> str:
    """One line per rule (whether every input it rests on is verified in a column of its
    own), then the explanations and the unverified parameters."""
    head = (
        "rule",
        "status",
        "measured",
        "threshold",
        "shortfall",
        "projected",
        "where",
        "verified",
    )
    rows = [head] + [
        (
            r.rule_id,
            MARK[r.status.value],
            fmt_money(r.measured, lang),
            fmt_money(r.threshold, lang),
            fmt_money(r.shortfall, lang),
            fmt_money(r.projected, lang),
            r.spend_where or "",
            "yes" if r.verified else "NO",
        )
        for r in run.results
    ]
    lines = aligned(rows, left=(0, 1, 6, 7))
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


#: a production's status: its worst result's, in this order
WORST_FIRST = (Status.FAIL, Status.INSUFFICIENT_DATA, Status.WARN, Status.PASS)


def run_status(run: CheckRun) -> Status:
    """The production's status in a portfolio: fail if a rule fails, then missing data, then
    warn (at risk or on track), pass; not_applicable when no rule applies."""
    found = {r.status for r in run.results}
    return next((s for s in WORST_FIRST if s in found), Status.NOT_APPLICABLE)


def portfolio_table(runs: list[CheckRun]) -> str:
    """`check --all`: one line per production with its status and its results by status."""
    order = (*WORST_FIRST, Status.NOT_APPLICABLE)
    head = ("production", "status", *(MARK[s.value] for s in order), "unverified", "run")
    rows = [head] + [
        (
            run.production_id,
            MARK[run_status(run).value],
            *(str(sum(r.status is s for r in run.results)) for s in order),
            str(sum(not r.verified for r in run.results)),
            str(run.run_id),
        )
        for run in runs
    ]
    lines = aligned(rows)
    failed = sum(run.failed for run in runs)
    lines += [
        "",
        f"{len(runs)} production{'s' if len(runs) > 1 else ''} at {runs[0].at.isoformat()}, "
        f"rulebook {runs[0].rulebook}: "
        f"{failed} with a failed rule; `cineledger check PRODUCTION` for a production's details",
    ]
    return "\n".join(lines)
