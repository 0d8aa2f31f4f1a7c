"""Time-bucketed usage reports (OpenAI Usage API, Anthropic usage report): pages of buckets of results."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .records import Where, timestamp


@dataclass
class Bucket:
    where: Where
    start: dt.datetime
    end: dt.datetime
    results: list[tuple[Where, dict[str, Any]]]


def pages_of(data: Any) -> list[tuple[int | None, dict[str, Any]]] | None:
    """The page objects in a file: one page, or a JSON array of pages (several pages pasted together)."""
    if isinstance(data, dict):
        return [(None, data)]
    if isinstance(data, list) and data and all(isinstance(p, dict) and "data" in p for p in data):
        return list(enumerate(data))
    return None


def buckets(data: Any, name: str, start_key: str, end_key: str, results_keys: tuple[str, ...]) -> Iterator[Bucket]:
    """Every bucket of every page, with its results; raises a located InputError on a bad shape."""
    pages = pages_of(data)
    if pages is None:
        raise Where(name).error("expected a page object with a 'data' list of buckets (or a list of pages)")
    for index, page in pages:
        w = Where(name) if index is None else Where(name).at(index)
        items = page.get("data")
        if not isinstance(items, list):
            raise w.at("data").error("expected a list of time buckets")
        for i, bucket in enumerate(items):
            bw = w.at("data").at(i)
            if not isinstance(bucket, dict):
                raise bw.error("expected a time bucket object")
            start = timestamp(bucket.get(start_key), bw.at(start_key))
            end = timestamp(bucket.get(end_key), bw.at(end_key))
            if end <= start:
                raise bw.at(end_key).error(f"bucket ends before it starts ({end_key} <= {start_key})")
            key = next((k for k in results_keys if k in bucket), None)
            if key is None:
                raise bw.error(f"bucket has no '{results_keys[0]}' list")
            results = bucket[key]
            if not isinstance(results, list):
                raise bw.at(key).error("expected a list of usage results")
            out = []
            for j, res in enumerate(results):
                if not isinstance(res, dict):
                    raise bw.at(key).at(j).error("expected a usage result object")
                out.append((bw.at(key).at(j), res))
            yield Bucket(bw, start, end, out)


def span(all_buckets: list[Bucket], name: str) -> tuple[dt.datetime, dt.datetime, int]:
    """Period covered (empty buckets count: they are hours with no traffic) and the bucket width."""
    seen: dict[dt.datetime, Where] = {}
    for b in all_buckets:
        if b.start in seen:
            raise b.where.error(
                f"a second bucket starts at {b.start.isoformat()} (the same page pasted twice?); "
                "each bucket must appear once"
            )
        seen[b.start] = b.where
    widths = Counter(int((b.end - b.start).total_seconds()) for b in all_buckets)
    width = max(widths)  # one width per report; the widest is the safe one for the peak rule
    return min(b.start for b in all_buckets), max(b.end for b in all_buckets), width
