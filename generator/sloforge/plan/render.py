"""A plan as a terminal table, a pull-request comment (Markdown) or JSON."""

from __future__ import annotations

import io
import json

from sloforge.plan.changes import KINDS, Plan

TITLES = {"budget-reset": "Budgets that start anew", "routing": "Routing", "contract": "Metric contract",
          "objective": "Objectives and periods",
          "history": "Against the last period's data", "alerting": "Alerting", "slo": "SLOs added",
          "files": "Files and dashboards"}


def summary_line(plan: Plan) -> str:
    if not plan.changes:
        return f"no changes to {plan.slos_after} SLOs"
    counts = ", ".join(f"{len(plan.of(k))} {TITLES[k].lower()}" for k in KINDS if plan.of(k))
    return f"{plan.slos_before} -> {plan.slos_after} SLOs: {counts}"


def markdown(plan: Plan) -> str:
    lines = ["### sloforge plan", "", summary_line(plan), ""]
    if not plan.changes:
        return "\n".join(lines)
    lines += ["| what | count |", "|---|---|"]
    lines += [f"| {TITLES[k]} | {len(plan.of(k))} |" for k in KINDS if plan.of(k)]
    for kind in KINDS:
        changes = plan.of(kind)
        if not changes:
            continue
        lines += ["", f"<details{' open' if kind in ('budget-reset', 'routing', 'history') else ''}>"
                  f"<summary><b>{TITLES[kind]}</b> ({len(changes)})</summary>", ""]
        for change in changes:
            lines.append(f"- **{_escape(change.subject)}**: {_escape(change.summary)}")
            lines += [f"  - {_escape(detail)}" for detail in change.details]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("&lt;-&gt;", "<->") \
        .replace("-&gt;", "->")


def to_json(plan: Plan) -> str:
    return json.dumps({"summary": summary_line(plan), "slos_before": plan.slos_before, "slos_after": plan.slos_after,
                       "changes": [c.to_json() for c in plan.changes]}, indent=2) + "\n"


def table(plan: Plan, width: int | None = None) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=width, record=True, file=io.StringIO())
    console.print(summary_line(plan))
    if plan.changes:
        grid = Table(show_lines=False)
        for column in ("kind", "subject", "change"):
            grid.add_column(column, overflow="fold")
        for change in plan.changes:
            grid.add_row(change.kind, change.subject, "\n".join([change.summary, *change.details]))
        console.print(grid)
    return console.export_text()
