"""Views of core results: the columns and flat rows each command shows.

CSV column names are documented in docs/json.md; flattened nested fields join their path with
an underscore (`cost_breakdown_input`, `self_hosting_gpus_per_replica`).
"""

from __future__ import annotations

from typing import Any

from ..report import OptionOut, Report, to_plain
from ..units import money
from . import Column, LazyRows, View

OPTION_CSV = [
    "rank",
    "rank_among_all",
    "id",
    "model",
    "model_name",
    "open_weights",
    "deployment",
    "provider",
    "licence",
    "quality_index",
    "quality_estimated",
    "reasoning",
    "reasoning_tokens_per_request",
    "feasible",
    "monthly_cost",
    "monthly_cost_low",
    "monthly_cost_high",
    "cost_per_million_tokens",
    "capex",
    "cost_breakdown_input",
    "cost_breakdown_cached_input",
    "cost_breakdown_cache_write",
    "cost_breakdown_output",
    "cost_breakdown_request_fees",
    "cost_breakdown_reasoning",
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
    "api_speed_output_tokens_per_s",
    "api_speed_ttft_ms",
    "api_speed_prompt_tokens",
    "api_speed_unchecked",
    "api_speed_source",
    "api_speed_as_of",
    "api_speed_basis",
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
    for key in ("cost_breakdown", "unit_prices", "self_hosting", "api_speed", "scores"):
        nested = data.pop(key)
        if nested:
            flatten(key, {k: v for k, v in nested.items() if not isinstance(v, dict)}, row)
    row.update({k: v for k, v in data.items() if not isinstance(v, dict)})
    return row


ESTIMATE_MARK = "~"
UNCHECKED_MARK = "?"
LEGEND_ESTIMATE = "~ quality is an estimate: no published index value (docs/catalogue.md)"
LEGEND_UNCHECKED = "? latency unchecked: no published speed or time to first token for this API"


def quality_text(o: OptionOut) -> str | None:
    """The quality index as shown: the published value, or '~' and the estimate."""
    if o.quality_index is None:
        return None
    text = f"{o.quality_index:.0f}"
    return ESTIMATE_MARK + text if getattr(o, "quality_estimated", False) else text


def latency_text(o: OptionOut) -> str | None:
    """Time to first token (ms) at the workload's prompt; '?' for an API whose latency is unchecked."""
    speed = getattr(o, "api_speed", None)
    if o.self_hosting is not None:
        return f"{o.self_hosting.ttft_ms:,.0f}"
    if speed is None:
        return None
    if speed.ttft_ms is None:
        return UNCHECKED_MARK if speed.unchecked else None
    return f"{speed.ttft_ms:,.0f}" + (UNCHECKED_MARK if speed.unchecked else "")


def legend(options: list[OptionOut]) -> list[str]:
    """Legend lines for the marks that appear among `options`."""
    out = []
    if any(getattr(o, "quality_estimated", False) for o in options):
        out.append(LEGEND_ESTIMATE)
    if any(o.deployment == "api" and (latency_text(o) or "").endswith(UNCHECKED_MARK) for o in options):
        out.append(LEGEND_UNCHECKED)
    return out


def cost_range(o: OptionOut) -> str:
    """ "$91.57–$223" from the sampled percentiles; empty when sampling was off."""
    lo, hi = getattr(o, "monthly_cost_low", None), getattr(o, "monthly_cost_high", None)
    if lo is None or hi is None:
        return ""
    return f"{money(lo)}–{money(hi)}"


def catalogue_date(report: Report) -> str:
    """The date a report's text gives its catalogue: the newest entry's (entries are re-checked
    after the files' own `as_of`); an old saved report without it, the files' date."""
    return getattr(report.catalog, "newest_as_of", None) or report.catalog.as_of


def _setup(o: OptionOut) -> str | None:
    """Replicas × GPUs per replica and precision of a self-hosted option: "2×4 fp8"."""
    if o.self_hosting is not None:
        sh = o.self_hosting
        batch = f" + {sh.batch_replicas} batch" if sh.batch_replicas else ""
        return f"{sh.replicas}×{sh.gpus_per_replica}{batch} {sh.precision}"
    return None


# Headers name the direction of each score (issue 26 item 8): ↑ higher is better, ↓ lower is better.
LEGEND_DIRECTION = "priv↑ qual↑ overall↑: higher is better; lock↓ (lock-in): lower is better"


def short_money(x: float) -> str:
    """A range's end without "$", at most four characters: 113, 92.2, 0.095, 7.3k, 18k, 1.2M
    (three significant digits below 1,000, two above: a sampled percentile is no more exact)."""
    if x < 999.5:
        return f"{x:.3g}" if x >= 1 else f"{x:.2g}"
    v, suffix = (x / 1e6, "M") if x >= 999_500 else (x / 1e3, "k")
    return (f"{v:.1f}" if v < 9.95 else f"{v:.0f}") + suffix


def cost_with_range(o: OptionOut, lines: int) -> str | None:
    """The monthly cost and its P10–P90 range in one cell: "$145 (113–187)" on one line, or the
    range on a second line under the cost (a narrow terminal)."""
    if o.monthly_cost is None:
        return None
    cost = money(o.monthly_cost)
    lo, hi = getattr(o, "monthly_cost_low", None), getattr(o, "monthly_cost_high", None)
    if lo is None or hi is None:
        return cost
    # A cost no sampled scenario moves (a fleet that the volume's spread never resizes).
    span = "no spread" if hi - lo <= 0.001 * max(hi, 1e-9) else f"{short_money(lo)}–{short_money(hi)}"
    return f"{cost} ({span})" if lines == 1 else f"{cost}\n{span}"


def range_sentence(report: Report) -> str:
    """The recommended option's P10–P90 cost and how often it stays first, for the recommendation
    text ("" without sampling). A close call already says how often."""
    rec = report.recommendation
    if rec is None:
        return ""
    top = next((o for o in report.options if o.id == rec.id), None)
    lo = getattr(top, "monthly_cost_low", None) if top is not None else None
    hi = getattr(top, "monthly_cost_high", None) if top is not None else None
    parts = []
    if lo is not None and hi is not None:
        parts.append(f"its monthly cost ranges {money(lo)}–{money(hi)} (P10–P90)")
    confidence = getattr(report, "recommendation_confidence", None)
    if confidence is not None and "A close call" not in rec.why:
        parts.append(f"it stays first in {confidence:.0%} of the sampled scenarios")
    if not parts:
        return ""
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "."


SPEND_SOURCES = {
    "export": "the usage export's own cost",
    "catalogue": "catalogue prices of the models in use",
}


def spend_line(report: Report) -> str:
    """ "You pay X today; the recommendation costs Y": the workload's current_spend beside the
    recommended option (never an option of its own); "" without current_spend."""
    spend = getattr(report, "current_spend", None)
    if spend is None:
        return ""
    source = SPEND_SOURCES.get(spend.source, spend.source)
    text = f"You pay {money(spend.monthly_cost)} a month today ({source})"

    def change(cost: float) -> str:
        if spend.monthly_cost <= 0:
            return ""
        pct = (cost - spend.monthly_cost) / spend.monthly_cost
        return f", {abs(pct):.0%} {'more' if pct > 0 else 'less'}" if abs(pct) >= 0.005 else ", the same"

    routing = report.routing
    if routing is not None and routing.monthly_cost is not None:
        # With traffic classes the advice is the routed plan: each class on its own option.
        total = routing.monthly_cost
        return f"{text}; the routed recommendation costs {money(total)} a month{change(total)}."
    rec = report.recommendation
    top = next((o for o in report.options if rec is not None and o.id == rec.id), None)
    if top is None or top.monthly_cost is None:
        return text + "; no option meets every constraint."
    return f"{text}; the recommendation, {top.id}, costs {money(top.monthly_cost)} a month{change(top.monthly_cost)}."


def compare_view(
    report: Report, options: list[OptionOut], show_all: bool, total: int | None = None, width: int | None = None
) -> View:
    """The table of `options` (the rows shown); CSV and JSON take the report's own list.
    `total`: how many options the command outputs, when the table shows fewer. `width`: the
    terminal's, for the table: the cost and its range share one column (on one line when that
    hides no more columns than two lines would), and legends of hidden columns are left out.
    Without it (Markdown, HTML), the range has its own column."""
    in_terminal = width is not None

    def columns_for(lines: int) -> list[Column]:
        cost = (
            Column(f"cost_{lines}", "$/month (P10–P90)" if lines == 1 else "$/month\nP10–P90", "figure")
            if in_terminal
            else Column("monthly_cost", "$/month", "money")
        )
        cols = [
            Column("position", "#", "int"),
            Column("id", "option", "text", nowrap=True),
            Column("setup", "replicas×GPUs", "text", optional=5, nowrap=True),
            cost,
            # Dropped in this order when the terminal is narrow (with a note saying so).
            Column("cost_range", "P10–P90", "text", optional=7, nowrap=True, table=not in_terminal),
            Column("latency_text", "TTFT ms", "number", optional=6),
            Column("cost_per_million_tokens", "$/Mtok", "money", optional=4),
            Column("scores_privacy", "priv↑", "score", optional=2),
            Column("scores_lock_in", "lock↓", "lock", optional=3),
            # The quality index itself (the scale quality.min_score uses; "~" marks an estimate).
            Column("quality_text", "qual↑", "number", optional=1),
            Column("scores_overall", "overall↑", "score"),
        ]
        if any(getattr(o, "capex", 0.0) > 0 for o in options):
            # Cash up front for owned servers: shown only when a shown option has some.
            cols.insert(4, Column("capex", "capex", "money", optional=5))
        if show_all:
            # The kind of each violation in the table, the full sentences under it: a sentence
            # wrapped in a narrow column is unreadable.
            cols.append(Column("status", "status", "text", width=24, optional=8))
        return cols

    def table_rows() -> list[dict[str, Any]]:
        rows = []
        for o in options:
            row = option_row(o)
            # The same number as `rank` in JSON and CSV: the position in the list the command outputs.
            row["position"] = o.rank
            row["setup"] = _setup(o)
            row["status"] = "ok" if o.feasible else ", ".join(dict.fromkeys(v.split(":")[0] for v in o.violations))
            row["quality_text"] = quality_text(o)
            row["latency_text"] = latency_text(o)
            row["cost_range"] = cost_range(o)
            if in_terminal:
                row["cost_1"], row["cost_2"] = cost_with_range(o, 1), cost_with_range(o, 2)
            rows.append(row)
        return rows

    rows = LazyRows(table_rows)
    columns, hidden = columns_for(1), set()
    if width is not None:
        from .table import GAP, fit_columns

        def fitted(cols: list[Column]) -> tuple[list[Column], bool]:
            # The optional columns dropped, and whether what is left fits the width (a long id can
            # leave even the narrowest table wider than the terminal).
            _, widths, dropped = fit_columns([c for c in cols if c.table], rows, width)
            return dropped, sum(widths) + GAP * (len(widths) - 1) <= width

        one, two = columns_for(1), columns_for(2)
        (dropped_one, fits_one), (dropped_two, fits_two) = fitted(one), fitted(two)
        prefer_one = (fits_one or not fits_two) and len(dropped_one) <= len(dropped_two)
        columns, dropped = (one, dropped_one) if prefer_one else (two, dropped_two)
        hidden = {c.key for c in dropped}

    wl = report.workload
    notes = []
    from .listing import rows_note

    if show_all and any(not o.feasible for o in options):
        notes.append("Why each option is ruled out:")
        notes += [f"#{o.rank} {o.id}: {'; '.join(o.violations)}" for o in options if not o.feasible]
    more = rows_note(len(options), total if total is not None else len(options))
    if more:
        notes.append(more)
    if report.recommendation is not None:
        extra = range_sentence(report)
        extra = f" {extra}" if extra else ""
        if report.routing is not None:
            from .routing_view import kind_label

            label = kind_label(report.recommendation_kind)
            notes.append(f"Recommendation ({label}): {report.recommendation.why}{extra}")
        else:
            notes.append(f"Recommended: {report.recommendation.why}{extra}")
    if any(getattr(o, "monthly_cost_low", None) is not None for o in options):
        notes.append(
            "P10–P90: the 10th to 90th percentile of each monthly cost over the sampled scenarios "
            "(docs/methodology.md)."
        )
    notes.append(
        f"Workload '{wl.name}' ({wl.source}): {wl.requests_per_month:,.0f} requests/month, "
        f"{wl.input_tokens:,.0f} in / {wl.output_tokens:,.0f} out tokens. Catalogue as of "
        f"{catalogue_date(report)}; profile {report.profile}; sorted by {report.sort}."
    )
    notes.append(LEGEND_DIRECTION)
    marks = legend(options)
    if "quality_text" in hidden:
        marks = [m for m in marks if m != LEGEND_ESTIMATE]
    if "latency_text" in hidden:
        marks = [m for m in marks if m != LEGEND_UNCHECKED]
    notes.extend(marks)
    blocks = []
    if report.routing is not None:
        from .routing_view import routing_block

        blocks.append(routing_block(report.routing))
    return View(
        title="openclosed compare",
        columns=columns,
        rows=rows,
        json=report,
        notes=notes,
        csv_columns=[Column(k, k) for k in OPTION_CSV],
        csv_rows=LazyRows(lambda: [option_row(o) for o in report.options]),
        blocks=blocks,
        intro=[line for line in (spend_line(report),) if line],
    )


_SPEEDS = ("concurrency", "ttft_ms", "tpot_ms", "output_tokens_per_s", "per_stream_tokens_per_s")


def size_view(s: dict[str, Any]) -> View:
    keys = [
        ("model", "model", "text"),
        ("gpu", "GPU", "text"),
        ("precision", "precision", "text"),
        ("gpus", "GPUs", "int"),
        ("plan", "plan", "text"),
        ("input_tokens", "input tokens/request", "int"),
        ("output_tokens", "output tokens/request", "int"),
        ("fits", "fits", "bool"),
        ("meets_latency", "meets latency", "bool"),
        ("weights_gb", "weights GB", "number"),
        ("kv_cache_gb_per_sequence", "KV GB/seq", "number"),
        ("max_concurrency", "max conc.", "int"),
        ("concurrency", "conc.", "int"),
        ("ttft_ms", "TTFT ms", "number"),
        ("tpot_ms", "TPOT ms", "number"),
        ("output_tokens_per_s", "out tok/s", "number"),
        ("per_stream_tokens_per_s", "tok/s/stream", "number"),
    ]
    if not s.get("fits"):
        # A setup that cannot run shows why, and no speed figures (docs/json.md, the Report).
        keys = [k for k in keys if k[0] not in _SPEEDS]
    row = {k: s.get(k) for k, _, _ in keys}
    rows = [{"field": label, "value": row[k], "kind": kind} for k, label, kind in keys]
    from .fmt import cell

    for r in rows:
        r["value_text"] = cell(r["value"], r["kind"])
    extra = (
        "nodes",
        "tp",
        "ep",
        "pp",
        "dp",
        "decode_step_ms",
        "prefill_ms",
        "bound",
        "meets_tpot",
        "mean_context_tokens",
        "lengths_from",
    )
    notes = [s["reason"]] if s.get("reason") else []
    source = s.get("lengths_from", "defaults")
    how = (
        "the defaults; set them with --input-tokens/--output-tokens, --preset or a workload file"
        if source == "defaults"
        else f"from {source}"
    )
    notes.append(
        f"Assumed {cell(s.get('input_tokens'), 'int')} input and {cell(s.get('output_tokens'), 'int')} "
        f"output tokens per request ({how})."
    )
    return View(
        title=f"openclosed size {s['model']} on {s['gpus']}× {s['gpu']} ({s['precision']})",
        columns=[Column("field", "field"), Column("value_text", "value")],
        rows=rows,
        json=s,
        notes=notes,
        csv_columns=[Column(k, k) for k, _, _ in keys] + [Column(k, k) for k in extra],
        csv_rows=[s],
    )
