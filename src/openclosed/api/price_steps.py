"""Dated price steps: the token prices of an API offering on a given day.

An offering's `prices` are those in force on its `as_of` date; `price_steps` lists published changes
from a later date on (Google's introductory Gemini prices end on a stated day, for instance). The
engine asks `prices_on(offering, today)` for the prices of the day it compares on (`--today`, default
the run date). Fields a step leaves out keep their earlier value. Pure.
"""

from __future__ import annotations

import datetime as dt
from typing import Any


def prices_on(offering: Any, day: dt.date) -> Any:
    """The TokenPrices in force on `day` (the offering's own `prices` when no step has started)."""
    steps = sorted((s for s in getattr(offering, "price_steps", None) or [] if s.starts <= day), key=lambda s: s.starts)
    if not steps:
        return offering.prices
    prices = offering.prices
    values = {name: getattr(prices, name) for name in type(prices).model_fields}
    for step in steps:
        for key in ("input", "output", "cached_input", "cache_write"):
            value = getattr(step, key)
            if value is not None:
                values[key] = value
    # Every value is a validated catalogue price (a step's fields have the prices' own bounds), so
    # the table is built without pydantic's serializer or validator: the first one a run builds
    # loads pydantic's plugin machinery (`importlib.metadata`, about 16 ms), which a compare of a
    # preset otherwise never needs.
    return type(prices).model_construct(**values)


def step_in_force(offering: Any, day: dt.date) -> Any | None:
    """The latest step that has started by `day` (its source and date describe the prices), or None."""
    steps = [s for s in getattr(offering, "price_steps", None) or [] if s.starts <= day]
    return max(steps, key=lambda s: s.starts) if steps else None
