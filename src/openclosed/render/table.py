"""The terminal table, drawn by rich; readable at 80 columns, coloured only on a terminal.

Option ids are never wrapped or cut (a user pastes them into `explain`); when the table does not
fit, optional columns are dropped and a one-line note says which.
"""

from __future__ import annotations

import io
import textwrap

from . import Column, View
from .fmt import cell, printable

# Right-aligned and never wrapped; "figure" is preformatted text such as a cost over its range
# ("$145\n113–187": a cell may hold lines of its own).
NUMERIC = ("money", "number", "int", "score", "lock", "pct", "figure")
GAP = 3  # columns between two cells: padding, divider, padding


MIN_WRAP = 10  # narrowest a wrapped text column gets


def _width(text: str) -> int:
    return max(len(line) for line in text.split("\n")) if "\n" in text else len(text)


def _natural(c: Column, rows: list) -> int:
    cells = [_width(cell(r.get(c.key), c.kind)) for r in rows] or [0]
    w = max(_width(c.header), *cells)
    if not c.width:
        return w
    return max(min(w, c.width), _longest_word(c, rows)) if c.nowrap else min(w, c.width)


def _longest_word(c: Column, rows: list) -> int:
    words = [len(w) for r in rows for w in cell(r.get(c.key), c.kind).split()]
    return max([_width(c.header), *words])


def _least(c: Column, rows: list) -> int:
    """The narrowest a column may get: numbers never wrap; `nowrap` text wraps only between
    words (an id has none); other text wraps down to MIN_WRAP."""
    if c.kind in NUMERIC:
        return _natural(c, rows)
    if c.nowrap:
        return _longest_word(c, rows)
    return min(_natural(c, rows), MIN_WRAP)


def fit_columns(cols: list[Column], rows: list, width: int) -> tuple[list[Column], list[int], list[Column]]:
    """The columns shown, their widths, and the optional columns dropped (highest `optional`
    number first) so that every column fits `width` at least at its narrowest. Text columns
    then give up width, the widest first, until the table fits; if it still cannot, it is wider
    than `width` (a terminal wraps the lines; nothing is cut)."""
    cols = list(cols)
    dropped: list[Column] = []

    def total(widths: list[int]) -> int:
        return sum(widths) + GAP * (len(widths) - 1)

    while total([_least(c, rows) for c in cols]) > width:
        optional = [c for c in cols if c.optional]
        if not optional:
            break
        worst = max(optional, key=lambda c: c.optional)
        cols.remove(worst)
        dropped.append(worst)
    widths = [_natural(c, rows) for c in cols]
    least = [_least(c, rows) for c in cols]
    while total(widths) > width:
        shrinkable = [i for i in range(len(cols)) if widths[i] > least[i]]
        if not shrinkable:
            break
        i = max(shrinkable, key=lambda k: widths[k] - least[k])
        widths[i] -= 1
    return cols, widths, dropped


def dropped_note(dropped: list[Column], width: int) -> str:
    names = ", ".join(c.header for c in dropped)
    return f"Columns hidden at this width: {names} (--format csv has all)."


def to_table(view: View, width: int | None = None, color: bool = False) -> str:
    from rich.console import Console
    from rich.text import Text

    width = width or 100
    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        force_terminal=color,
        soft_wrap=False,
    )
    # The title goes on its own line: a table narrower than its title would wrap it.
    console.print(Text(printable(view.title), style="bold" if color else ""))
    for line in view.intro:
        wrapped = textwrap.wrap(printable(line), width, break_on_hyphens=False) or [""]
        console.print(Text("\n".join(wrapped)), soft_wrap=True)
    widest = _draw(console, view.columns, view.rows, view.notes, width, color)
    for block in view.blocks:
        console.print()
        console.print(Text(printable(block.title), style="bold" if color else ""))
        widest = max(widest, _draw(console, block.columns, block.rows, block.notes, width, color))
    # Cells are padded to their column's width; a line needs no trailing blanks.
    return "\n".join(line.rstrip() for line in buf.getvalue().split("\n"))


def _draw(console: object, columns: list, rows: list, notes: list[str], width: int, color: bool) -> int:
    """One table and its notes; returns the width it took."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False)
    cols, widths, dropped = fit_columns([c for c in columns if c.table], rows, width)
    # A table that cannot fit is drawn whole (the terminal wraps it) rather than cropped.
    drawn = max(width, sum(widths) + GAP * (len(widths) - 1))
    console.width = drawn  # type: ignore[attr-defined]
    for c, w in zip(cols, widths, strict=True):
        table.add_column(
            "\n".join(printable(line) for line in c.header.split("\n")),
            justify="right" if c.kind in NUMERIC else "left",
            width=w,
            overflow="fold",
            no_wrap=c.kind in NUMERIC,
        )
    for row in rows:
        cells = []
        for c in cols:
            value = row.get(c.key)
            style = _style(c.kind, value) if color else None
            cells.append(Text(cell(value, c.kind), style=style or ""))
        table.add_row(*cells)
    console.print(table)  # type: ignore[attr-defined]
    extra = [dropped_note(dropped, width)] if dropped else []
    for note in [*extra, *notes]:
        # Wrapped here, at the terminal's width, without the trailing blanks rich would leave.
        parts = [printable(p) for p in note.split("\n")]
        lines = [ln for part in parts for ln in (textwrap.wrap(part, width, break_on_hyphens=False) or [""])]
        console.print(Text("\n".join(lines)), soft_wrap=True)  # type: ignore[attr-defined]
    return drawn


def _style(kind: str, value: object) -> str | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if kind == "score":
        return "green" if value >= 70 else "yellow" if value >= 40 else "red"
    if kind == "lock":
        return "green" if value <= 30 else "yellow" if value <= 70 else "red"
    return None
