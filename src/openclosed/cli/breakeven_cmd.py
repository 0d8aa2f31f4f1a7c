"""`openclosed breakeven A B [WORKLOAD]`."""

from __future__ import annotations

import math
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
    catalog,
    check_outputs,
    parse_today,
    show,
    warn_after,
    with_workload_flags,
    workload_from_flags,
)


def register(app: typer.Typer) -> None:
    @app.command("breakeven")
    @with_workload_flags
    def breakeven_cmd(
        option_a: Annotated[str, typer.Argument(help="First option id, e.g. gpt-4o@openai.")],
        option_b: Annotated[str, typer.Argument(help="Second option id, e.g. llama-3.3-70b@aws:h100-sxm.")],
        workload: Annotated[Path | None, typer.Argument(help="Workload YAML (volume is varied).")] = None,
        fmt: FormatOpt = Format.table,
        out_file: OutFileOpt = None,
        low: Annotated[float, typer.Option("--from", help="Lowest requests per month searched.")] = 1e3,
        high: Annotated[float, typer.Option("--to", help="Highest requests per month searched.")] = 1e10,
        points: Annotated[int, typer.Option("--points", min=3, max=2000, help="Grid points before bisection.")] = 71,
        chart: Annotated[
            Path | None, typer.Option("--chart", help="Also write a PNG or SVG chart (needs openclosed[plot]).")
        ] = None,
        plot: Annotated[
            bool,
            typer.Option(
                "--plot/--no-plot", help="Draw a terminal chart of both costs above the table (table format)."
            ),
        ] = False,
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
        stale_days: StaleOpt = 90,
        wl_flags: dict | None = None,
    ) -> None:
        """The monthly volume at which two options cost the same (every crossing)."""
        import math

        from ..analyses.breakeven import breakeven
        from ..engine import Engine, Settings
        from ..errors import InputError
        from ..render import Column, View

        if not (math.isfinite(low) and math.isfinite(high) and 0 < low < high):
            raise InputError.one("expected finite numbers with 0 < --from < --to", field="--from")
        check_outputs(out_file, chart)
        cat = catalog(catalog_dir)
        wl, source = workload_from_flags(workload, wl_flags or {})
        from ..workload.classes import blend

        wl = blend(wl)  # traffic classes: the options priced for the classes' mix, as in `compare`
        engine = Engine(cat, wl, Settings(today=parse_today(today), stale_days=stale_days, workload_source=source))
        data = breakeven(engine, option_a, option_b, low, high, points)
        both = [engine.option(oid)[0] for oid in (data["option_a"], data["option_b"])]
        notes = []
        if data["crossings"]:
            for c in data["crossings"]:
                notes.append(
                    f"Break-even at {c['requests_per_month']:,.0f} requests/month "
                    f"({c['tokens_per_month']:,.0f} tokens): ${c['cost_a']:,.2f} vs ${c['cost_b']:,.2f}; "
                    f"cheaper below: {c['cheaper_below']}, above: {c['cheaper_above']}."
                )
                notes += fleet_notes(c)
        else:
            first = data["points"][0]
            who = data["option_a"] if first["cost_a"] < first["cost_b"] else data["option_b"]
            notes.append(f"No crossing between {low:,.0f} and {high:,.0f} requests/month: {who} is cheaper throughout.")
        short = fmt.value in ("table", "markdown")
        rows = breakeven_rows(data, short)
        grid_rows = sum(1 for r in rows if r["cheaper"] != "= break-even")
        if grid_rows < len(data["points"]):
            notes.append(
                f"The table shows {grid_rows} of {len(data['points'])} points (each decade and each "
                "break-even); --format csv or json has every point."
            )
        view = View(
            title=f"openclosed breakeven: a = {data['option_a']}, b = {data['option_b']}",
            columns=[
                Column("requests_per_month", "requests/month", "number"),
                Column("tokens_per_month", "tokens/month", "number", optional=1),
                Column("cost_a", "a $/month", "money"),
                Column("cost_b", "b $/month", "money"),
                Column("cheaper", "cheaper", "text"),
            ],
            rows=rows,
            json=data,
            notes=notes,
            csv_columns=[Column(k, k) for k in ("requests_per_month", "tokens_per_month", "cost_a", "cost_b")],
            csv_rows=data["points"],
        )
        if chart is not None:
            from ..render.chart import breakeven_chart

            breakeven_chart(data, chart)
        if plot and fmt.value == "table":
            import sys

            from ..render import RENDERERS
            from ..render.chart import breakeven_chart_data, terminal_chart
            from .common import _env_width, _no_color, emit

            color = out_file is None and sys.stdout.isatty() and not _no_color()
            width = _env_width() or 100
            text = terminal_chart(breakeven_chart_data(data), width=min(width, 120), color=color)
            emit(text + "\n" + RENDERERS["table"](view, width=width, color=color), out_file)
        else:
            show(view, fmt.value, out_file)
        # A purchase sized at the workload's own volume says nothing of the break-even's (its fleet
        # is in the notes above).
        from types import SimpleNamespace

        both = [
            SimpleNamespace(id=o.id, warnings=[w for w in o.warnings if not w.startswith("on-prem:")]) for o in both
        ]
        warn_after([], both, name_options=True)


SHORT_TABLE = 15  # a grid this small is shown whole


def fleet_notes(c: dict[str, Any]) -> list[str]:
    """What a self-hosted option runs at a break-even volume (its servers there, not at the
    workload's own volume)."""
    out = []
    for side in ("a", "b"):
        f = c.get(f"fleet_{side}")
        if f:
            capex = f", bought for about ${f['capex']:,.0f} up front" if f.get("capex") else ""
            out.append(
                f"At that volume {side} runs {f['replicas']} replica{'s' if f['replicas'] != 1 else ''} × "
                f"{f['gpus_per_replica']} GPU{'s' if f['gpus_per_replica'] != 1 else ''}: {f['billed_gpus']} GPUs "
                f"on {f['nodes']} node{'s' if f['nodes'] != 1 else ''} (servers of up to 8 GPUs){capex}."
            )
    return out


def breakeven_rows(data: dict[str, Any], short: bool) -> list[dict[str, Any]]:
    """Table rows: every grid point, or (`short`) the decades and the break-even points, each
    row saying which option is cheaper there."""
    points = data["points"]
    picked = list(range(len(points)))
    if short and len(points) > SHORT_TABLE:
        logs = [math.log10(p["requests_per_month"]) for p in points]
        picked = [i for i, v in enumerate(logs) if abs(v - round(v)) < 0.01]
        if len(picked) < 4:
            step = (len(points) - 1) / (SHORT_TABLE - 1)
            picked = [round(k * step) for k in range(SHORT_TABLE)]
        picked = sorted({0, len(points) - 1, *picked})
    rows = [dict(points[i]) for i in picked]
    if short:
        rows += [{**c, "cheaper": "= break-even"} for c in data["crossings"]]
        rows.sort(key=lambda r: (r["requests_per_month"], "cheaper" not in r))
    for r in rows:
        if "cheaper" not in r:
            a, b = r["cost_a"], r["cost_b"]
            r["cheaper"] = "a" if a < b else "b" if b < a else "same"
    return rows
