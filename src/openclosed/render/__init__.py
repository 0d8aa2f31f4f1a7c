"""Renderers: one View, many formats.

Every command builds a `View` (a title, typed columns, flat rows, and the JSON object) from its
core result; the format enum picks a renderer. JSON is the core object serialised; CSV and
Markdown are the flat rows; the table is the rows drawn by rich (with colour where it helps).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass
class Column:
    """A column of a listing: its key, header, kind of value and how the table shows it."""

    key: str
    header: str
    kind: str = "text"  # text | money | number | int | score | lock | bool | pct
    width: int | None = None
    table: bool = True  # shown in the terminal table (CSV always has every column)
    optional: int = 0  # >0: dropped from a narrow terminal table, highest number first
    nowrap: bool = False  # never wrapped or cut (option ids must stay pasteable)


# Records that nothing compares, prints or copies: plain classes rather than dataclasses, whose
# generated `__init__` is compiled from source when the module is imported (a start-up cost of
# every command).
class Block:
    """A further table below a view's main one (the table, Markdown and HTML renderers draw it)."""

    def __init__(
        self, title: str, columns: list[Column], rows: list[dict[str, Any]], notes: list[str] | None = None
    ) -> None:
        self.title, self.columns, self.rows = title, columns, rows
        self.notes: list[str] = [] if notes is None else notes


class LazyRows(Sequence[dict[str, Any]]):
    """Rows built on first use: a view offers rows for every format, and JSON needs none of them
    (`compare --all` has 1,400 rows for the table and as many for CSV)."""

    def __init__(self, build: Callable[[], list[dict[str, Any]]]) -> None:
        self._build: Callable[[], list[dict[str, Any]]] | None = build
        self._rows: list[dict[str, Any]] = []

    def _get(self) -> list[dict[str, Any]]:
        if self._build is not None:
            self._rows, self._build = self._build(), None
        return self._rows

    def __getitem__(self, i):  # type: ignore[no-untyped-def, override]
        return self._get()[i]

    def __len__(self) -> int:
        return len(self._get())

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._get())


class View:
    """What a command shows, ready for any format: columns, rows, the JSON, notes and sections."""

    def __init__(
        self,
        title: str,
        columns: list[Column],
        rows: Sequence[dict[str, Any]],
        json: Any,
        notes: list[str] | None = None,
        sections: list[tuple[str, list[str]]] | None = None,
        csv_columns: list[Column] | None = None,
        csv_rows: Sequence[dict[str, Any]] | None = None,
        blocks: list[Block] | None = None,
        intro: list[str] | None = None,
    ) -> None:
        self.title, self.columns, self.rows, self.json = title, columns, rows, json
        self.notes: list[str] = [] if notes is None else notes  # printed under the table / markdown
        self.sections: list[tuple[str, list[str]]] = [] if sections is None else sections  # extra markdown blocks
        self.csv_columns = csv_columns  # default: the table's columns
        self.csv_rows = csv_rows  # default: the table's rows
        self.blocks: list[Block] = [] if blocks is None else blocks  # further tables, after the notes (not in CSV)
        self.intro: list[str] = [] if intro is None else intro  # lines between the title and the table


def render_json(view: View) -> str:
    from .jsonout import to_json

    return to_json(view.json)


def render_csv(view: View) -> str:
    from .csvout import to_csv

    return to_csv(view)


def render_markdown(view: View) -> str:
    from .markdown import to_markdown

    return to_markdown(view)


def render_table(view: View, width: int | None = None, color: bool = False) -> str:
    from .table import to_table

    return to_table(view, width=width, color=color)


def render_html(view: View) -> str:
    from .html import to_html

    return to_html(view)


RENDERERS: dict[str, Callable[..., str]] = {
    "json": render_json,
    "csv": render_csv,
    "markdown": render_markdown,
    "table": render_table,
    "html": render_html,
}
