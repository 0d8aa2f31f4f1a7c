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


# Bidirectional overrides and isolates reorder what a terminal shows (the "Trojan Source" trick).
# The line and paragraph separators (U+2028, U+2029) break a line where a reader expects none.
_BIDI = frozenset({0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})


def escaped(text: str, *, strict: bool = False) -> str:
    """`text` with the characters that could drive a terminal or break a line written as escapes
    (`\\x1b`, `\\u2028`): control characters, DEL and C1, bidirectional controls, the line and
    paragraph separators and lone surrogates (from undecodable command-line bytes, which could not
    be written at all). `strict` escapes every character Python does not call printable, format
    characters such as emoji joiners too: a YAML file cannot hold most of them, while a terminal
    shows them as meant."""
    if text.isprintable():
        return text
    if strict:
        return "".join(ch if ch.isprintable() else _escape(ch) for ch in text)
    return "".join(_escape(ch) if _unsafe(ord(ch)) else ch for ch in text)


def _unsafe(code: int) -> bool:
    return code < 0x20 or 0x7F <= code < 0xA0 or code in _BIDI or 0xD800 <= code < 0xE000


def _escape(ch: str) -> str:
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"
