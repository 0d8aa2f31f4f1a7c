"""Anthropic Usage & Cost Admin API: GET /v1/organizations/usage_report/messages (JSON pages of buckets).

Fields read (https://platform.claude.com/docs/en/api/admin/usage_report/retrieve_messages): per
bucket `starting_at`, `ending_at` (RFC 3339) and `results`; per result `uncached_input_tokens`,
`cache_read_input_tokens`, `cache_creation.ephemeral_5m_input_tokens`,
`cache_creation.ephemeral_1h_input_tokens`, `output_tokens`, `model` (when grouped by model) and
`service_tier` (`batch` marks Message Batches usage). The report counts no requests, so the
request count comes from the user (`--requests` or `--input-tokens-per-request`).
"""

from __future__ import annotations

from typing import Any

from .buckets import buckets, span
from .openai import first_bucket
from .records import Export, Row, Where, count, model_name

LABEL = "Anthropic usage report (Admin API, messages)"


def detect(data: Any) -> bool:
    first = first_bucket(data)
    return first is not None and "starting_at" in first


def parse(data: Any, name: str) -> Export:
    all_buckets = list(buckets(data, name, "starting_at", "ending_at", ("results",)))
    if not all_buckets:
        raise Where(name).at("data").error("the export has no time buckets")
    rows = [_row(res, w, b.start) for b in all_buckets for w, res in b.results]
    start, end, width = span(all_buckets, name)
    return Export(
        source="anthropic",
        label=LABEL,
        rows=rows,
        period_start=start,
        period_end=end,
        bucket_seconds=width,
        counts_requests=False,
        fields={
            "input": "uncached_input_tokens + cache_read_input_tokens + cache_creation (5m + 1h)",
            "cached": "cache_read_input_tokens",
            "cache_write": "cache_creation.ephemeral_5m_input_tokens + cache_creation.ephemeral_1h_input_tokens",
            "output": "output_tokens",
            "batch": "results with service_tier: batch",
        },
    )


def _row(res: dict[str, Any], w: Where, start: Any) -> Row:
    if "object" in res and isinstance(res["object"], str) and "completions" in res["object"]:
        raise w.at("object").error("mixed exports: an OpenAI usage result inside an Anthropic usage report")
    creation = res.get("cache_creation") or {}
    if not isinstance(creation, dict):
        raise w.at("cache_creation").error("expected an object with ephemeral_5m/1h_input_tokens")
    cw = w.at("cache_creation")
    five = count(creation, "ephemeral_5m_input_tokens", cw, required=False)
    hour = count(creation, "ephemeral_1h_input_tokens", cw, required=False)
    uncached = count(res, "uncached_input_tokens", w)
    cached = count(res, "cache_read_input_tokens", w, required=False)
    return Row(
        model=model_name(res, w),
        start=start,
        input_tokens=uncached + cached + five + hour,
        output_tokens=count(res, "output_tokens", w),
        cached_tokens=cached,
        cache_write_tokens=five + hour,
        cache_write_5m=five,
        cache_write_1h=hour,
        requests=None,
        batch=res.get("service_tier") == "batch",
        provider="anthropic",
    )
