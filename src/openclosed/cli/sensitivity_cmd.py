"""`openclosed sensitivity [WORKLOAD]`: which input moves the recommendation, and where it flips."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from .common import (
    CatalogOpt,
    FormatHtml,
    OutFileOpt,
    StaleOpt,
    TodayOpt,
    _env_width,
    _no_color,
    catalog,
    emit,
    info,
    parse_today,
    show,
    with_workload_flags,
    workload_from_flags,
)


def register(app: typer.Typer) -> None:
    @app.command("sensitivity")
    @with_workload_flags
    def sensitivity_cmd(
        workload: Annotated[
            Path | None, typer.Argument(help="Workload YAML file. Default: the chatbot preset.", show_default=False)
        ] = None,
        fmt: Annotated[FormatHtml, typer.Option("--format", "-f", help="Output format.")] = FormatHtml.table,
        out_file: OutFileOpt = None,
        chart: Annotated[
            Path | None, typer.Option("--chart", help="Also write the tornado chart as PNG or SVG (openclosed[plot]).")
        ] = None,
        show_all: Annotated[
            bool, typer.Option("--all", help="Every input in the table, not only those that move the answer.")
        ] = False,
        plot: Annotated[
            bool, typer.Option("--plot/--no-plot", help="Draw the tornado chart above the table (table format).")
        ] = True,
        profile: Annotated[str, typer.Option("--profile", help="Score weights: balanced, cost, privacy, quality.")] = (
            "balanced"
        ),
        weights: Annotated[
            str | None, typer.Option("--weights", help="Explicit weights, e.g. cost=0.5,privacy=0.3,quality=0.2.")
        ] = None,
        models: Annotated[
            list[str] | None, typer.Option("--models", help="Only these models (repeat or comma-separate).")
        ] = None,
        providers: Annotated[
            list[str] | None, typer.Option("--providers", help="Only these providers or clouds.")
        ] = None,
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
        stale_days: StaleOpt = 90,
        wl_flags: dict | None = None,
    ) -> None:
        """Swing each uncertain input between its low and high value: what moves the answer, where it flips."""
        from ..analyses.sensitivity import sensitivity
        from ..engine import Engine, Settings
        from ..errors import InputError
        from ..render.tornado import sensitivity_html, sensitivity_view, tornado_chart, tornado_text
        from .compare_cmd import _split

        if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
            raise InputError.one(f"expected a .png or .svg file (got {chart.name!r})", field="--chart")
        cat = catalog(catalog_dir)
        wl, source = workload_from_flags(workload, wl_flags or {})
        settings = Settings(
            profile=profile,
            weights=weights,
            today=parse_today(today),
            stale_days=stale_days,
            workload_source=source,
            models=_split(models),
            providers=_split(providers),
            samples=0,  # the swings replace the sampling here
        )
        result = sensitivity(Engine(cat, wl, settings))
        if chart is not None:
            tornado_chart(result, chart)
            info(f"wrote {chart}")
        view = sensitivity_view(result, show_all)
        if fmt.value == "html":
            emit(sensitivity_html(result, view), out_file)
            return
        if fmt.value == "table" and plot:
            from ..render import RENDERERS

            color = out_file is None and sys.stdout.isatty() and not _no_color()
            width = _env_width() or 100
            text = tornado_text(result, min(width, 120)) + "\n" + RENDERERS["table"](view, width=width, color=color)
            emit(text, out_file)
            return
        show(view, fmt.value, out_file)
