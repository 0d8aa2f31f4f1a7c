"""`openclosed workload from-usage FILE`: a workload file from what you run today (a usage export)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .common import CatalogOpt, OutFileOpt, catalog, emit, info

workload_app = typer.Typer(help="Build workload files.", no_args_is_help=True)


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
) -> None:
    """Derive a workload (schema version 1, commented) from a usage export, ready for `compare`.

    Current models and their monthly cost at catalogue prices go to stderr and into the file's comments.
    See docs/usage-import.md.
    """
    from ..workload.usage import read_export, workload_text
    from ..workload.usage.derive import check_request_options
    from ..workload.usage.write import fold_note, summary_lines

    # The export first: a bad file is reported before the catalogue is loaded.
    export = read_export(file, source)
    check_request_options(export, requests, input_tokens_per_request)
    text, derived = workload_text(
        export, catalog(catalog_dir), str(file), requests, input_tokens_per_request, by_model, name
    )
    emit(text, out_file)
    e = derived.export
    info(f"{e.label}: {derived.requests_per_day:,.1f} requests/day over {e.period_days:.2f} days")
    for line in summary_lines(derived):
        info(line)
    note = fold_note(derived) if by_model else None
    if note:
        info(note)


def register(app: typer.Typer) -> None:
    app.add_typer(workload_app, name="workload")
