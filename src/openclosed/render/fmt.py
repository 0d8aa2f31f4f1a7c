"""Human formatting of cells, shared by the table, Markdown and HTML renderers."""

from __future__ import annotations

from typing import Any

from ..units import escaped, money

__all__ = ["cell", "money", "printable"]


def printable(text: str) -> str:
    """`text` safe to show: names and ids from a catalogue or a workload cannot move the cursor,
    recolour the terminal or hide text (format characters such as emoji joiners are kept)."""
    return escaped(text)


def cell(value: Any, kind: str) -> str:
    text = _cell(value, kind)
    if kind == "figure" and "\n" in text:
        # A preformatted figure may hold lines of its own (a cost over its range).
        return "\n".join(printable(line) for line in text.split("\n"))
    return printable(text)


def _cell(value: Any, kind: str) -> str:
    if value is None or value == "":
        return "–"
    if kind == "money" and isinstance(value, (int, float)):
        return money(float(value))
    if kind in ("score", "lock") and isinstance(value, (int, float)):
        return f"{value:.0f}"
    if kind == "pct" and isinstance(value, (int, float)):
        return f"{value:+.1f}%"
    if kind == "int" and isinstance(value, (int, float)):
        return f"{value:,.0f}"
    if kind == "number" and isinstance(value, (int, float)):
        v = float(value)
        if v == int(v) and abs(v) < 1e12:
            return f"{int(v):,}"
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    if kind == "bool":
        return "yes" if value else "no"
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    return str(value)
