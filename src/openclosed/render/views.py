"""Views of core results: the columns and flat rows each command shows.

CSV column names are documented in docs/json.md; flattened nested fields join their path with
an underscore (`cost_breakdown_input`, `self_hosting_gpus_per_replica`).
"""

from __future__ import annotations

from typing import Any

from ..report import OptionOut, Report, to_plain
from . import Column, View

OPTION_CSV = [
    "rank",
    "id",
    "model",
    "model_name",
    "open_weights",
    "deployment",
    "provider",
    "licence",
    "quality_index",
    "feasible",
    "monthly_cost",
    "cost_per_million_tokens",
    "cost_breakdown_input",
    "cost_breakdown_cached_input",
    "cost_breakdown_cache_write",
    "cost_breakdown_output",
    "cost_breakdown_request_fees",
    "cost_breakdown_gpus",
    "cost_breakdown_operations",
    "cost_breakdown_setup",
    "unit_prices_input",
    "unit_prices_cached_input",
    "unit_prices_cache_write",
    "unit_prices_output",
    "unit_prices_request_fee",
    "unit_prices_batch_discount",
    "unit_prices_long_context_tier",
    "unit_prices_source",
    "unit_prices_as_of",
    "self_hosting_cloud",
    "self_hosting_gpu",
    "self_hosting_precision",
    "self_hosting_gpus_per_replica",
    "self_hosting_replicas",
    "self_hosting_total_gpus",
    "self_hosting_billed_gpus",
    "self_hosting_gpu_hourly_price",
    "self_hosting_gpu_price_kind",
    "self_hosting_output_tokens_per_s_per_replica",
    "self_hosting_requests_per_s_per_replica",
    "self_hosting_utilisation_at_peak",
    "self_hosting_concurrency",
    "self_hosting_ttft_ms",
    "self_hosting_tpot_ms",
    "self_hosting_per_stream_tokens_per_s",
    "self_hosting_weights_gb",
    "self_hosting_price_source",
    "self_hosting_price_as_of",
    "scores_cost",
    "scores_privacy",
    "scores_lock_in",
    "scores_quality",
    "scores_overall",
    "violations",
    "warnings",
]


def flatten(prefix: str, value: Any, out: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}_{k}" if prefix else k, v, out)
    else:
        out[prefix] = value


def option_row(o: OptionOut) -> dict[str, Any]:
    row: dict[str, Any] = {}
    data: dict[str, Any] = to_plain(o)  # type: ignore[assignment]
    for key in ("cost_breakdown", "unit_prices", "self_hosting", "scores"):
        nested = data.pop(key)
        if nested:
            flatten(key, {k: v for k, v in nested.items() if not isinstance(v, dict)}, row)
    row.update({k: v for k, v in data.items() if not isinstance(v, dict)})
    return row


def _label(o: OptionOut) -> str:
    if o.self_hosting is not None:
        sh = o.self_hosting
        batch = f" + {sh.batch_replicas} batch" if sh.batch_replicas else ""
        return f"{o.id} ({sh.replicas}×{sh.gpus_per_replica}{batch} {sh.precision})"
    return o.id


def compare_view(report: Report, options: list[OptionOut], show_all: bool) -> View:
    columns = [
        Column("position", "#", "int"),
        Column("label", "option", "text", width=44),
        Column("monthly_cost", "$/month", "money"),
        Column("cost_per_million_tokens", "$/Mtok", "money", optional=1),
        Column("scores_privacy", "priv", "score"),
        Column("scores_lock_in", "lock", "lock"),
        Column("scores_quality", "qual", "score"),
        Column("scores_overall", "overall", "score"),
    ]
    if show_all:
        columns.append(Column("status", "status", "text", width=40))
    rows = []
    for position, o in enumerate(options, 1):
        row = option_row(o)
        # The table numbers the rows it shows; CSV and JSON keep the global rank.
        row["position"] = position
        # The table decorates self-hosted ids with their sizing; CSV keeps the plain id.
        row["label"] = o.id if show_all else _label(o)
        row["status"] = "ok" if o.feasible else "; ".join(o.violations)
        rows.append(row)
    wl = report.workload
    notes = []
    if report.recommendation is not None:
        notes.append(f"Recommended: {report.recommendation.why}")
    notes.append(
        f"Workload '{wl.name}' ({wl.source}): {wl.requests_per_month:,.0f} requests/month, "
        f"{wl.input_tokens:,.0f} in / {wl.output_tokens:,.0f} out tokens. Catalogue as of "
        f"{report.catalog.as_of}; profile {report.profile}; sorted by {report.sort}."
    )
    return View(
        title="openclosed compare",
        columns=columns,
        rows=rows,
        json=report,
        notes=notes,
        csv_columns=[Column(k, k) for k in OPTION_CSV],
    )


def size_view(s: dict[str, Any]) -> View:
    keys = [
        ("model", "model", "text"),
        ("gpu", "GPU", "text"),
        ("precision", "precision", "text"),
        ("gpus", "GPUs", "int"),
        ("fits", "fits", "bool"),
        ("weights_gb", "weights GB", "number"),
        ("kv_cache_gb_per_sequence", "KV GB/seq", "number"),
        ("max_concurrency", "max conc.", "int"),
        ("concurrency", "conc.", "int"),
        ("ttft_ms", "TTFT ms", "number"),
        ("tpot_ms", "TPOT ms", "number"),
        ("output_tokens_per_s", "out tok/s", "number"),
        ("per_stream_tokens_per_s", "tok/s/stream", "number"),
    ]
    row = {k: s.get(k) for k, _, _ in keys}
    rows = [{"field": label, "value": row[k], "kind": kind} for k, label, kind in keys]
    from .fmt import cell

    for r in rows:
        r["value_text"] = cell(r["value"], r["kind"])
    extra = (
        "decode_step_ms",
        "prefill_ms",
        "bound",
        "meets_tpot",
        "input_tokens",
        "output_tokens",
        "mean_context_tokens",
    )
    return View(
        title=f"openclosed size {s['model']} on {s['gpus']}× {s['gpu']} ({s['precision']})",
        columns=[Column("field", "field"), Column("value_text", "value")],
        rows=rows,
        json=s,
        notes=[s["reason"]] if s.get("reason") else [],
        csv_columns=[Column(k, k) for k, _, _ in keys] + [Column(k, k) for k in extra],
        csv_rows=[s],
    )
