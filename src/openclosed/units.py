"""Formatting of money for messages (shared by the core's sentences and the renderers)."""

from __future__ import annotations


def money(value: float) -> str:
    """$1,234 for large sums, $12.34 for small ones, $0.0123 for tiny ones; -$63.88 below zero."""
    if value < 0:
        return "-" + money(-value)
    if abs(value) >= 100:
        return f"${value:,.0f}"
    if abs(value) >= 1:
        return f"${value:,.2f}"
    return f"${value:,.4g}"
