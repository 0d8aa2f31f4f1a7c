"""`openclosed check` (budgets for CI) and `openclosed diff` (two saved reports)."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    CatalogOpt,
    Format,
    FormatOpt,
    OutFileOpt,
    StaleOpt,
    TodayOpt,
    emit,
    info,
    show,
    warn,
    with_workload_flags,
)


class CheckFormat(str, Enum):
    text = "text"
    json = "json"
    markdown = "markdown"


def register(app: typer.Typer) -> None:
    @app.command("check")
    @with_workload_flags
    def check_cmd(
        workload: Annotated[Path | None, typer.Argument(help="Workload YAML; its budget: section applies.")] = None,
        option: Annotated[
            str | None, typer.Option("--option", help="Option to check (default: the recommended one).")
        ] = None,
        max_monthly_cost: Annotated[
            float | None, typer.Option("--max-monthly-cost", min=0, help="Budget: USD per month.")
        ] = None,
        max_cost_per_million: Annotated[
            float | None, typer.Option("--max-cost-per-million", min=0, help="Budget: USD per million tokens.")
        ] = None,
        max_capex: Annotated[
            float | None,
            typer.Option("--max-capex", min=0, help="Budget: USD paid up front for owned servers (capex)."),
        ] = None,
        baseline: Annotated[
            Path | None, typer.Option("--baseline", help="A saved `compare --format json` report.")
        ] = None,
        max_increase_pct: Annotated[
            float | None, typer.Option("--max-increase-pct", min=0, help="Allowed increase over the baseline, percent.")
        ] = None,
        warn_only: Annotated[bool, typer.Option("--warn-only", help="Report breaches but exit 0.")] = False,
        fmt: Annotated[CheckFormat, typer.Option("--format", "-f", help="text, json or markdown.")] = CheckFormat.text,
        out_file: OutFileOpt = None,
        profile: Annotated[str, typer.Option("--profile")] = "balanced",
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
        stale_days: StaleOpt = 90,
        wl_flags: dict | None = None,
    ) -> None:
        """Fail (exit 1) when a planned deployment breaks a budget; Markdown for pull requests."""
        from ..analyses.checks import alternatives, check_budgets, load_report, routed_baseline, routed_plan
        from ..analyses.explain import find_option
        from ..errors import InputError
        from ..render.checkout import check_json, check_markdown, check_text, failure_summary
        from ..render.warnings import summarise
        from .compare_cmd import run_engine

        _, wl, result = run_engine(workload, wl_flags or {}, catalog_dir, today, stale_days, profile, **_lean(option))
        report = result.report
        budget = wl.budget
        max_monthly_cost = max_monthly_cost if max_monthly_cost is not None else budget.max_monthly_cost
        max_cost_per_million = max_cost_per_million if max_cost_per_million is not None else budget.max_cost_per_million
        max_increase_pct = max_increase_pct if max_increase_pct is not None else budget.max_increase_pct
        max_capex = max_capex if max_capex is not None else budget.max_capex
        base = load_report(baseline) if baseline is not None else None
        if max_monthly_cost is None and max_cost_per_million is None and base is None and max_capex is None:
            raise InputError.one(
                "no budget: give --max-monthly-cost, --max-cost-per-million, --max-capex or --baseline, "
                "or a budget: section in the workload",
                field="budget",
            )
        # A workload with traffic classes: the budget applies to what the report advises
        # (`recommendation_kind`): the routed total, or the single option that serves every class;
        # --option names one option for the whole traffic.
        advises_routing = report.recommendation_kind != "single"
        routed = routed_plan(report) if not option and advises_routing else None
        if routed is not None:
            assert report.routing is not None
            checks, breaches = check_budgets(
                routed,
                max_monthly_cost,
                max_cost_per_million,
                routed_baseline(base) if base is not None else None,
                max_increase_pct,
                max_capex,
            )
            warnings = [w for w in [_stale_line(result, _plan_options(report))] if w]
            data = {
                "schema_version": 1,
                "passed": not breaches,
                "warn_only": warn_only,
                "checked": "routing",
                "option": None,
                "routing": report.routing.model_dump(mode="json"),
                "routed": {
                    "monthly_cost": routed.monthly_cost,
                    "cost_per_million_tokens": routed.cost_per_million_tokens,
                    "capex": routed.capex,
                },
                "checks": checks,
                "breaches": breaches,
                "alternatives": [],
                "catalog_as_of": report.catalog.as_of,
                "catalog_newest_as_of": report.catalog.newest_as_of,
                "workload": report.workload.model_dump(mode="json"),
                "warnings": warnings,
            }
        else:
            if option:
                checked = find_option(result, option)
            elif report.recommended:
                checked = find_option(result, report.recommended)
            else:
                raise InputError.one("no feasible option to check; name one with --option", field="--option")
            # Warnings about the checked option, plus the catalogue-wide staleness summary; the
            # recommended option's own warnings matter only when it is the one checked.
            warnings = [f"{checked.id}: {w}" for w in checked.warnings]
            checks, breaches = check_budgets(
                checked, max_monthly_cost, max_cost_per_million, base, max_increase_pct, max_capex
            )
            from ..render.listing import renumber

            # Alternatives are ranked 1..n as listed; the checked option keeps its place among all.
            alts = renumber(alternatives(report, checked))
            # Stale prices counted over the options the output shows: in Markdown and JSON the checked
            # one and its alternatives (the text shows the checked one, whose own warning says it).
            warnings += [w for w in [_stale_line(result, [checked, *alts])] if w and fmt.value != "text"]
            result.fill_ranges([checked, *alts])  # the ranges of the options printed only (`_lean`)
            checked = checked.model_copy(update={"rank_among_all": checked.rank})
            data = {
                "schema_version": 1,
                "passed": not breaches,
                "warn_only": warn_only,
                "checked": "option",
                "option": checked.model_dump(mode="json"),
                "checks": checks,
                "breaches": breaches,
                "alternatives": [a.model_dump(mode="json") for a in alts],
                "catalog_as_of": report.catalog.as_of,
                "catalog_newest_as_of": report.catalog.newest_as_of,
                "workload": report.workload.model_dump(mode="json"),
                "warnings": warnings,
            }
        text = {"text": check_text, "json": check_json, "markdown": check_markdown}[fmt.value](data)
        emit(text, out_file)
        for w in summarise(warnings, []):
            warn(w)
        if breaches:
            info(f"check failed: {failure_summary(breaches)}" + (" (--warn-only: exit 0)" if warn_only else ""))
            if not warn_only:
                raise typer.Exit(1)
        else:
            info("check passed")

    @app.command("diff")
    def diff_cmd(
        base: Annotated[Path, typer.Argument(help="Older `compare --format json` report.")],
        new: Annotated[Path, typer.Argument(help="Newer report.")],
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
    ) -> None:
        """What changed between two saved reports: costs, options added and removed, recommendation."""
        from ..analyses.checks import diff_reports, load_report

        data = diff_reports(load_report(base), load_report(new))
        show(diff_view(data, fmt.value in ("table", "markdown")), fmt.value, out_file)


def _lean(option: str | None) -> dict[str, bool]:
    """`run_engine`'s flags for check: without --option, check reads the routed plan or the
    recommended option and its feasible alternatives, never an infeasible option's violations,
    so traffic classes run lean. Cost ranges are priced for the options it prints (the checked
    one and its alternatives; a routed plan prints none), not all ~1,600: the recommendation's
    confidence counts sampled winners, never a range."""
    return {"note": False, "lean_classes": not option, "lazy_ranges": True}


def _plan_options(report: Any) -> list[Any]:
    """The options a routed plan uses: each class's and the single option."""
    named = {c.recommended for c in report.routing.classes} | {report.routing.single_option}
    return [o for o in report.options if o.id in named]


def _stale_line(result: Any, shown: list[Any]) -> str | None:
    """The stale-price warning over the options a check shows, not the whole catalogue."""
    import datetime as dt

    from ..staleness import price_date, staleness

    today = dt.date.fromisoformat(result.report.generated_for)
    st = staleness([(o.id, price_date(o)) for o in shown], today, result.stale_days)
    return st.message if st else None


RANK_ONLY_ROWS = 10  # options that only moved in rank, listed in a table before a count


def diff_view(data: dict, short: bool) -> Any:
    """The rows of a report diff; `short` (table, Markdown) lists at most RANK_ONLY_ROWS options
    whose only change is their rank."""
    from ..render import Column, View

    rows, rank_only = [], 0
    for c in data["changed"]:
        moved_only = c["change"] == 0 and c["id"] == c["id_before"]
        rank_only += moved_only
        if short and moved_only and rank_only > RANK_ONLY_ROWS:
            continue
        label = c["id"] if c["id"] == c["id_before"] else f"{c['id_before']} → {c['id']}"
        rank = (
            f"{c['rank_before']} → {c['rank_after']}" if c["rank_before"] != c["rank_after"] else str(c["rank_after"])
        )
        rows.append(
            {**c, "label": label, "rank": rank, "change": c["change"] or None, "change_pct": c["change_pct"] or None}
        )
    before, after = data["recommended_before"], data["recommended_after"]
    notes = [
        f"Recommended: {before} → {after}" if before != after else f"Recommended: {after} (unchanged)",
        f"{len(data['changed'])} changed, {data['unchanged']} unchanged, "
        f"{len(data['added'])} added, {len(data['removed'])} removed.",
    ]
    if short and rank_only > RANK_ONLY_ROWS:
        notes.append(f"{rank_only - RANK_ONLY_ROWS} more options moved in rank only (--format json lists them).")
    if any(c["matched_by"] != "id" for c in data["changed"]):
        notes.append("a → b: the option serving that model and deployment kind changed.")
    if data["added"]:
        notes.append("Added: " + ", ".join(data["added"]))
    if data["removed"]:
        notes.append("Removed: " + ", ".join(data["removed"]))
    if data["catalog_before"] != data["catalog_after"]:
        notes.append(f"Catalogue as of {data['catalog_before']} → {data['catalog_after']}.")
    return View(
        title="openclosed diff",
        columns=[
            Column("label", "option", nowrap=True),
            Column("before", "before", "money"),
            Column("after", "after", "money"),
            Column("change", "change", "money"),
            Column("change_pct", "change %", "pct", optional=1),
            Column("rank", "rank", "text"),
        ],
        rows=rows,
        json=data,
        notes=notes,
        csv_columns=[
            Column(k, k)
            for k in (
                *("id", "id_before", "model", "deployment", "matched_by"),
                *("before", "after", "change", "change_pct", "rank_before", "rank_after"),
            )
        ],
        csv_rows=data["changed"],
    )
