"""OpenAI Usage API, completions: GET /v1/organization/usage/completions (JSON pages of buckets).

Fields read (https://platform.openai.com/docs/api-reference/usage/completions_object): per bucket
`start_time`, `end_time` (Unix seconds) and `results` (OpenAI's OpenAPI file names it `result`;
both are accepted); per result `object` (must be `organization.usage.completions.result`),
`input_tokens` (includes cached tokens), `input_cached_tokens`, `output_tokens`,
`num_model_requests`, `model` (present when the export is grouped by model) and `batch` (when
grouped by batch). The usage API carries no cost (that is the separate Costs API).
"""

from __future__ import annotations

from typing import Any

from .buckets import buckets, span
from .records import Export, Row, Where, count, model_name

KIND = "organization.usage.completions.result"
LABEL = "OpenAI Usage API completions buckets"


def detect(data: Any) -> bool:
    first = first_bucket(data)
    return first is not None and "start_time" in first and ("results" in first or "result" in first)


def first_bucket(data: Any) -> dict[str, Any] | None:
    """The first bucket of the first page that has one (pages may be pasted together in a list)."""
    for page in data if isinstance(data, list) else [data]:
        items = page.get("data") if isinstance(page, dict) else None
        if isinstance(items, list) and items and isinstance(items[0], dict):
            return items[0]
    return None


def parse(data: Any, name: str) -> Export:
    all_buckets = list(buckets(data, name, "start_time", "end_time", ("results", "result")))
    rows: list[Row] = []
    for b in all_buckets:
        for w, res in b.results:
            kind = res.get("object")
            if kind is not None and kind != KIND:
                raise w.at("object").error(
                    f"mixed usage kinds: expected {KIND}, got {kind!r}; export only the completions endpoint"
                )
            rows.append(_row(res, w, b.start))
    if not all_buckets:
        raise Where(name).at("data").error("the export has no time buckets")
    start, end, width = span(all_buckets, name)
    return Export(
        source="openai",
        label=LABEL,
        rows=rows,
        period_start=start,
        period_end=end,
        bucket_seconds=width,
        counts_requests=True,
        fields={
            "requests": "num_model_requests summed",
            "input": "input_tokens (cached tokens included)",
            "cached": "input_cached_tokens",
            "cache_write": "none (OpenAI bills no cache-write premium)",
            "output": "output_tokens",
            "batch": "results with batch: true",
        },
    )


def _row(res: dict[str, Any], w: Where, start: Any) -> Row:
    total_in = count(res, "input_tokens", w)
    cached = count(res, "input_cached_tokens", w, required=False)
    if cached > total_in:
        raise w.at("input_cached_tokens").error(
            f"cached tokens ({cached:.0f}) exceed input_tokens ({total_in:.0f}), which include them"
        )
    return Row(
        model=model_name(res, w),
        start=start,
        input_tokens=total_in,
        output_tokens=count(res, "output_tokens", w),
        cached_tokens=cached,
        requests=count(res, "num_model_requests", w),
        batch=res.get("batch") is True,
        provider="openai",
    )
