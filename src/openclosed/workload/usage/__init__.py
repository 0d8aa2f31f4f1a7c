"""Usage exports (provider bills and proxy logs) to workload files: `openclosed workload from-usage`.

One module per source reads its format into an `Export`; `derive` turns that into the workload's
figures; `write` renders the commented YAML. Pure: no CLI imports.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ...errors import InputError
from . import anthropic, litellm, openai, openrouter
from .derive import Derived, derive
from .records import Export, csv_rows, first_item, json_items, open_export, read_json, sniff

SOURCES = ("openai", "anthropic", "litellm", "openrouter")
_PARSERS = {"openai": openai, "anthropic": anthropic, "litellm": litellm, "openrouter": openrouter}
_EXPECTED = {
    "openai": "a page of buckets with start_time and results (GET /v1/organization/usage/completions)",
    "anthropic": "a page of buckets with starting_at and results (GET /v1/organizations/usage_report/messages)",
    "litellm": "spend-log rows with startTime, model, prompt_tokens, completion_tokens (JSON or CSV)",
    "openrouter": "activity rows with date, model, requests, prompt_tokens, completion_tokens (GET /api/v1/activity)",
}

__all__ = ["SOURCES", "Derived", "Export", "derive", "from_usage", "read_export", "workload_text"]


def _kinds(data: Any) -> list[str]:
    return [k for k in SOURCES if _PARSERS[k].detect(data)]


def _is_empty(data: Any) -> bool:
    if isinstance(data, list):
        return not data or all(isinstance(p, dict) and p.get("data") == [] for p in data)
    return isinstance(data, dict) and data.get("data") == []


def read_export(path: Path, source: str | None = None) -> Export:
    """Read and parse a usage export; `source` forces the format, else it is detected from the content."""
    name = str(path)
    if source is not None and source.strip().lower() not in SOURCES:
        raise InputError.one(f"unknown source {source!r}; expected one of {', '.join(SOURCES)}", field="--source")
    wanted = source.strip().lower() if source else None
    with open_export(path) as fh:
        if sniff(fh, name) == "csv":
            header, rows = csv_rows(fh, name)
            if wanted not in (None, "litellm"):
                raise InputError.one(
                    f"a CSV file, but the {wanted} export is JSON: expected {_EXPECTED[wanted]}", name, 1
                )
            if not litellm.detect_csv(header):
                raise InputError.one(
                    "neither JSON nor a recognised CSV: a LiteLLM spend-log CSV needs the columns "
                    f"startTime, prompt_tokens, completion_tokens (found: {', '.join(header[:8]) or 'none'})",
                    name,
                    1,
                )
            return litellm.parse_csv_rows(rows, name)
        first = first_item(fh) if wanted in (None, "litellm") else None
        if isinstance(first, dict) and "data" not in first and litellm.detect_rows([first]):
            # A LiteLLM spend log (GET /spend/logs: an array of rows), read a row at a time.
            return litellm.parse_items(json_items(fh, name), name)
        data = read_json(fh, name)
    return _parse_json(data, name, wanted)


def _parse_json(data: Any, name: str, wanted: str | None) -> Export:
    if _is_empty(data):
        raise InputError.one("the export is empty: no buckets or rows in it", name, field="data")
    if isinstance(data, list) and data and all(isinstance(p, dict) and "data" in p for p in data):
        page_kinds = {k for p in data for k in _kinds(p)}
        if len(page_kinds) > 1:
            raise InputError.one(f"mixed exports in one file ({', '.join(sorted(page_kinds))}); split them", name)
    kinds = _kinds(data)
    if wanted is not None:
        if wanted not in kinds:
            raise InputError.one(
                f"does not look like an {wanted} export: expected {_EXPECTED[wanted]}", name, field="--source"
            )
        return _PARSERS[wanted].parse(data, name)
    if not kinds:
        raise InputError.one(
            "unrecognised usage export; expected one of: "
            + "; ".join(f"{k}: {_EXPECTED[k]}" for k in SOURCES)
            + " (or give --source)",
            name,
        )
    if len(kinds) > 1:
        raise InputError.one(f"the content fits several sources ({', '.join(kinds)}); give --source", name)
    return _PARSERS[kinds[0]].parse(data, name)


def default_name(path: Path) -> str:
    stem = re.sub(r"[^a-z0-9]+", "-", path.stem.lower()).strip("-")
    return f"usage-{stem}" if stem else "usage"


def workload_text(
    export: Export,
    cat: Any,
    file: str,
    requests: float | None = None,
    input_tokens_per_request: float | None = None,
    by_model: bool = False,
    name: str | None = None,
) -> tuple[str, Derived]:
    """The workload YAML text for a parsed export, and the figures behind it."""
    import yaml

    from ..model import workload_from_dict
    from .write import render

    derived = derive(export, cat, requests, input_tokens_per_request)
    text = render(derived, file, name or default_name(Path(file)), by_model)
    # The file must load as a workload: check it the way `compare` will read it.
    try:
        workload_from_dict(yaml.safe_load(text), "derived workload")
    except InputError as exc:
        raise InputError.one(f"the figures derived from the export are not a valid workload: {exc}", file) from None
    return text, derived


def from_usage(
    path: Path,
    cat: Any,
    source: str | None = None,
    requests: float | None = None,
    input_tokens_per_request: float | None = None,
    by_model: bool = False,
    name: str | None = None,
) -> tuple[str, Derived]:
    """Read a usage export and return the workload YAML text and the figures behind it."""
    export = read_export(Path(path), source)
    return workload_text(export, cat, str(path), requests, input_tokens_per_request, by_model, name)
