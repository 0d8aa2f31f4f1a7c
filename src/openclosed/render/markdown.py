"""Markdown: a GitHub-flavoured table plus notes, fit for a pull-request comment."""

from __future__ import annotations

from . import View
from .fmt import cell, printable


def _esc(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def to_markdown(view: View) -> str:
    cols = [c for c in view.columns if c.table]
    lines = [f"### {_esc(printable(view.title))}", ""]
    if view.rows:
        lines.append("| " + " | ".join(c.header for c in cols) + " |")
        lines.append(
            "|"
            + "|".join("---:" if c.kind in ("money", "number", "int", "score", "lock", "pct") else "---" for c in cols)
            + "|"
        )
        for row in view.rows:
            lines.append("| " + " | ".join(_esc(cell(row.get(c.key), c.kind)) for c in cols) + " |")
    else:
        lines.append("_(nothing to show)_")
    for note in view.notes:
        lines += ["", _esc(printable(note)) if "\n" not in note else "\n".join(map(printable, note.split("\n")))]
    for heading, body in view.sections:
        lines += ["", f"**{heading}**", ""]
        lines += body
    return "\n".join(lines) + "\n"
