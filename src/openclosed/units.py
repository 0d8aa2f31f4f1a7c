"""Formatting of money for messages (shared by the core's sentences and the renderers)."""

from __future__ import annotations

import math


def money(value: float | None) -> str:
    """$1,234 for large sums, $12.34 for small ones, $0.0123 for tiny ones; -$63.88 below zero; a
    dash for no cost (an option that cannot run)."""
    if value is None:
        return "–"
    if value < 0:
        return "-" + money(-value)
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:,.4g}"


def csv_cell(value: object) -> object:
    """A value as the CSV outputs write it: raw numbers (integers without ".0"), true/false,
    empty for None and non-finite numbers, lists joined by "; "."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if not math.isfinite(value):
            return ""
        if value == int(value) and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return value
