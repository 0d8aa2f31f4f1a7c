"""`openclosed compare` itself, without typer: the typer command (compare_cmd.py) and the fast path
(fast.py) both call `compare`; `run_engine` is shared with `explain`, `check` and others."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

from .common import catalog, info, parse_today, show, warn, workload_from_flags


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
    lean_options: bool = False,
    lean_scores: bool = False,
) -> tuple[Any, Any, Any]:
    from ..analyses.compare import compare
    from ..engine import Settings

    day = parse_today(today)  # a bad --today is the one line said, before any note about the workload
    cat = catalog(catalog_dir)
    wl, source = workload_from_flags(workload, wl_flags, note=note)
    settings = Settings(
        profile=profile,
        weights=weights,
        sort=sort,
        today=day,
        stale_days=stale_days,
        models=_split(models),
        providers=_split(providers),
        deployment=deployment,
        workload_source=source,
        lazy_ranges=lazy_ranges,
        lean_options=lean_options,
        # A routed workload's classes are compared with these settings too: not for them.
        lean_scores=lean_scores and not wl.traffic.classes,
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


def compare(
    workload: Path | None,
    wl_flags: dict[str, Any],
    fmt: str,
    *,
    out_file: Path | None = None,
    show_all: bool = False,
    top: str | None = None,
    models: list[str] | None = None,
    providers: list[str] | None = None,
    deployment: str | None = None,
    sort: str = "overall",
    profile: str = "balanced",
    weights: str | None = None,
    samples: int | None = None,
    catalog_dir: Path | None = None,
    today: str | None = None,
    stale_days: int = 90,
) -> Any:
    """The compare command with its options parsed; `fmt` is the format's name. Returns the
    engine's result, which the console script keeps until the process ends (cli/fast.py)."""
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
        lazy_ranges=fmt != "html",
        # The same for the self-hosting figures: built for the options printed (`fill_ranges`).
        lean_options=fmt != "html",
        # Traffic classes: an output without --all lists no infeasible option, so no class
        # needs to price the self-hosted options that cannot change the answer.
        lean_classes=not show_all and fmt != "html",
        # And the scores and reasons of the options printed (the recommendation names feasible ones).
        lean_scores=not show_all and fmt != "html",
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
    fmt_value = fmt
    if fmt_value == "csv" and report.routing is not None:
        from ..render.routing_view import csv_note

        info(csv_note(report))
    if fmt_value == "html":
        from ..render.html import report_html
        from .common import emit

        emit(report_html(shown, result), out_file)
        warn_after(shown.warnings, options)
        return result
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
    return result
