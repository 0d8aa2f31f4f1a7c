"""`openclosed sweep [WORKLOAD] --vary FIELD=START..STOP`: see the trade-off."""

from __future__ import annotations

import sys
import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from .common import (
    CatalogOpt,
    OutFileOpt,
    TodayOpt,
    _env_width,
    _no_color,
    catalog,
    check_outputs,
    emit,
    err_console,
    info,
    parse_today,
    warn,
    with_workload_flags,
    workload_from_flags,
)


class SweepFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    markdown = "markdown"
    html = "html"


class CrossingsKind(str, Enum):
    cheapest = "cheapest"
    all = "all"


class LazyProgress:
    """A rich progress bar on stderr that appears only once a sweep has taken `delay` seconds,
    and never when stderr is not a terminal."""

    def __init__(self, label: str, delay: float = 0.4, console: Any = None) -> None:
        self.label, self.delay = label, delay
        self.console = console or err_console()
        self.started = time.monotonic()
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int, total: int) -> None:
        if self.bar is None:
            if not self.console.is_terminal or time.monotonic() - self.started < self.delay:
                return
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

            self.bar = Progress(
                "[progress.description]{task.description}",
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=self.console,
                transient=True,
            )
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=total)
        self.bar.update(self.task, completed=done, total=total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    return [v.strip() for part in values for v in part.split(",") if v.strip()]


def register(app: typer.Typer) -> None:
    @app.command("sweep")
    @with_workload_flags
    def sweep_cmd(
        workload: Annotated[
            Path | None,
            typer.Argument(
                help="Workload YAML file (schema version 1). Default: the chatbot preset.", show_default=False
            ),
        ] = None,
        vary: Annotated[
            str | None,
            typer.Option(
                "--vary",
                help="FIELD=START..STOP, or FIELD for a default range. Fields: "
                "requests_per_month (default, 1e3..1e9), requests_per_day, input_tokens, "
                "output_tokens, cached_input_share, peak_to_average, gpu_price_multiplier. "
                "Numbers may use k, M, B: 1k..10M.",
            ),
        ] = None,
        steps: Annotated[
            int | None,
            typer.Option(
                "--steps",
                help="Points in the range, both ends included. Default: 241 for volume "
                "and peak_to_average (fast path), 25 for other fields (the engine runs per point).",
            ),
        ] = None,
        log: Annotated[
            bool | None,
            typer.Option(
                "--log/--linear",
                help="Log-spaced or evenly spaced points. Default: log when the range spans two decades or more.",
            ),
        ] = None,
        options: Annotated[
            list[str] | None,
            typer.Option(
                "--options",
                help="Option ids (repeat or comma-separate), or 'all'. Default: the recommended option, "
                "its counterpart across the build-or-buy line (the same model self-hosted or at its best API; "
                "for a closed model the best self-hosted open model of at least its quality) and the best "
                "option of the remaining kind.",
            ),
        ] = None,
        fmt: Annotated[SweepFormat, typer.Option("--format", "-f", help="Output format.")] = SweepFormat.table,
        out_file: OutFileOpt = None,
        chart: Annotated[
            Path | None, typer.Option("--chart", help="Also write the chart as PNG or SVG (needs openclosed[plot]).")
        ] = None,
        plot: Annotated[
            bool, typer.Option("--plot/--no-plot", help="Draw the terminal chart above the table (table format).")
        ] = True,
        profile: Annotated[
            str, typer.Option("--profile", help="Score weights used to pick the default options.")
        ] = "balanced",
        weights: Annotated[
            str | None, typer.Option("--weights", help="Explicit weights, e.g. cost=0.5,privacy=0.3,quality=0.2.")
        ] = None,
        crossings: Annotated[
            CrossingsKind,
            typer.Option(
                "--crossings",
                help="cheapest: where the cheapest option changes; all: every pair of options that swap order.",
            ),
        ] = CrossingsKind.cheapest,
        catalog_dir: CatalogOpt = None,
        today: TodayOpt = None,
        wl_flags: dict | None = None,
    ) -> None:
        """Cost of a few options across a range of one workload field, with the crossings."""
        from ..analyses.sweep import parse_spec, sweep
        from ..engine import Engine, Settings
        from ..limits import check_sweep_budget

        # Every output path is checked before any work: a failure later must not leave one written.
        check_outputs(out_file, chart)
        check_vary_syntax(vary)
        cat = catalog(catalog_dir)
        wl, source = workload_from_flags(workload, wl_flags or {})
        if chart is not None and chart.suffix.lower() not in (".png", ".svg"):
            from ..errors import InputError

            raise InputError.one(f"expected a .png or .svg file (got {chart.name!r})", field="--chart")
        routed = bool(wl.traffic.classes)
        classed = wl
        if routed:
            from ..workload.classes import blend

            # Traffic classes: the sweep varies the whole traffic (every class scales with the
            # volume) and prices each option for the classes' mix; routing is `compare`'s.
            wl = blend(wl)
        spec = parse_spec(vary, wl, steps, log)
        # No uncertainty sampling: a sweep shows costs along a range, not their spread.
        settings = Settings(
            profile=profile, weights=weights, today=parse_today(today), workload_source=source, samples=0
        )
        engine = Engine(cat, wl, settings)
        wanted = _split(options)
        base = None
        if not wanted or wanted == ["all"]:
            if routed:
                from ..analyses.routing import compare_routed

                # The options `compare` reports, so that the sweep draws the option it recommends
                # (the best single option that serves every class) and marks what a class rules out.
                base = compare_routed(cat, classed, settings)
            else:
                base = engine.run()  # handed to sweep(), which would run it anyway
            n_options = len(base.report.options) if wanted else 3
        else:
            n_options = len(wanted)
        check_sweep_budget(spec.steps, n_options)
        progress = LazyProgress(f"sweeping {spec.field}")
        try:
            result = sweep(engine, spec, wanted, workload_source=source, progress=progress, base=base)
        finally:
            progress.close()
        if routed:
            result.notes.append(
                "the workload has traffic classes: this sweep prices every option for the whole traffic "
                "(the classes' mix; changing the volume scales every class alike); the routed plan per class "
                "is evaluated by `compare` at the workload's own volume"
            )
        if fmt.value == "csv":  # other formats carry the notes themselves
            for note in result.notes:
                info(f"note: {note}")
        if chart is not None:
            from ..render.chart import sweep_chart

            result.materialize()
            sweep_chart(result, chart)
            info(f"wrote {chart}")
        # A second bar follows the rows as they are written: most of a large sweep's time.
        writing = LazyProgress("writing rows")
        result.progress = writing
        try:
            _output(result, fmt.value, out_file, plot, crossings == CrossingsKind.all)
        finally:
            result.progress = None
            writing.close()
        if any(not all(s.feasible) for s in result.series):
            bad = [s.id for s in result.series if not all(s.feasible)]
            warn(
                f"{len(bad)} option(s) violate a constraint somewhere in the range: "
                + ", ".join(bad[:5])
                + (" …" if len(bad) > 5 else "")
            )


def check_vary_syntax(text: str | None) -> None:
    """`FIELD` or `FIELD=START..STOP` with exactly two dots between START and STOP.

    The sweep's parser splits at the first "..", so `1k...1M` used to read as 1k..0.1M (a
    hundred times less than meant). The numbers themselves are checked by the parser."""
    from ..errors import InputError

    if text is None:
        return
    _, eq, rng = text.strip().partition("=")
    if eq and ("..." in rng or rng.count("..") > 1):
        raise InputError.one(
            f"expected FIELD=START..STOP with two dots, e.g. requests_per_month=1k..1M (got {text!r})",
            field="--vary",
        )


def _output(result: Any, fmt: str, out_file: Path | None, plot: bool, all_crossings: bool = False) -> None:
    from ..render import RENDERERS
    from ..render.sweep_view import cheapest_changes, sweep_view

    if fmt in ("json", "csv"):
        # Rows are written as they are computed: memory stays flat in the number of points.
        if fmt == "json":
            # Every pairwise crossing stays in `crossings`; the changes of the cheapest option too
            # (over many options the crossings are those changes already).
            changes = result.crossings if result.lazy else cheapest_changes(result)
            extra = {"cheapest_changes": [c.to_dict(result.field) for c in changes]}
            _stream(lambda out: result.write_json(out, extra), out_file)
        else:
            _stream(result.write_csv, out_file)
        return
    result.materialize()
    if fmt == "html":
        from ..render.html import sweep_html

        emit(sweep_html(result), out_file)
        return
    charted = plot and fmt == "table"
    chart_data = None
    if charted:
        from ..render.chart import sweep_chart_data

        chart_data = sweep_chart_data(result, all_crossings)
    keyed = frozenset(line.label for line in chart_data.lines) if chart_data else frozenset()
    view = sweep_view(result, every_row=False, legend=not charted, all_crossings=all_crossings, keyed=keyed)
    if fmt == "markdown":
        emit(RENDERERS["markdown"](view), out_file)
        return
    color = out_file is None and sys.stdout.isatty() and not _no_color()
    width = _env_width() or (_terminal_width() if out_file is None else 100)
    text = ""
    if chart_data is not None:
        from ..render.chart import terminal_chart

        text = terminal_chart(chart_data, width=min(width, 120), color=color) + "\n"
    text += RENDERERS["table"](view, width=width, color=color)
    emit(text, out_file)


def _stream(write: Any, out_file: Path | None) -> None:
    import io

    if out_file is None:
        write(sys.stdout)
        sys.stdout.flush()
        return
    from ..fileio import atomic_open

    with atomic_open(out_file) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="", write_through=False)
        write(text)
        text.flush()
        text.detach()
    info(f"wrote {out_file}")


def _terminal_width() -> int:
    import shutil

    return shutil.get_terminal_size((100, 24)).columns
