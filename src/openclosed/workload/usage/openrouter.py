"""OpenRouter activity: GET /api/v1/activity (JSON, one row per UTC day and endpoint).

Fields read (https://openrouter.ai/docs/api/api-reference/analytics/get-user-activity): `date`
(YYYY-MM-DD), `model`, `model_permaslug`, `provider_name`, `requests`, `prompt_tokens`,
`completion_tokens`, `reasoning_tokens` (part of the completion tokens), `usage` (USD of
OpenRouter credits) and `byok_usage_inference` (USD of BYOK
inference). Days are the finest grain, so the peak-to-average ratio cannot be derived; the rows
carry no cached-token count. The Activity page's CSV download is not read: OpenRouter does not
document its columns.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from .records import UTC, Export, Row, Where, check_year, count, money, text

LABEL = "OpenRouter activity (GET /api/v1/activity)"
_KEYS = {"date", "requests", "prompt_tokens", "completion_tokens"}


def detect(data: Any) -> bool:
    items = data.get("data") if isinstance(data, dict) else data
    return isinstance(items, list) and bool(items) and isinstance(items[0], dict) and set(items[0]) >= _KEYS


def parse(data: Any, name: str) -> Export:
    root = Where(name)
    items = data.get("data") if isinstance(data, dict) else data
    base = root.at("data") if isinstance(data, dict) else root
    if not isinstance(items, list):
        raise base.error("expected a list of activity rows")
    if not items:
        raise base.error("the export has no activity rows")
    rows: list[Row] = []
    days: set[dt.date] = set()
    for i, item in enumerate(items):
        w = base.at(i)
        if not isinstance(item, dict):
            raise w.error("expected an activity row object")
        if "start_time" in item or "starting_at" in item or "startTime" in item:
            raise w.error("mixed exports: this row is not an OpenRouter activity row")
        raw_day = text(item, "date", w)
        try:
            day = dt.date.fromisoformat(str(raw_day)[:10])
        except ValueError:
            raise w.at("date").error(f"expected a date YYYY-MM-DD (got {raw_day!r})") from None
        check_year(day.year, w.at("date"), raw_day)
        days.add(day)
        usage = money(item, "usage", w) or 0.0
        byok = money(item, "byok_usage_inference", w) or 0.0
        # The permaslug is dated (openai/gpt-4.1-2025-04-14); the slug maps more often.
        model = text(item, "model", w, required=False) or text(item, "model_permaslug", w) or ""
        if not model:
            raise w.at("model").error("the model name is blank")
        completion = count(item, "completion_tokens", w)
        # completion_tokens include the reasoning tokens the row also counts on their own.
        reasoning = count(item, "reasoning_tokens", w) if "reasoning_tokens" in item else None
        rows.append(
            Row(
                model=model,
                start=dt.datetime(day.year, day.month, day.day, tzinfo=UTC),
                input_tokens=count(item, "prompt_tokens", w),
                output_tokens=completion - min(reasoning or 0.0, completion),
                reasoning_tokens=min(reasoning, completion) if reasoning is not None else None,
                requests=count(item, "requests", w),
                cost=usage + byok,
                provider=text(item, "provider_name", w, required=False),
            )
        )
    first, last = min(days), max(days)
    start = dt.datetime(first.year, first.month, first.day, tzinfo=UTC)
    end = dt.datetime(last.year, last.month, last.day, tzinfo=UTC) + dt.timedelta(days=1)
    return Export(
        source="openrouter",
        label=LABEL,
        rows=rows,
        period_start=start,
        period_end=end,
        bucket_seconds=86400,
        counts_requests=True,
        fields={
            "requests": "requests summed",
            "input": "prompt_tokens",
            "cached": "none (the activity rows carry no cached-token count)",
            "cache_write": "none",
            "output": "completion_tokens - reasoning_tokens",
            "reasoning": "reasoning_tokens",
            "cost": "usage + byok_usage_inference",
        },
    )
