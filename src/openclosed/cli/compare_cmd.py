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
    show,
    warn,
    with_workload_flags,
)

# Shared with `check`, `sensitivity` and others, which import them from here.
from .compare_run import _split, run_engine  # noqa: F401

WorkloadArg = Annotated[
    Path | None,
    typer.Argument(help="Workload YAML file (schema version 1). Default: the chatbot preset.", show_default=False),
]
ProfileOpt = Annotated[str, typer.Option("--profile", help="Score weights: balanced, cost, privacy, quality.")]
WeightsOpt = Annotated[
    str | None, typer.Option("--weights", help="Explicit weights, e.g. cost=0.5,privacy=0.3,quality=0.2.")
]


ClassOpt = Annotated[
    str | None,
    typer.Option(
        "--class",
        help="A traffic class of the workload: trace the option's cost for that class alone "
        "(as routing compares it), with what the class pays in the routed plan.",
    ),
]


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
        top: Annotated[
            str | None,
            typer.Option(
                "--top",
                metavar="N|all",
                help="Output only the first N options. Default: every option in JSON/CSV/HTML; the "
                "table shows the first 10 and the best of each kind ('all' for every row).",
            ),
        ] = None,
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
        samples: Annotated[
            int | None,
            typer.Option(
                "--samples", min=0, max=10_000, help="Scenarios sampled for cost ranges and confidence (0: none)."
            ),
        ] = None,
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
        stale_days: StaleOpt = 90,
        wl_flags: dict | None = None,
    ) -> None:
        """Compare every way to serve a workload; rank by overall score (or --sort).

        With traffic.classes, also an option per class, the routed total and its saving."""
        from .compare_run import compare

        compare(
            workload,
            wl_flags or {},
            fmt.value,
            out_file=out_file,
            show_all=show_all,
            top=top,
            models=models,
            providers=providers,
            deployment=deployment,
            sort=sort,
            profile=profile,
            weights=weights,
            samples=samples,
            catalog_dir=catalog_dir,
            today=today,
            stale_days=stale_days,
        )

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
        traffic_class: ClassOpt = None,
        wl_flags: dict | None = None,
    ) -> None:
        """Show where every number of one option comes from: formula, inputs, sources."""
        from ..analyses.explain import explain, explain_class

        # Cost ranges priced for the one option shown (`explain` fills it), not for all of them.
        cat, wl, result = run_engine(
            workload, wl_flags or {}, catalog_dir, today, stale_days, profile, weights, lazy_ranges=True
        )
        data = (
            explain(cat, wl, result, option)
            if traffic_class is None
            else explain_class(cat, result, option, traffic_class)
        )
        # One option: its rank is its place in `compare --all`, the list it belongs to.
        data["option"]["rank_among_all"] = data["option"].get("rank")
        if fmt.value == "table":
            from ..render.trace import trace_text
            from .common import emit, terminal_width

            emit(trace_text(data, terminal_width(out_file)), out_file)
        else:
            _explain_other(data, fmt.value, out_file)
        # Each warning once where it is read: the trace on the terminal lists them in its last
        # section ("constraints"); otherwise (a file, JSON for a script) on stderr, after the output.
        on_screen = fmt.value == "table" and out_file is None
        for w in [] if on_screen else data["option"].get("warnings") or []:
            warn(f"{data['option']['id']}: {w}")


def _explain_other(data: dict[str, Any], fmt: str, out_file: Path | None) -> None:
    """`explain` as JSON, CSV or Markdown: one row per step."""
    from ..render import Column, View

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
    show(view, fmt, out_file)
