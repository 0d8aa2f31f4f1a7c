"""The terminal table, drawn by rich; readable at 80 columns, coloured only on a terminal."""

from __future__ import annotations

import io

from . import View
from .fmt import cell, printable

NUMERIC = ("money", "number", "int", "score", "lock", "pct")


def _style(kind: str, value: object) -> str | None:
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    if kind == "score":
        return "green" if value >= 70 else "yellow" if value >= 40 else "red"
    if kind == "lock":
        return "green" if value <= 30 else "yellow" if value <= 70 else "red"
    return None


def _fit(cols: list, rows: list, width: int) -> list:
    """Drop optional columns (highest number first) until the natural width fits."""

    def natural(c: object) -> int:
        cells = [len(cell(r.get(c.key), c.kind)) for r in rows] or [0]  # type: ignore[attr-defined]
        w = max(len(c.header), *cells)  # type: ignore[attr-defined]
        return min(w, c.width) if c.width else w  # type: ignore[attr-defined]

    cols = list(cols)
    while sum(natural(c) + 3 for c in cols) > width:
        optional = [c for c in cols if c.optional]
        if not optional:
            break
        cols.remove(max(optional, key=lambda c: c.optional))
    return cols


def to_table(view: View, width: int | None = None, color: bool = False) -> str:
    from rich.console import Console
    from rich.text import Text

    buf = io.StringIO()
    console = Console(
        file=buf,
        width=width or 100,
        no_color=not color,
        color_system="standard" if color else None,
        highlight=False,
        force_terminal=color,
        soft_wrap=False,
    )
    # The title goes on its own line: a table narrower than its title would wrap it.
    console.print(Text(printable(view.title), style="bold" if color else ""))
    console.print(_table(view.columns, view.rows, width, color))
    for note in view.notes:
        console.print(Text(printable(note)), soft_wrap=False)
    for block in view.blocks:
        console.print()
        console.print(Text(printable(block.title), style="bold" if color else ""))
        console.print(_table(block.columns, block.rows, width, color))
        for note in block.notes:
            console.print(Text(printable(note)), soft_wrap=False)
    return buf.getvalue()


def _table(columns: list, rows: list, width: int | None, color: bool) -> object:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), show_edge=False, pad_edge=False)
    cols = [c for c in columns if c.table]
    cols = _fit(cols, rows, width or 100)
    for c in cols:
        table.add_column(
            printable(c.header),
            justify="right" if c.kind in NUMERIC else "left",
            max_width=c.width,
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
    return table
