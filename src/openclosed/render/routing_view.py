"""The routing section of `compare`: each traffic class, the routed total, the single option, the saving."""

from __future__ import annotations

from ..report import Report, Routing
from ..units import money
from . import Block, Column

TITLE = "Routing by traffic class"


def routing_block(routing: Routing) -> Block:
    rows: list[dict[str, object]] = []
    for c in routing.classes:
        rows.append(
            {
                "name": c.name,
                "share": f"{c.share * 100:g}%",
                "requests_per_month": c.requests_per_month,
                "option": (c.recommended or "no feasible option") + (" (shared replicas)" if c.shared_fleet else ""),
                "monthly_cost": c.monthly_cost,
            }
        )
    total_rpm = sum(c.requests_per_month for c in routing.classes)
    rows.append(
        {
            "name": "routed total",
            "share": "100%",
            "requests_per_month": total_rpm,
            "option": "each class on its own option",
            "monthly_cost": routing.monthly_cost,
        }
    )
    rows.append(
        {
            "name": "single option",
            "share": "100%",
            "requests_per_month": total_rpm,
            "option": routing.single_option or "none serves every class",
            "monthly_cost": routing.single_option_monthly_cost,
        }
    )
    return Block(
        title=TITLE,
        columns=[
            Column("name", "class", width=24),
            Column("share", "share"),
            Column("requests_per_month", "requests/month", "int"),
            Column("option", "recommended option", width=44),
            Column("monthly_cost", "$/month", "money"),
        ],
        rows=rows,
        notes=routing_notes(routing),
    )


def kind_label(kind: str | None) -> str:
    """How a headline names the kind of advice a report gives (`recommendation_kind`)."""
    return {"routed": "routed plan", "single": "single option"}.get(kind or "", "none")


def routing_notes(routing: Routing) -> list[str]:
    notes = []
    if routing.saving is not None and routing.single_option is not None:
        verb = "saves" if routing.saving >= 0 else "costs"
        notes.append(
            f"Routing {verb} {money(abs(routing.saving))} a month ({abs(routing.saving_pct or 0):.1f}%) "
            f"against {routing.single_option}, the best single option that serves every class"
            + (
                f" (the cheapest such option: {routing.cheapest_single_option}, "
                f"{money(routing.cheapest_single_option_monthly_cost or 0)})."
                if routing.cheapest_single_option_monthly_cost is not None
                and routing.single_option_monthly_cost is not None
                and routing.cheapest_single_option_monthly_cost < routing.single_option_monthly_cost
                else "."
            )
        )
    notes.append(
        "Each class is compared as a workload of its own (its share of the requests, its tokens, "
        "its quality and latency needs); the ranked options above each serve every class, costed class by "
        "class, and an option a class rules out carries that class's reason (--all)."
    )
    notes += [n[0].upper() + n[1:] + "." for n in routing.notes]
    return notes


def csv_note(report: Report) -> str:
    """The line CSV writes on stderr for a routed workload: the advice first (the CSV is the table)."""
    assert report.routing is not None
    kind = report.recommendation_kind
    what = (
        "; ".join(f"{c.name} → {c.recommended}" for c in report.routing.classes)
        if kind == "routed"
        else report.recommended or "none"
    )
    return (
        f"recommendation ({kind_label(kind)}): {what}; the routing by traffic class is in the table, "
        "JSON, Markdown and HTML outputs"
    )
