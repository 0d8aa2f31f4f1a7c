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
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import InputError
from ...yamlio import open_regular

MAX_BYTES = 200_000_000  # a month of per-request logs from a busy proxy fits; more is a mistake
UTC = dt.timezone.utc
LAST_YEAR = 2199  # the latest year a usage export may name (no API existed before 1970)
_LAST_SECOND = dt.datetime(LAST_YEAR + 1, 1, 1, tzinfo=UTC).timestamp()


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
    largest_request: float | None = None  # prompt + completion of the longest request (per-request logs)

    @property
    def period_days(self) -> float:
        return (self.period_end - self.period_start).total_seconds() / 86400.0


# ------------------------------------------------------------------ reading
_KIND = "a usage export (JSON or CSV)"


class _Checked(io.RawIOBase):
    """The export's bytes as they are read: refused as binary at the first NUL, and cut at
    MAX_BYTES (a file that grows while it is read). Reading streams, so a CSV of any size costs
    the memory of one buffer, not of the file."""

    def __init__(self, fd: int, name: str) -> None:
        super().__init__()
        self.fd, self.name, self.total = fd, name, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = os.read(self.fd, len(buffer))
        except OSError as exc:
            raise InputError.one(f"cannot read: {exc.strerror or exc}", self.name) from None
        if b"\x00" in data:
            raise InputError.one(f"binary file, expected {_KIND}", self.name)
        self.total += len(data)
        if self.total > MAX_BYTES:
            raise InputError.one(f"file is larger than {MAX_BYTES // 1_000_000} MB", self.name)
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            os.close(self.fd)
        super().close()


def open_export(path: Path) -> io.BufferedReader:
    """The export opened for streaming, or one clear InputError: only a regular file up to
    MAX_BYTES (`yamlio.open_regular`, as the workload reader)."""
    name = str(path)
    fd = open_regular(path, _KIND, MAX_BYTES)
    return io.BufferedReader(_Checked(fd, name), 1 << 20)


def sniff(fh: io.BufferedReader, name: str) -> str:
    """ "json" or "csv", from the first character that is not a byte-order mark or white space."""
    head = fh.peek(1 << 16)
    lead = head.removeprefix(b"\xef\xbb\xbf").lstrip()
    if not lead:
        raise InputError.one(f"file is empty, expected {_KIND}", name)
    return "json" if lead[:1] in (b"{", b"[") else "csv"


def read_json(fh: io.BufferedReader, name: str) -> Any:
    """A JSON export, parsed whole (the bucketed reports are small: a row per hour and model)."""
    try:
        text = fh.read().decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.one(f"not UTF-8 text, expected {_KIND}", name) from None
    return parse_json(text, name)


def first_item(fh: io.BufferedReader) -> Any:
    """The first element of a JSON array at the top of the file, read from the buffered head
    only (None when the file is not an array or its first element is longer than the head)."""
    head = fh.peek(1 << 20).removeprefix(b"\xef\xbb\xbf")
    try:
        text = head.decode("utf-8", "ignore").lstrip()
        if not text.startswith("["):
            return None
        rest = text[1:].lstrip()
        return json.JSONDecoder(parse_constant=_no_constant).raw_decode(rest)[0]
    except ValueError:
        return None


def json_items(fh: io.BufferedReader, name: str) -> Iterator[Any]:
    """The elements of the JSON array that makes up the file, one at a time: memory follows the
    largest element, not the file (a month of per-request spend logs is 200 MB)."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig")
    decoder = json.JSONDecoder(parse_constant=_no_constant)
    state = {"buf": "", "pos": 0, "eof": False, "chunk": 1 << 20}

    def refill() -> None:
        try:
            more = text.read(state["chunk"])
        except UnicodeDecodeError:
            raise InputError.one(f"not UTF-8 text, expected {_KIND}", name) from None
        state["buf"] = state["buf"][state["pos"] :] + more
        state["pos"] = 0
        state["eof"] = not more

    def skip_space() -> str:
        while True:
            buf, pos = state["buf"], state["pos"]
            while pos < len(buf) and buf[pos] in " \t\r\n":
                pos += 1
            state["pos"] = pos
            if pos < len(buf) or state["eof"]:
                return buf[pos] if pos < len(buf) else ""
            refill()

    def fail(message: str) -> InputError:
        return InputError.one(f"invalid JSON: {message}", name)

    if skip_space() != "[":
        raise fail("expected an array of spend-log rows")
    state["pos"] += 1
    if skip_space() == "]":
        raise InputError.one("the export is empty: no buckets or rows in it", name, field="data")
    while True:
        skip_space()
        try:
            item, end = decoder.raw_decode(state["buf"], state["pos"])
            complete = end < len(state["buf"]) or state["eof"]
        except json.JSONDecodeError as exc:
            if state["eof"]:
                raise fail(exc.msg) from None
            complete = False
        except (ValueError, RecursionError) as exc:
            raise fail(str(exc) if isinstance(exc, ValueError) else "nested too deeply") from None
        if not complete:  # an element cut by the buffer's end: read more (twice as much each time)
            state["chunk"] *= 2
            refill()
            continue
        state["chunk"] = 1 << 20
        state["pos"] = end
        yield item
        after = skip_space()
        if after == "]":
            state["pos"] += 1
            if skip_space():
                raise fail("extra data after the array")
            return
        if after != ",":
            raise fail("expected ',' or ']' between spend-log rows")
        state["pos"] += 1


def _no_constant(value: str) -> Any:
    raise ValueError(f"{value} is not a number a usage export can hold")


def parse_json(text: str, name: str) -> Any:
    try:
        return json.loads(text, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise InputError.one(f"invalid JSON: {exc.msg}", name, exc.lineno) from None
    except ValueError as exc:
        raise InputError.one(f"invalid JSON: {exc}", name) from None
    except RecursionError:
        raise InputError.one("invalid JSON: nested too deeply", name) from None


def csv_rows(fh: io.BufferedReader, name: str) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """The header, and the rows as they are read, each with the line it starts on.

    Strict quoting: a quote that is never closed is an error (a lenient reader would swallow
    every row after it into one cell and carry on)."""
    text = io.TextIOWrapper(fh, encoding="utf-8-sig", newline="")
    reader = csv.reader(text, strict=True)

    def fail(exc: Exception, line: int) -> InputError:
        if isinstance(exc, UnicodeDecodeError):
            return InputError.one(f"not UTF-8 text, expected {_KIND}", name)
        if "unexpected end of data" in str(exc):
            return InputError.one("invalid CSV: a quoted cell opened here is never closed", name, line)
        return InputError.one(f"invalid CSV: {exc}", name, line)

    try:
        header = [h.strip() for h in next(reader, [])]
    except (csv.Error, UnicodeDecodeError) as exc:
        raise fail(exc, 1) from None

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        width = len(header)
        while True:
            line = reader.line_num + 1
            try:
                rec = next(reader, None)
            except (csv.Error, UnicodeDecodeError) as exc:
                raise fail(exc, line) from None
            if rec is None:
                return
            if not rec:
                continue  # a blank line
            if len(rec) > width:
                raise InputError.one("row has more cells than the header", name, line)
            yield line, {k: v.strip() for k, v in zip(header, rec, strict=False)}

    return header, rows()


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


NOT_GROUPED = "(model not grouped)"


def model_name(obj: dict[str, Any], where: Where) -> str:
    """A bucketed report's model: absent when the report is not grouped by model; never blank."""
    value = obj.get("model")
    if value is None or value == "":
        return NOT_GROUPED
    name = str(value).strip()
    if not name:
        raise where.at("model").error("the model name is blank")
    return name


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
        if not math.isfinite(value) or not 0 <= value < _LAST_SECOND:
            raise where.error(f"expected Unix seconds between 1970 and {LAST_YEAR} (got {value!r})")
        return dt.datetime.fromtimestamp(value, UTC)
    if isinstance(value, str) and value.strip():
        raw = value.strip()
        try:
            stamp = dt.datetime.fromisoformat(raw.replace("Z", "+00:00").replace(" ", "T", 1))
        except ValueError:
            raise where.error(f"expected an ISO 8601 time (got {value!r})") from None
        # Years 1 and 9999 overflow when converted to UTC or rounded to the next hour.
        check_year(stamp.year, where, value)
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    raise where.error("expected a time (Unix seconds or ISO 8601)")


def check_year(year: int, where: Where, value: Any) -> None:
    """A usage export's times lie between 1970 and LAST_YEAR; anything else is a mistake."""
    if not 1970 <= year <= LAST_YEAR:
        raise where.error(f"expected a time between 1970 and {LAST_YEAR} (got {value!r})")


def hour_floor(t: dt.datetime) -> dt.datetime:
    return t.replace(minute=0, second=0, microsecond=0)
