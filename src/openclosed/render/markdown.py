"""Markdown: a GitHub-flavoured table plus notes, fit for a pull-request comment.

Every string from a catalogue, workload or export is escaped (`escape.md`): a name cannot add a
heading, a row, a link, an image or raw HTML."""

from __future__ import annotations

from . import View
from .escape import md, md_lines
from .fmt import _cell, cell

# Numbers we format ourselves: only the cell separator needs escaping.
_NUMERIC = ("money", "number", "int", "score", "lock", "pct")

NUMERIC = ("money", "number", "int", "score", "lock", "pct", "figure")  # right-aligned


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(view: View) -> str:
    lines = [f"### {md(view.title)}", ""]
    for line in view.intro:
        lines += [f"**{md(line)}**", ""]
    lines += _rows(view.columns, view.rows)
    for note in view.notes:
        lines += ["", md_lines(note)]
    for heading, body in view.sections:
        lines += ["", f"**{md(heading)}**", ""]
        lines += body  # table rows the caller built from escaped cells (`md`)
    for block in view.blocks:
        lines += ["", f"#### {md(block.title)}", ""]
        lines += _rows(block.columns, block.rows)
        for note in block.notes:
            lines += ["", md_lines(note)]
    return "\n".join(lines) + "\n"


def _rows(columns: list, rows: list) -> list[str]:
    cols = [c for c in columns if c.table]
    if not rows:
        return ["_(nothing to show)_"]
    lines = ["| " + " | ".join(md(c.header) for c in cols) + " |"]
    lines.append("|" + "|".join("---:" if c.kind in NUMERIC else "---" for c in cols) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_cell_md(row.get(c.key), c.kind) for c in cols) + " |")
    return lines


def _cell_md(value: object, kind: str) -> str:
    if kind in _NUMERIC and not isinstance(value, str):
        return _esc(cell(value, kind))
    return md(_cell(value, kind))
