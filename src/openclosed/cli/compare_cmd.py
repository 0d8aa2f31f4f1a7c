"""`openclosed compare` and `openclosed explain`."""

from __future__ import annotations

import datetime as _dt
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
    info,
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
    samples: int | None = None,
    lazy_ranges: bool = False,
    lean_classes: bool = False,
) -> tuple[Any, Any, Any]:
    from ..analyses.compare import compare
    from ..engine import Settings

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
        lazy_ranges=lazy_ranges,
    )
    if samples is not None:
        settings.samples = samples
    from ..workload.classes import blend

    # With traffic classes the whole-traffic figures are the classes' mix (explain shows them).
    return cat, blend(wl), compare(cat, wl, settings, lean_classes)


def _top(value: str | None) -> int | None:
    """--top: a positive count, or 'all' (no limit)."""
    if value is None or value.strip().lower() == "all":
        return None
    from ..errors import InputError

    try:
        n = int(value)
    except ValueError:
        n = 0
    if n < 1:
        raise InputError.one(f"expected a positive number or 'all' (got {value!r})", field="--top")
    return n


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for part in values for v in part.split(",") if v.strip()]


def _shown_warnings(result: Any, options: list[Any], marked: bool = True) -> list[str]:
    """The report's warnings with the stale-price count taken over the options shown, not all;
    `marked`: the output shows the latency column (a narrow table hides it)."""
    from ..api.speed import unchecked_summary
    from ..staleness import price_date, staleness

    report = result.report
    keep = [w for w in report.warnings if w not in (result.stale_summary, result.unchecked_summary)]
    today = _dt.date.fromisoformat(report.generated_for)
    st = staleness([(o.id, price_date(o)) for o in options], today, result.stale_days)
    unchecked = unchecked_summary(
        sum(1 for o in options if o.api_speed and o.api_speed.unchecked), len(options), marked
    )
    return keep + [w for w in (st.message if st else None, unchecked) if w]


def _hidden(view: Any, width: int, key: str) -> bool:
    """Whether the table at `width` hides the column `key`."""
    from ..render.table import fit_columns

    dropped = fit_columns([c for c in view.columns if c.table], view.rows, width)[2]
    return any(c.key == key for c in dropped)


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
        from ..decide.recommend import with_named
        from ..render.listing import best_per_model_and_kind, readable_rows, renumber
        from ..render.views import compare_view
        from ..render.warnings import rest_line
        from .common import table_width, warn_after

        limit = _top(top)
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
            samples=samples,
            # The HTML report charts every option; the other outputs price the ranges they print.
            lazy_ranges=fmt.value != "html",
            # Traffic classes: an output without --all lists no infeasible option, so no class
            # needs to price the self-hosted options that cannot change the answer.
            lean_classes=not show_all and fmt.value != "html",
        )
        report = result.report
        # The best option of each model, and of each kind: the best self-hosted option is worth
        # seeing even when an API serves every model more cheaply.
        if show_all:
            options = report.options[:limit] if limit else report.options
        else:
            options = best_per_model_and_kind([o for o in report.options if o.feasible])
            if limit:
                options = options[:limit]
            # Every option the recommendation's text names is in the list it is read beside.
            options = with_named(report.options, options, report.recommendation)
        result.fill_ranges(options)
        # `rank` is the position in the list this command outputs, in every format.
        options = renumber(options)
        shown = report.model_copy(update={"options": options, "warnings": _shown_warnings(result, options)})
        fmt_value = fmt.value
        if fmt_value == "csv" and report.routing is not None:
            from ..render.routing_view import csv_note

            info(csv_note(report))
        if fmt_value == "html":
            from ..render.html import report_html
            from .common import emit

            emit(report_html(shown, result), out_file)
            warn_after(shown.warnings, options)
            return
        rows = options
        if fmt_value in ("table", "markdown") and top is None and not show_all:
            rows = with_named(options, readable_rows(options), report.recommendation)
        width = table_width(out_file) if fmt_value == "table" else None
        view = compare_view(shown, rows, show_all, total=len(options), width=width)
        show(view, fmt_value, out_file)
        # Warnings about the rows on screen; those of the options the table leaves out are counted.
        marked = any(c.key == "latency_text" for c in view.columns) and not (
            width is not None and _hidden(view, width, "latency_text")
        )
        warn_after(_shown_warnings(result, rows, marked), rows)
        on_screen = {id(o) for o in rows}
        rest = rest_line([o for o in options if id(o) not in on_screen])
        if rest:
            warn(rest)

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

        cat, wl, result = run_engine(workload, wl_flags or {}, catalog_dir, today, stale_days, profile, weights)
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
