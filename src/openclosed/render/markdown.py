"""Markdown: a GitHub-flavoured table plus notes, fit for a pull-request comment."""

from __future__ import annotations

from . import View
from .fmt import cell, printable

NUMERIC = ("money", "number", "int", "score", "lock", "pct", "figure")  # right-aligned


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(view: View) -> str:
    lines = [f"### {_esc(printable(view.title))}", ""]
    for line in view.intro:
        lines += [f"**{_esc(printable(line))}**", ""]
    lines += _rows(view.columns, view.rows)
    for note in view.notes:
        lines += ["", _esc(printable(note)) if "\n" not in note else "\n".join(map(printable, note.split("\n")))]
    for heading, body in view.sections:
        lines += ["", f"**{heading}**", ""]
        lines += body
    for block in view.blocks:
        lines += ["", f"#### {block.title}", ""]
        lines += _rows(block.columns, block.rows)
        for note in block.notes:
            lines += ["", _esc(note)]
    return "\n".join(lines) + "\n"


def _rows(columns: list, rows: list) -> list[str]:
    cols = [c for c in columns if c.table]
    if not rows:
        return ["_(nothing to show)_"]
    lines = ["| " + " | ".join(c.header for c in cols) + " |"]
    lines.append("|" + "|".join("---:" if c.kind in NUMERIC else "---" for c in cols) + "|")
    for row in rows:
        lines.append("| " + " | ".join(_esc(cell(row.get(c.key), c.kind)) for c in cols) + " |")
    return lines
