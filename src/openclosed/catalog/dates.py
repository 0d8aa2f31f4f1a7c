"""The newest date in the catalogue: the `as_of` of its most recently checked entry.

`Catalog.as_of` is the files' own header date (what `catalog.as_of` has always meant); entries are
re-checked after it, one by one, so a report that says how fresh its figures are states the
newest entry's date (`catalog.newest_as_of`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..modelbase import BaseModel


def _walk(value: Any, newest: list[dt.date]) -> None:
    if isinstance(value, BaseModel):
        for key, v in value.__dict__.items():
            if key.endswith("as_of") and isinstance(v, dt.date) and v > newest[0]:
                newest[0] = v
            elif isinstance(v, (BaseModel, list, tuple, dict)):
                _walk(v, newest)
    elif isinstance(value, (list, tuple)):
        for v in value:
            if isinstance(v, (BaseModel, list, tuple, dict)):
                _walk(v, newest)
    elif isinstance(value, dict):
        for v in value.values():
            if isinstance(v, (BaseModel, list, tuple, dict)):
                _walk(v, newest)


def newest_as_of(catalog: Any) -> dt.date:
    """The latest `as_of` (or `*_as_of`, such as a lifecycle date's) of any entry, at least the
    files' own date; computed once per catalogue."""
    found = catalog.__dict__.get("_newest_as_of")
    if found is None:
        newest = [catalog.as_of]
        _walk(catalog.models_file, newest)
        _walk(catalog.providers_file, newest)
        found = catalog.__dict__["_newest_as_of"] = newest[0]
    return found
