"""What every usage export is read into, and the file reading the sources share.

A source module turns one provider's export into an `Export`: a list of `Row`s (one per time
bucket and model, or one per request) plus what the export can and cannot tell. The derivation
(`derive.py`) never looks at provider field names again.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError

MAX_BYTES = 200_000_000  # a month of per-request logs from a busy proxy fits; more is a mistake
UTC = dt.timezone.utc


@dataclass
class Row:
    """Usage of one model over one time span (a bucket) or at one instant (a request)."""

    model: str
    start: dt.datetime
    input_tokens: float  # the whole prompt: fresh, cached and cache-write tokens
    output_tokens: float
    cached_tokens: float = 0.0
    cache_write_tokens: float = 0.0
    cache_write_5m: float = 0.0
    cache_write_1h: float = 0.0
    requests: float | None = None  # None when the export does not count requests
    batch: bool = False
    cost: float | None = None  # the export's own cost in USD, when it carries one
    provider: str | None = None  # provider named by the export (LiteLLM, OpenRouter)
    # Hidden reasoning tokens, already taken out of output_tokens; None: the export does not
    # separate them (its output tokens then include any reasoning the model billed).
    reasoning_tokens: float | None = None


@dataclass
class Export:
    source: str  # openai | anthropic | litellm | openrouter
    label: str  # human name of the format, for comments
    rows: list[Row]
    period_start: dt.datetime
    period_end: dt.datetime
    bucket_seconds: int | None  # None: one row per request (timestamps)
    counts_requests: bool
    fields: dict[str, str] = field(default_factory=dict)  # figure -> the export fields it came from
    notes: list[str] = field(default_factory=list)
    skipped: int = 0  # rows left out (failed requests, non-completion calls)

    @property
    def period_days(self) -> float:
        return (self.period_end - self.period_start).total_seconds() / 86400.0


# ------------------------------------------------------------------ reading
def read_export_text(path: Path) -> str:
    """The file's text, or one clear InputError (missing, directory, binary, huge, empty)."""
    name = str(path)
    if not path.exists():
        raise InputError.one("file not found", name)
    if path.is_dir():
        raise InputError.one("is a directory, expected a usage export (JSON or CSV)", name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror}", name) from None
    if len(raw) > MAX_BYTES:
        raise InputError.one(f"file is larger than {MAX_BYTES // 1_000_000} MB", name)
    if b"\x00" in raw:
        raise InputError.one("binary file, expected a usage export (JSON or CSV)", name)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.one("not UTF-8 text, expected a usage export (JSON or CSV)", name) from None
    if not text.strip():
        raise InputError.one("file is empty, expected a usage export (JSON or CSV)", name)
    return text


def _no_constant(value: str) -> Any:
    raise ValueError(f"{value} is not a number a usage export can hold")


def parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError.one(f"invalid JSON: {exc.msg}", name, exc.lineno) from None
    except ValueError as exc:
        raise InputError.one(f"invalid JSON: {exc}", name) from None


def parse_csv(text: str, name: str) -> tuple[list[str], list[tuple[int, dict[str, str]]]]:
    """Header and rows of a CSV file, each row with its line number."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, str]]] = []
    try:
        for rec in reader:
            if None in rec:
                raise InputError.one("row has more cells than the header", name, reader.line_num)
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in rec.items()}))
    except csv.Error as exc:
        raise InputError.one(f"invalid CSV: {exc}", name, reader.line_num) from None
    return header, rows


def looks_like_json(text: str) -> bool:
    return text.lstrip()[:1] in ("{", "[")


# ------------------------------------------------------------------ field access
class Where:
    """Locates a value for error messages: file, line (CSV) and a field path."""

    def __init__(self, name: str, path: str = "", line: int | None = None) -> None:
        self.name, self.path, self.line = name, path, line

    def at(self, key: str | int) -> Where:
        part = f"[{key}]" if isinstance(key, int) else (f".{key}" if self.path else key)
        return Where(self.name, self.path + part, self.line)

    def error(self, message: str) -> InputError:
        return InputError.one(message, self.name, self.line, self.path or None)


def count(obj: dict[str, Any], key: str, where: Where, required: bool = True) -> float:
    """A non-negative token or request count; absent optional counts are 0."""
    value = obj.get(key)
    w = where.at(key)
    if value is None or value == "":
        if required:
            raise w.error("required field is missing (expected a count)")
        return 0.0
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            raise w.error(f"expected a number (got {value!r})") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise w.error(f"expected a number (got {value!r})")
    if not math.isfinite(value) or value < 0:
        raise w.error(f"expected a non-negative number (got {value!r})")
    if value > 1e15:
        raise w.error(f"number {value:g} is too large")
    return float(value)


def money(obj: dict[str, Any], key: str, where: Where) -> float | None:
    if obj.get(key) in (None, ""):
        return None
    return count(obj, key, where)


def text(obj: dict[str, Any], key: str, where: Where, required: bool = True) -> str | None:
    value = obj.get(key)
    if value is None or value == "":
        if required:
            raise where.at(key).error("required field is missing")
        return None
    if not isinstance(value, str):
        raise where.at(key).error(f"expected text (got {value!r})")
    return value.strip()


def timestamp(value: Any, where: Where) -> dt.datetime:
    """Unix seconds, or an ISO 8601 / RFC 3339 time (a time without a zone is taken as UTC)."""
    if isinstance(value, bool):
        raise where.error(f"expected a time (got {value!r})")
    if isinstance(value, (int, float)):
        if not math.isfinite(value) or not 0 <= value < 1e11:
            raise where.error(f"expected Unix seconds (got {value!r})")
        return dt.datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value.strip():
        raw = value.strip()
        try:
            stamp = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            raise where.error(f"expected an ISO 8601 time (got {value!r})") from None
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    raise where.error("expected a time (Unix seconds or ISO 8601)")


def hour_floor(t: dt.datetime) -> dt.datetime:
    return t.replace(minute=0, second=0, microsecond=0)
