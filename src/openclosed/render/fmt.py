"""Human formatting of cells, shared by the table, Markdown and HTML renderers."""

from __future__ import annotations

from typing import Any

from ..units import money

__all__ = ["cell", "money", "printable"]

# Bidirectional overrides and isolates reorder what a terminal shows (the "Trojan Source" trick).
# The line and paragraph separators (U+2028, U+2029) break a line where a reader expects none.
_BIDI = {0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str) -> str:
    """`text` with control characters escaped (`\\x1b`), so names and ids from a catalogue or a
    workload cannot move the cursor, recolour the terminal or hide text. Lone surrogates (from
    undecodable command-line bytes) are escaped too, so writing them cannot fail."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        code = ord(ch)
        if code < 0x20 or 0x7F <= code < 0xA0 or code in _BIDI or 0xD800 <= code < 0xE000:
            out.append(_escape(ch))
        else:
            out.append(ch)
    return "".join(out)


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
