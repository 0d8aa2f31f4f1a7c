"""From an `Export` to the workload's figures, each with a note of where it came from.

Rules (docs/usage-import.md states them for users):
- period: from the first bucket's start to the last bucket's end (empty buckets count: they are
  hours without traffic); for per-request logs, from the hour of the first request to the end of
  the hour of the last;
- requests per day = requests in the export / period in days;
- mean input / output tokens = token totals / requests (input includes cached and cache-write tokens);
- cached share = cached tokens / input tokens; cache-write share = cache-write tokens / input tokens;
- peak-to-average = requests in the busiest clock hour / mean requests per hour over the period
  (tokens stand in for requests where the export counts none); not derivable from daily buckets;
- per model: shares of requests where the export counts them, else of tokens (input + output).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from ...catalog import Catalog
from ...errors import InputError
from ...modelbase import ValidationError
from ...yamlio import MAX_NUMBER
from ..model import DAYS_PER_MONTH, MAX_INPUT_TOKENS, Workload, problems_from
from .models import Match, map_model, offering_for, suggestions
from .records import Export, Row, hour_floor

SHOWN_UNMATCHED = 25  # unmatched names the summary lists (with the nearest catalogue ids)


@dataclass
class ModelUse:
    name: str  # as the export spells it
    match: Match
    requests: float  # in the period (allocated by tokens where the export counts none)
    input_tokens: float
    cached_tokens: float
    cache_write_tokens: float
    output_tokens: float
    batch_requests: float
    export_cost: float | None
    reasoning_tokens: float | None = None  # hidden tokens in the period; None: not separated
    priced_as: str | None = None  # MODEL@PROVIDER
    priced_why: str = ""
    catalogue_monthly_cost: float | None = None
    note: str = ""


@dataclass
class Derived:
    export: Export
    requests: float
    requests_note: str
    requests_per_day: float
    input_tokens: float
    output_tokens: float
    cached_input_share: float
    cache_write_share: float
    batch_share: float
    peak_to_average: float | None
    peak_note: str
    context_tokens: float | None
    models: list[ModelUse]
    share_basis: str  # "requests" | "tokens"
    export_monthly_cost: float | None
    totals: dict[str, float] = field(default_factory=dict)
    reasoning_tokens: float | None = None  # mean hidden tokens per request; None: not separated

    @property
    def catalogue_monthly_cost(self) -> float | None:
        priced = [m.catalogue_monthly_cost for m in self.models if m.catalogue_monthly_cost is not None]
        return sum(priced) if priced else None

    @property
    def unmatched(self) -> list[ModelUse]:
        return [m for m in self.models if m.match.model_id is None]


def _sum(rows: list[Row], attr: str) -> float:
    return float(sum(getattr(r, attr) for r in rows))


def check_request_options(export: Export, requests: float | None, input_tokens_per_request: float | None) -> None:
    """The request-count options fit the export (cheap; callers run it before loading the catalogue)."""
    if requests is not None and input_tokens_per_request is not None:
        raise InputError.one("give --requests or --input-tokens-per-request, not both", field="--requests")
    # The workload file's own bounds (docs/workload.md, "Ranges and limits"): inf, 1e300 or 1e-300
    # would only fail later, deep in the pricing, as figures no workload may hold.
    if requests is not None and not 1e-6 <= requests <= MAX_NUMBER:
        raise InputError.one(
            f"expected a number of requests from 0.000001 to {MAX_NUMBER:g} (got {requests:g})", field="--requests"
        )
    if input_tokens_per_request is not None and not 1 <= input_tokens_per_request <= MAX_INPUT_TOKENS:
        raise InputError.one(
            f"expected a number of tokens from 1 to {MAX_INPUT_TOKENS:,} (got {input_tokens_per_request:g})",
            field="--input-tokens-per-request",
        )
    if requests is None and input_tokens_per_request is None and not export.counts_requests:
        raise InputError.one(
            f"the {export.label} counts no requests; give --requests N (requests in the export's period) "
            "or --input-tokens-per-request N",
            field="--requests",
        )


def _request_total(
    export: Export, requests: float | None, input_tokens_per_request: float | None, total_in: float
) -> tuple[float, str]:
    check_request_options(export, requests, input_tokens_per_request)
    if requests is not None:
        return requests, f"--requests {requests:g} (requests in the export's period)"
    if input_tokens_per_request is not None:
        n = total_in / input_tokens_per_request
        return n, f"input tokens {total_in:,.0f} / --input-tokens-per-request {input_tokens_per_request:g}"
    counted = _sum(export.rows, "requests")
    return counted, export.fields.get("requests", "requests counted")


def _peak(export: Export, by_requests: bool) -> tuple[float | None, str]:
    width = export.bucket_seconds
    if width is not None and width > 3600:
        return None, (
            f"{width // 3600}-hour buckets cannot show the busiest hour; export hourly buckets "
            "(bucket_width=1h) to derive it"
        )
    by_hour: dict[dt.datetime, float] = defaultdict(float)
    use_requests = by_requests
    for r in export.rows:
        by_hour[hour_floor(r.start)] += (r.requests or 0.0) if use_requests else (r.input_tokens + r.output_tokens)
    hours = (export.period_end - export.period_start).total_seconds() / 3600.0
    total = sum(by_hour.values())
    if total <= 0 or hours <= 0:
        return None, "no traffic to measure"
    busiest, peak = max(by_hour.items(), key=lambda kv: (kv[1], str(kv[0])))
    mean = total / hours
    shown = f"{mean:,.1f}" if mean >= 10 else f"{mean:.3g}"
    unit = "requests" if use_requests else "tokens (the export counts no requests)"
    note = f"busiest hour {busiest:%Y-%m-%d %H:00} UTC: {peak:,.0f} {unit} vs {shown} an hour on average"
    ratio = peak / mean
    if ratio > 1000:  # the schema's ceiling; a few requests over a long period look like this
        note += "; capped at 1000"
    return min(1000.0, max(1.0, ratio)), note


def derive(
    export: Export,
    cat: Catalog,
    requests: float | None = None,
    input_tokens_per_request: float | None = None,
) -> Derived:
    rows = export.rows
    total_in, total_out = _sum(rows, "input_tokens"), _sum(rows, "output_tokens")
    if total_in <= 0 or total_out <= 0:
        raise InputError.one(
            f"the export has {total_in:,.0f} input and {total_out:,.0f} output tokens; a workload needs both",
            export.label,
        )
    n, n_note = _request_total(export, requests, input_tokens_per_request, total_in)
    if n <= 0:
        raise InputError.one("the export counts no requests", export.label)
    cached, written = _sum(rows, "cached_tokens"), _sum(rows, "cache_write_tokens")
    days = export.period_days
    share_basis = "requests" if export.counts_requests else "tokens"
    counted = _sum(rows, "requests") if export.counts_requests else 0.0
    if share_basis == "requests" and counted <= 0:
        raise InputError.one("the export counts no requests (every request count is 0)", export.label)

    # Per model, in the export's order of first appearance.
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[r.model].append(r)
    total_tokens = total_in + total_out
    models: list[ModelUse] = []
    for name, rs in groups.items():
        m_in, m_out = _sum(rs, "input_tokens"), _sum(rs, "output_tokens")
        if share_basis == "requests":
            # The export's own split; scaled when the user overrides the total.
            m_req = n * _sum(rs, "requests") / counted
            m_batch = n * sum(r.requests or 0.0 for r in rs if r.batch) / counted
        else:
            m_req = n * (m_in + m_out) / total_tokens
            batch_tok = sum(r.input_tokens + r.output_tokens for r in rs if r.batch)
            m_batch = m_req * batch_tok / (m_in + m_out) if m_in + m_out else 0.0
        costs = [r.cost for r in rs if r.cost is not None]
        models.append(
            ModelUse(
                name=name,
                match=map_model(cat, name, suggest=False),
                requests=m_req,
                input_tokens=m_in,
                cached_tokens=_sum(rs, "cached_tokens"),
                cache_write_tokens=_sum(rs, "cache_write_tokens"),
                output_tokens=m_out,
                batch_requests=m_batch,
                export_cost=sum(costs) if costs else None,
                reasoning_tokens=_reasoning(rs),
            )
        )
    # The nearest catalogue ids only for the unmatched names the summary shows.
    for m in [m for m in models if m.match.model_id is None][:SHOWN_UNMATCHED]:
        m.match.suggestions = suggestions(cat, m.name)
    try:
        for m in models:
            _price(m, cat, days, next((r.provider for r in groups[m.name] if r.provider), None))
    except ValidationError as exc:
        # A model's share priced as a workload of its own: figures outside the workload's ranges
        # (a --requests far from the export's own count) are the user's input, not a bug.
        problem = problems_from(exc, None, None)[0]
        raise InputError.one(
            f"the figures derived from the export are not a valid workload: {problem} "
            "(check --requests / --input-tokens-per-request against the export)",
            export.label,
        ) from None
    batch = sum(m.batch_requests for m in models) / n
    peak, peak_note = _peak(export, export.counts_requests)
    context = None
    if export.bucket_seconds is None:
        context = export.largest_request or max(r.input_tokens + r.output_tokens for r in rows)
    costs = [r.cost for r in rows if r.cost is not None]
    return Derived(
        export=export,
        requests=n,
        requests_note=n_note,
        requests_per_day=n / days,
        input_tokens=total_in / n,
        output_tokens=total_out / n,
        cached_input_share=cached / total_in,
        cache_write_share=written / total_in,
        batch_share=min(1.0, batch),
        peak_to_average=peak,
        peak_note=peak_note,
        context_tokens=context,
        models=models,
        share_basis=share_basis,
        reasoning_tokens=(r / n) if (r := _reasoning(rows)) is not None else None,
        export_monthly_cost=sum(costs) / days * DAYS_PER_MONTH if costs else None,
        totals={"input": total_in, "output": total_out, "cached": cached, "cache_write": written},
    )


def _reasoning(rows: list[Row]) -> float | None:
    """Hidden reasoning tokens of these rows, when every row separates them."""
    if not rows or any(r.reasoning_tokens is None for r in rows):
        return None
    return sum(r.reasoning_tokens or 0.0 for r in rows)


def model_workload(m: ModelUse, days: float) -> Workload | None:
    """One model's share of the traffic as a workload (per month), for catalogue pricing."""
    if m.requests <= 0 or m.input_tokens <= 0 or m.output_tokens <= 0:
        return None
    return Workload.model_validate(
        {
            "name": m.name,
            "traffic": {
                "requests_per_month": m.requests / days * DAYS_PER_MONTH,
                "input_tokens": m.input_tokens / m.requests,
                "output_tokens": m.output_tokens / m.requests,
                "cached_input_share": m.cached_tokens / m.input_tokens,
                "cache_write_share": m.cache_write_tokens / m.input_tokens,
                "batch_share": min(1.0, m.batch_requests / m.requests),
                **({"reasoning_tokens": m.reasoning_tokens / m.requests} if m.reasoning_tokens is not None else {}),
            },
        }
    )


def _price(m: ModelUse, cat: Catalog, days: float, provider_hint: str | None) -> None:
    from ...api.pricing import price_api

    if m.match.model_id is None:
        m.note = "not in the catalogue"
        return
    priced = offering_for(cat, m.match.model_id, provider_hint, m.name)
    if priced is None:
        m.note = "no API offering in the catalogue"
        return
    wl = model_workload(m, days)
    if wl is None:
        m.note = "no requests or no output tokens to price"
        return
    m.priced_as = f"{m.match.model_id}@{priced.provider.id}"
    m.priced_why = priced.why
    hidden = wl.traffic.reasoning_tokens or 0.0  # the export's own, billed at the output price
    m.catalogue_monthly_cost = price_api(priced.provider, priced.offering, wl, hidden_tokens=hidden).monthly_cost
