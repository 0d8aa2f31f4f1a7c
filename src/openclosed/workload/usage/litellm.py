"""LiteLLM proxy spend logs: one row per request (the LiteLLM_SpendLogs table), as JSON or CSV.

Fields read (LiteLLM's `schema.prisma`, model LiteLLM_SpendLogs, and `SpendLogsMetadata`):
`startTime`, `model` (else `model_group`), `prompt_tokens` (the whole prompt, cached tokens
included, as in OpenAI-style usage), `completion_tokens`, `spend` (USD), `custom_llm_provider`,
`call_type`, `status`, and cached tokens where present: `cache_read_input_tokens` /
`cache_creation_input_tokens` as columns, or inside `metadata.usage_object` or
`metadata.additional_usage_values` (also `prompt_tokens_details.cached_tokens`). JSON may be the
array that `GET /spend/logs` returns or the `{"data": [...]}` page of `/spend/logs/v2`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from .records import Export, Row, Where, count, hour_floor, money, text, timestamp

LABEL = "LiteLLM spend logs"
_NEEDED = {"startTime", "prompt_tokens", "completion_tokens"}
# call_type values of text generation; embeddings, images, speech and the like are left out.
_COMPLETION_CALLS = {
    "completion",
    "acompletion",
    "text_completion",
    "atext_completion",
    "anthropic_messages",
    "responses",
    "aresponses",
    "generate_content",
    "agenerate_content",
}


def detect_rows(rows: Any) -> bool:
    return isinstance(rows, list) and bool(rows) and isinstance(rows[0], dict) and set(rows[0]) >= _NEEDED


def detect(data: Any) -> bool:
    return detect_rows(data.get("data") if isinstance(data, dict) else data)


def detect_csv(header: list[str]) -> bool:
    return set(header) >= _NEEDED


def parse(data: Any, name: str) -> Export:
    root = Where(name)
    items = data.get("data") if isinstance(data, dict) else data
    base = root.at("data") if isinstance(data, dict) else root
    if not isinstance(items, list):
        raise base.error("expected a list of spend-log rows")
    return _export(((base.at(i), item) for i, item in enumerate(items)), name)


def parse_items(items: Iterable[Any], name: str) -> Export:
    """The rows of a top-level JSON array, as they are read (records.json_items)."""
    root = Where(name)
    return _export(((root.at(i), item) for i, item in enumerate(items)), name)


def parse_csv_rows(rows: Iterable[tuple[int, dict[str, str]]], name: str) -> Export:
    return _export(((Where(name, line=line), rec) for line, rec in rows), name)


def _export(items: Iterable[tuple[Where, Any]], name: str) -> Export:
    """The rows read one at a time and summed per model, provider and clock hour (everything the
    derivation uses), so that memory follows the number of models and hours, not of requests."""
    hours: dict[tuple[str, dt.datetime, str | None], Row] = {}
    seen = skipped = 0
    largest = 0.0
    for w, item in items:
        seen += 1
        if not isinstance(item, dict):
            raise w.error("expected a spend-log row object")
        if "start_time" in item or "starting_at" in item:
            raise w.error("mixed exports: this row is a usage-report bucket, not a LiteLLM spend-log row")
        status = str(item.get("status") or "").lower()
        call = str(item.get("call_type") or "").lower()
        if status == "failure" or (call and call not in _COMPLETION_CALLS):
            skipped += 1
            continue
        row = _row(item, w)
        largest = max(largest, row.input_tokens + row.output_tokens)
        key = (row.model, hour_floor(row.start), row.provider)
        into = hours.get(key)
        if into is None:
            row.start = key[1]
            hours[key] = row
            continue
        into.input_tokens += row.input_tokens
        into.output_tokens += row.output_tokens
        into.cached_tokens += row.cached_tokens
        into.cache_write_tokens += row.cache_write_tokens
        into.requests = (into.requests or 0.0) + 1.0
        if row.cost is not None:
            into.cost = (into.cost or 0.0) + row.cost
    if not seen:
        raise Where(name).error("the export has no spend-log rows")
    rows = list(hours.values())
    if not rows:
        raise Where(name).error("no successful completion requests in the export (only failures or other calls)")
    first = min(r.start for r in rows)
    last = max(r.start for r in rows)
    notes = []
    if skipped:
        notes.append(f"{skipped} rows left out: failed requests or calls other than text generation")
    return Export(
        source="litellm",
        label=LABEL,
        rows=rows,
        period_start=first,
        period_end=last + dt.timedelta(hours=1),
        bucket_seconds=None,
        counts_requests=True,
        fields={
            "requests": "rows counted (one per request)",
            "input": "prompt_tokens (cached tokens included)",
            "cached": "cache_read_input_tokens or prompt_tokens_details.cached_tokens (metadata.usage_object)",
            "cache_write": "cache_creation_input_tokens (metadata.usage_object)",
            "output": "completion_tokens",
            "cost": "spend",
        },
        notes=notes,
        skipped=skipped,
        largest_request=largest,
    )


def _usage_blocks(item: dict[str, Any], w: Where) -> list[tuple[dict[str, Any], Where]]:
    """Where cache counts may live: the row itself, then metadata.usage_object / additional_usage_values."""
    blocks = [(item, w)]
    meta = item.get("metadata")
    if isinstance(meta, str) and meta.strip():
        try:
            meta = json.loads(meta)
        except ValueError:
            raise w.at("metadata").error("expected a JSON object") from None
    if isinstance(meta, dict):
        for key in ("usage_object", "additional_usage_values"):
            block = meta.get(key)
            if isinstance(block, dict):
                blocks.append((block, w.at("metadata").at(key)))
    return blocks


def _row(item: dict[str, Any], w: Where) -> Row:
    prompt = count(item, "prompt_tokens", w)
    cached = written = 0.0
    for block, bw in _usage_blocks(item, w):
        if not cached:
            cached = count(block, "cache_read_input_tokens", bw, required=False)
            details = block.get("prompt_tokens_details")
            if not cached and isinstance(details, dict):
                cached = count(details, "cached_tokens", bw.at("prompt_tokens_details"), required=False)
        if not written:
            written = count(block, "cache_creation_input_tokens", bw, required=False)
    model = text(item, "model", w, required=False) or text(item, "model_group", w, required=False)
    if not model:
        raise w.at("model").error("required field is missing (no model or model_group)")
    return Row(
        model=model,
        start=timestamp(item.get("startTime"), w.at("startTime")),
        # Some providers' usage reports cache tokens beside the prompt rather than in it.
        input_tokens=max(prompt, cached + written),
        output_tokens=count(item, "completion_tokens", w),
        cached_tokens=cached,
        cache_write_tokens=written,
        requests=1.0,
        cost=money(item, "spend", w),
        provider=text(item, "custom_llm_provider", w, required=False),
    )
