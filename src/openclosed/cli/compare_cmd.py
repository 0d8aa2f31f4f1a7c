"""`openclosed compare` and `openclosed explain`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    CatalogOpt,
    Format,
    FormatHtml,
    FormatOpt,
    OutFileOpt,
    StaleOpt,
    TodayOpt,
    catalog,
    parse_today,
    show,
    warn,
    with_workload_flags,
    workload_from_flags,
)

WorkloadArg = Annotated[
    Path | None,
    typer.Argument(help="Workload YAML file (schema version 1). Default: the chatbot preset.", show_default=False),
]
ProfileOpt = Annotated[str, typer.Option("--profile", help="Score weights: balanced, cost, privacy, quality.")]
WeightsOpt = Annotated[
    str | None, typer.Option("--weights", help="Explicit weights, e.g. cost=0.5,privacy=0.3,quality=0.2.")
]


def run_engine(
    workload: Path | None,
    wl_flags: dict[str, Any],
    catalog_dir: Path | None,
    today: str | None,
    stale_days: int,
    profile: str = "balanced",
    weights: str | None = None,
    sort: str = "overall",
    models: list[str] | None = None,
    providers: list[str] | None = None,
    deployment: str | None = None,
    note: bool = True,
) -> tuple[Any, Any, Any]:
    from ..engine import Settings, compare

    cat = catalog(catalog_dir)
    wl, source = workload_from_flags(workload, wl_flags, note=note)
    settings = Settings(
        profile=profile,
        weights=weights,
        sort=sort,
        today=parse_today(today),
        stale_days=stale_days,
        models=_split(models),
        providers=_split(providers),
        deployment=deployment,
        workload_source=source,
    )
    return cat, wl, compare(cat, wl, settings)


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for part in values for v in part.split(",") if v.strip()]


def register(app: typer.Typer) -> None:
    @app.command("compare")
    @with_workload_flags
    def compare_cmd(
        workload: WorkloadArg = None,
        fmt: Annotated[FormatHtml, typer.Option("--format", "-f", help="Output format.")] = FormatHtml.table,
        out_file: OutFileOpt = None,
        show_all: Annotated[
            bool, typer.Option("--all", help="Every option, feasible or not, with violations.")
        ] = False,
        top: Annotated[int | None, typer.Option("--top", min=1, help="Show only the first N rows.")] = None,
        models: Annotated[
            list[str] | None, typer.Option("--models", help="Only these models (repeat or comma-separate).")
        ] = None,
        providers: Annotated[
            list[str] | None, typer.Option("--providers", help="Only these providers or clouds.")
        ] = None,
        deployment: Annotated[str | None, typer.Option("--deployment", help="api or self-hosted.")] = None,
        sort: Annotated[str, typer.Option("--sort", help="overall, cost, privacy, lock-in or quality.")] = "overall",
        profile: ProfileOpt = "balanced",
        weights: WeightsOpt = None,
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
        stale_days: StaleOpt = 90,
        wl_flags: dict | None = None,
    ) -> None:
        """Compare every way to serve a workload; rank by overall score (or --sort)."""
        from ..recommend import shown_options
        from ..render.views import compare_view

        _, _, result = run_engine(
            workload,
            wl_flags or {},
            catalog_dir,
            today,
            stale_days,
            profile,
            weights,
            sort,
            models,
            providers,
            deployment,
        )
        report = result.report
        if show_all:
            options = report.options[:top] if top else report.options
        else:
            options = shown_options(report.options, report.recommendation, top)
        shown = report.model_copy(update={"options": options})
        for w in report.warnings:
            warn(w)
        fmt_value = fmt.value
        if fmt_value == "html":
            from ..render.html import report_html
            from .common import emit

            emit(report_html(shown, result), out_file)
            return
        show(compare_view(shown, options, show_all), fmt_value, out_file)

    @app.command("explain")
    @with_workload_flags
    def explain_cmd(
        option: Annotated[str, typer.Argument(help="Option id, e.g. gpt-4o@openai or llama-3.3-70b@aws:h100-sxm.")],
        workload: WorkloadArg = None,
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        profile: ProfileOpt = "balanced",
        weights: WeightsOpt = None,
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
        stale_days: StaleOpt = 90,
        wl_flags: dict | None = None,
    ) -> None:
        """Show where every number of one option comes from: formula, inputs, sources."""
        from ..explain import explain
        from ..render import Column, View

        cat, wl, result = run_engine(workload, wl_flags or {}, catalog_dir, today, stale_days, profile, weights)
        data = explain(cat, wl, result, option)
        for w in data["option"].get("warnings") or []:
            warn(f"{data['option']['id']}: {w}")
        if fmt.value == "table":
            from ..render.trace import trace_text
            from .common import emit, terminal_width

            emit(trace_text(data, terminal_width(out_file)), out_file)
            return
        rows = []
        for s in data["steps"]:
            value = s["value"]
            if isinstance(value, dict):
                value = ", ".join(f"{k}={v}" for k, v in value.items() if v is not None)
            src = f"{s['source']} ({s['as_of']})" if s["source"] else ""
            rows.append({**s, "value_text": str(value), "source_text": src})
        view = View(
            title=f"openclosed explain {data['option']['id']}",
            columns=[
                Column("section", "section", width=12),
                Column("item", "item", width=28),
                Column("value_text", "value", width=40),
                Column("how", "how", width=50),
                Column("source_text", "source", width=40),
            ],
            rows=rows,
            json=data,
            csv_columns=[Column(k, k) for k in ("section", "item", "value_text", "how", "source", "as_of")],
        )
        show(view, fmt.value, out_file)
