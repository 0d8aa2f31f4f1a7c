"""The typer option types shared by the commands (the plumbing they feed is in common.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from .formats import Format

# ----------------------------------------------------------------- options
CatalogOpt = Annotated[
    Path | None,
    typer.Option(
        "--catalog",
        # Not an envvar= option: the loader reads OPENCLOSED_CATALOG itself (a path list, layered
        # under --catalog), so both can apply at once.
        help="Directory with models.yaml and/or providers.yaml layered over the embedded catalogue "
        "(after the OPENCLOSED_CATALOG directories).",
    ),
]
FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
OutFileOpt = Annotated[
    Path | None,
    typer.Option("--out-file", "-o", help="Write the output to this file (atomically) instead of stdout."),
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today", help="Date used for staleness and lifecycle checks (YYYY-MM-DD).", envvar="OPENCLOSED_TODAY"
    ),
]
StaleOpt = Annotated[int, typer.Option("--stale-days", help="Warn when a price used is older than this many days.")]


# ----------------------------------------------------------------- workload flags
def _opt(*names: str, help: str, kind: Any = float | None) -> tuple[Any, Any]:
    return (Annotated[kind, typer.Option(*names, help=help, rich_help_panel="Workload")], None)


WORKLOAD_FLAGS: dict[str, tuple[Any, Any]] = {
    "preset": _opt(
        "--preset", help="Start from a preset: chatbot, rag, batch, code-assistant, agent.", kind=str | None
    ),
    "requests_per_day": _opt("--requests-per-day", help="Mean requests per day."),
    "requests_per_month": _opt("--requests-per-month", help="Requests per month (730 hours)."),
    "requests_per_second": _opt("--requests-per-second", help="Mean requests per second."),
    "input_tokens": _opt("--input-tokens", help="Mean prompt tokens per request."),
    "output_tokens": _opt("--output-tokens", help="Mean completion tokens per request."),
    "cached_input_share": _opt("--cached-input-share", help="Share of input tokens read from a prompt cache (0..1)."),
    "batch_share": _opt("--batch-share", help="Share of requests that can use a batch API (0..1)."),
    "peak_to_average": _opt("--peak-to-average", help="Peak traffic over average (>= 1)."),
    "context_tokens": _opt("--context-tokens", help="Longest single request the model must accept."),
    "max_ttft_ms": _opt("--max-ttft-ms", help="Latency target: time to first token, ms."),
    "min_output_tokens_per_s": _opt("--min-tokens-per-s", help="Latency target: output tokens/s per stream."),
    "allow_third_party": (
        Annotated[
            bool | None,
            typer.Option(
                "--allow-third-party/--no-third-party",
                help="May prompts be processed by another company's service?",
                rich_help_panel="Workload",
            ),
        ],
        None,
    ),
    "sensitivity": _opt("--sensitivity", help="public, internal, confidential or regulated.", kind=str | None),
    "residency": _opt(
        "--residency", help="Regions where processing must stay (repeat or comma-separate).", kind=list[str] | None
    ),
    "monthly_active_users": _opt(
        "--monthly-active-users", help="Your products' monthly active users (licence clauses).", kind=int | None
    ),
    "min_quality": _opt("--min-quality", help="Floor on the catalogue's quality index (0..100)."),
    "precisions": _opt(
        "--precisions", help="Accepted self-hosting precisions, e.g. bf16,fp8,int4.", kind=list[str] | None
    ),
    "gpu_price_multiplier": _opt("--gpu-price-multiplier", help="Scale every GPU price (0.7 = 30% discount)."),
    "engineer_cost": _opt("--engineer-cost", help="Fully loaded cost of one engineer per month, USD."),
    "engineers": _opt("--self-hosting-engineers", help="Engineers needed to run a self-hosted stack."),
    "horizon_months": _opt("--horizon-months", help="Planning horizon for setup cost and lifecycle checks."),
}


def with_workload_flags(fn: Any) -> Any:
    """Add the workload flags to a command; the command receives them as `wl_flags`."""
    import functools
    import inspect

    sig = inspect.signature(fn, eval_str=True)
    params = [p for p in sig.parameters.values() if p.name != "wl_flags"]
    for name, (annotation, default) in WORKLOAD_FLAGS.items():
        params.append(inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation))

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        flags = {k: kwargs.pop(k, None) for k in WORKLOAD_FLAGS}
        return fn(*args, wl_flags=flags, **kwargs)

    wrapper.__signature__ = sig.replace(parameters=params)  # type: ignore[attr-defined]
    return wrapper
