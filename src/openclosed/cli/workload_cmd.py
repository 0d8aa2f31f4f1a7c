"""`openclosed workload`: workload files from a preset (`presets`, `init`) or from what you run today
(`from-usage FILE`, a usage export)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import (
    CatalogOpt,
    Format,
    FormatOpt,
    OutFileOpt,
    TodayOpt,
    catalog,
    emit,
    info,
    parse_today,
    show,
    warn,
)

workload_app = typer.Typer(
    help="Build workload files: from a preset (presets, init) or from a usage export (from-usage).",
    no_args_is_help=True,
)


@workload_app.command("from-usage")
def from_usage_cmd(
    file: Annotated[Path, typer.Argument(help="Usage export: JSON (API pages, log rows) or a LiteLLM CSV.")],
    source: Annotated[
        str | None,
        typer.Option(
            "--source",
            help="openai (Usage API completions buckets), anthropic (Admin API usage report), litellm "
            "(spend logs, JSON or CSV) or openrouter (GET /api/v1/activity JSON; the Activity page's CSV "
            "is not read: its columns are undocumented). Default: detected from the content.",
        ),
    ] = None,
    by_model: Annotated[
        bool, typer.Option("--by-model", help="Write one traffic class per model (traffic.classes).")
    ] = False,
    requests: Annotated[
        float | None,
        typer.Option(
            "--requests",
            help="Requests in the export's period (needed for Anthropic reports, which count none).",
        ),
    ] = None,
    input_tokens_per_request: Annotated[
        float | None,
        typer.Option("--input-tokens-per-request", help="Mean prompt tokens per request, instead of --requests."),
    ] = None,
    name: Annotated[str | None, typer.Option("--name", help="Workload name (default: usage-FILE).")] = None,
    catalog_dir: CatalogOpt = None,
    out_file: OutFileOpt = None,
    today: TodayOpt = None,
) -> None:
    """Derive a workload (schema version 1, commented) from a usage export, ready for `compare`.

    Current models and their monthly cost at catalogue prices go to stderr and into the file's comments.
    See docs/usage-import.md.
    """
    import datetime as dt

    from ..workload.usage import read_export, workload_text
    from ..workload.usage.derive import check_request_options
    from ..workload.usage.write import current_spend, fold_note, retiring, summary_lines

    # The export first: a bad file is reported before the catalogue is loaded.
    export = read_export(file, source)
    check_request_options(export, requests, input_tokens_per_request)
    day = parse_today(today) or dt.date.today()
    cat = catalog(catalog_dir)
    text, derived = workload_text(export, cat, str(file), requests, input_tokens_per_request, by_model, name)
    emit(text, out_file)
    e = derived.export
    info(f"{e.label}: {derived.requests_per_day:,.1f} requests/day over {e.period_days:.2f} days")
    for line in summary_lines(derived):
        info(line)
    spend = current_spend(derived)
    if spend is not None:
        info(f"current_spend: ${spend[0]:,.2f}/month (source: {spend[1]}); compare shows it beside the recommendation.")
    # What you run today may be going away: say so before anyone plans around it.
    for line in retiring(derived, cat, day):
        warn(line)
    note = fold_note(derived) if by_model else None
    if note:
        info(note)


def register(app: typer.Typer) -> None:
    app.add_typer(workload_app, name="workload")


@workload_app.command("presets")
def presets_cmd(
    fmt: FormatOpt = Format.table,
    out_file: OutFileOpt = None,
) -> None:
    """List the presets (`--preset NAME` on any command; `workload init --preset NAME` writes one out)."""
    from ..render import Column, View
    from ..workload.presets import PRESETS, preset

    rows = []
    for name in PRESETS:
        wl = preset(name)
        rows.append(
            {
                "name": name,
                "requests_per_day": wl.traffic.requests_per_day,
                "input_tokens": wl.traffic.input_tokens,
                "output_tokens": wl.traffic.output_tokens,
                "max_ttft_ms": wl.latency.max_ttft_ms,
                "min_output_tokens_per_s": wl.latency.min_output_tokens_per_s,
                "sensitivity": wl.privacy.sensitivity,
                "description": wl.description or "",
            }
        )
    view = View(
        title="openclosed workload presets",
        columns=[
            Column("name", "preset", "text", nowrap=True),
            Column("requests_per_day", "requests/day", "int"),
            Column("input_tokens", "in", "int"),
            Column("output_tokens", "out", "int"),
            Column("max_ttft_ms", "TTFT ms", "int", optional=2),
            Column("min_output_tokens_per_s", "tok/s", "int", optional=2),
            Column("sensitivity", "data", "text", optional=1, nowrap=True),
            Column("description", "what", "text", optional=3),
        ],
        rows=rows,
        json=rows,
        notes=[
            "in/out: mean tokens per request; TTFT ms and tok/s: latency targets (– none). Use one: --preset "
            "NAME on any command; start a file from one: openclosed workload init --preset NAME -o FILE."
        ],
        csv_columns=[Column(k, k) for k in rows[0]],
    )
    show(view, fmt.value, out_file)


@workload_app.command("init")
def init_cmd(
    preset_name: Annotated[
        str, typer.Option("--preset", help="The preset to start from (workload presets lists them).")
    ],
    out_file: OutFileOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
) -> None:
    """Write a preset as a commented workload file to edit (stdout without -o)."""
    from ..errors import InputError
    from ..workload.init import preset_yaml

    text = preset_yaml(preset_name)
    if out_file is not None and out_file.exists() and not force:
        raise InputError.one("the file exists; give --force to replace it", str(out_file), field="--out-file")
    emit(text, out_file)
    if out_file is not None:
        info(f"next: edit it, then openclosed compare {out_file}")
