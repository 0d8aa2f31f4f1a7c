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
        return csv_text("; ".join(str(v) for v in value))
    if isinstance(value, str):
        return csv_text(value)
    return value


# What a spreadsheet reads as the start of a formula (OWASP, "CSV Injection"): = + - @, a tab or a
# carriage return, and their full-width forms, which some spreadsheets also accept.
_FORMULA_START = frozenset("=+-@\t\r\uff1d\uff0b\uff0d\uff20")


def csv_text(text: str) -> str:
    """A text cell a spreadsheet cannot run: one that would start a formula gets a leading
    apostrophe (shown by none of them, and read as "this is text"). Numbers are never text here:
    they keep their sign and stay numbers."""
    return "'" + text if text and text[0] in _FORMULA_START else text
