"""Lifecycle facts of one model on a given date, for commands that use a model but no price."""

from __future__ import annotations

import datetime as dt

from .schema import Model


def model_warnings(model: Model, today: dt.date) -> list[str]:
    """`lifecycle: ...` lines, worded like the engine's option warnings."""
    out: list[str] = []
    if model.shutdown_date is not None:
        if model.shutdown_date <= today:
            out.append(f"lifecycle: {model.name} was shut down on {model.shutdown_date}")
        else:
            days = (model.shutdown_date - today).days
            out.append(f"lifecycle: {model.name} shuts down on {model.shutdown_date} (in {days} days)")
    elif model.deprecation_date is not None and model.deprecation_date <= today:
        out.append(f"lifecycle: {model.name} is deprecated since {model.deprecation_date}")
    return out
