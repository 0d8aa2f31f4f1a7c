"""The terminal layout of `explain`: sections, items and values, with the how and the source
indented underneath, wrapped to the terminal width (a five-column table is unreadable at 80)."""

from __future__ import annotations

import textwrap
from typing import Any


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if value is None:
        return "–"
    if isinstance(value, float):
        if value == int(value) and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    if isinstance(value, dict):
        return ", ".join(f"{k}={_value(v)}" for k, v in value.items() if v is not None)
    return str(value)


def trace_text(data: dict[str, Any], width: int = 100) -> str:
    width = max(width, 60)
    lines = [f"openclosed explain {data['option']['id']}"]
    section = None
    for step in data["steps"]:
        if step["section"] != section:
            section = step["section"]
            lines += ["", section.upper()]
        head = f"  {step['item']}: {_value(step['value'])}"
        lines += textwrap.wrap(head, width, subsequent_indent="      ") or [head]
        if step.get("how"):
            lines += textwrap.wrap(f"= {step['how']}", width, initial_indent="      ", subsequent_indent="        ")
        if step.get("source"):
            src = f"source: {step['source']}" + (f" (as of {step['as_of']})" if step.get("as_of") else "")
            lines += textwrap.wrap(
                src,
                width,
                initial_indent="      ",
                subsequent_indent="        ",
                break_long_words=True,
                break_on_hyphens=False,
            )
        # The note in full where the source points to it; every note is in the JSON.
        if step.get("note") and "see note" in (step.get("source") or ""):
            lines += textwrap.wrap(
                f"note: {step['note']}",
                width,
                initial_indent="      ",
                subsequent_indent="        ",
                break_long_words=True,
                break_on_hyphens=False,
            )
    return "\n".join(lines) + "\n"
