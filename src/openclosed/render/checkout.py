"""Renderings of a budget check: text for logs, JSON for scripts, Markdown for pull requests."""

from __future__ import annotations

from typing import Any

from ..analyses.checks import FEASIBLE, RUNS
from .escape import md
from .fmt import money, printable
from .jsonout import to_json


def _catalogue_date(data: dict[str, Any]) -> str:
    """The newest entry's date (the files' own date for a check written before it existed)."""
    return data.get("catalog_newest_as_of") or data["catalog_as_of"]


def _figure(c: dict[str, Any]) -> str:
    if c["budget"] == "max_monthly_cost":
        return f"{money(c['figure'])}/month vs limit {money(c['limit'])}"
    if c["budget"] == "max_capex":
        return f"{money(c['figure'])} paid up front (capex) vs limit {money(c['limit'])}"
    if c["budget"] == "max_cost_per_million":
        return f"{money(c['figure'])} per million tokens vs limit {money(c['limit'])}"
    if c["budget"] == "max_increase_pct":
        if c["figure"] is None:
            return c.get("note", "not in baseline")
        return f"{c['figure']:+.2f}% vs baseline {money(c['baseline_monthly_cost'])} (limit +{c['limit']:g}%)"
    return f"{c['figure']}"


def _routed_lines(data: dict[str, Any]) -> list[str]:
    """What a routed check checked: the routed total, class by class."""
    r = data["routing"]
    lines = ["  the budget applies to the routed total, every traffic class on its recommended option:"]
    for c in r["classes"]:
        cost = money(c["monthly_cost"]) if c["monthly_cost"] is not None else "–"
        lines.append(
            f"    {c['name']} ({c['share'] * 100:g}%): {c['recommended'] or 'no feasible option'}, {cost}/month"
        )
    if r.get("single_option") and r.get("single_option_monthly_cost") is not None:
        lines.append(
            f"  one option for every class would be {r['single_option']} at "
            f"{money(r['single_option_monthly_cost'])}/month (pass --option to check one option instead)"
        )
    return lines


def failure_summary(breaches: list[dict[str, Any]]) -> str:
    """What failed, in words: an option that cannot run, or that a constraint rules out, has not
    exceeded a budget."""
    kinds = {b["budget"] for b in breaches}
    if RUNS in kinds:
        return "the option cannot run"
    budgets = len([b for b in breaches if b["budget"] != FEASIBLE])
    parts = [f"{budgets} budget(s) exceeded"] if budgets else []
    if FEASIBLE in kinds:
        parts.append("a constraint rules the option out")
    return "; ".join(parts)


def _verdict(c: dict[str, Any]) -> str:
    return "ok" if c["passed"] else "FAIL" if c["budget"] in (RUNS, FEASIBLE) else "OVER"


def check_text(data: dict[str, Any]) -> str:
    o = data["option"] or {"id": "routed plan", **data["routed"]}
    head = f"{'PASS' if data['passed'] else 'FAIL'}: {o['id']}"
    if o["monthly_cost"] is None:
        lines = [f"{head} cannot run"]
    else:
        lines = [
            f"{head} costs {money(o['monthly_cost'])}/month ({money(o['cost_per_million_tokens'])} per million tokens)"
            + (f" and {money(o['capex'])} up front (capex)" if o.get("capex") else "")
        ]
    if data.get("routing") is not None:
        lines += _routed_lines(data)
    for c in data["checks"]:
        lines.append(f"  [{_verdict(c)}] {c['budget']}: {_figure(c)}")
    lines.append(f"Catalogue as of {_catalogue_date(data)}.")
    # Ids and class names come from overlays and workload files: no control character reaches a terminal.
    return "\n".join(printable(line) for line in lines) + "\n"


def check_json(data: dict[str, Any]) -> str:
    return to_json(data)


def check_markdown(data: dict[str, Any]) -> str:
    o = data["option"]
    icon = "✅" if data["passed"] else "❌"
    lines = [f"### {icon} openclosed budget check: {'passed' if data['passed'] else 'failed'}", ""]
    if o is None:  # a routed workload: the routed total was checked
        r, routed = data["routing"], data["routed"]
        lines.append("The budget applies to the routed total: every traffic class on its recommended option.")
        lines += ["", "| class | share | option | $/month |", "|---|---:|---|---:|"]
        for c in r["classes"]:
            cost = money(c["monthly_cost"]) if c["monthly_cost"] is not None else "–"
            lines.append(f"| {md(c['name'])} | {c['share'] * 100:g}% | {md(c['recommended'] or '–')} | {cost} |")
        lines.append(f"| **routed total** (checked) | 100% | | {money(routed['monthly_cost'])} |")
        if r.get("single_option") and r.get("single_option_monthly_cost") is not None:
            lines.append(
                f"| single option | 100% | {md(r['single_option'])} | {money(r['single_option_monthly_cost'])} |"
            )
    else:
        lines.append("| option | $/month | capex | $/M tokens | overall | deployment |")
        lines.append("|---|---:|---:|---:|---:|---|")
        lines.append(
            f"| **{md(o['id'])}** (checked) | {money(o['monthly_cost'])} | {money(o.get('capex', 0.0))} | "
            f"{money(o['cost_per_million_tokens'])} | {o['scores']['overall']:.0f} | {md(o['deployment'])} |"
        )
    for a in data["alternatives"]:
        lines.append(
            f"| {md(a['id'])} | {money(a['monthly_cost'])} | {money(a.get('capex', 0.0))} | "
            f"{money(a['cost_per_million_tokens'])} | {a['scores']['overall']:.0f} | {md(a['deployment'])} |"
        )
    lines += ["", "| budget | result | detail |", "|---|---|---|"]
    for c in data["checks"]:
        result = "ok" if c["passed"] else f"**{_verdict(c).lower()}**"
        lines.append(f"| {md(c['budget'])} | {result} | {md(_figure(c))} |")
    if data["breaches"]:
        lines += ["", f"**Check failed: {failure_summary(data['breaches'])}.**"]
    lines += [
        "",
        f"_Catalogue as of {_catalogue_date(data)}; workload {md(data['workload']['name'])} "
        f"({data['workload']['requests_per_month']:,.0f} requests/month)._",
    ]
    return "\n".join(lines) + "\n"
