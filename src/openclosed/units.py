"""Formatting of money for messages (shared by the core's sentences and the renderers)."""

from __future__ import annotations


def money(value: float | None) -> str:
    """$1,234 for large sums, $12.34 for small ones, $0.0123 for tiny ones; a dash for no cost
    (an option that cannot run)."""
    if value is None:
        return "–"
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:,.4g}"
