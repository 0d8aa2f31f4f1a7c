"""The sensitivity result as a view (table, CSV, Markdown, HTML) and as a tornado chart.

The tornado chart draws, for each input, the recommended option's lead over the best other
option (overall score points) at the input's low and high value, around the lead at the
estimate; a bar that crosses zero is an input whose range alone can change the answer. The
terminal version is plain text bars (no dependency); PNG/SVG use matplotlib (`openclosed[plot]`).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import Column, View
from .fmt import printable

if TYPE_CHECKING:
    from ..analyses.sensitivity import Sensitivity

MAX_BARS = 12  # inputs drawn on a chart; every input is in the table, CSV and JSON


def value_text(x: float | None) -> str:
    if x is None:
        return "–"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def sensitivity_view(s: Sensitivity) -> View:
    rows: list[dict[str, Any]] = []
    for rank, sw in enumerate(s.inputs, 1):
        rows.append(
            {
                "rank": rank,
                "name": sw.name,
                "label": sw.label,
                "base": sw.base,
                "low": sw.low,
                "high": sw.high,
                "low_text": value_text(sw.low),
                "high_text": value_text(sw.high),
                "recommended_at_low": sw.recommended_at_low,
                "recommended_at_high": sw.recommended_at_high,
                "flips_at": sw.flips_at,
                "flips_text": value_text(sw.flips_at) if sw.flips_at is not None else "no flip",
                "lead_low": sw.lead_low,
                "lead_high": sw.lead_high,
                "lead_base": sw.lead_base,
                "influence": round(sw.influence, 1),
            }
        )
    notes = []
    if s.recommended is None:
        notes.append("No option meets every constraint: nothing to swing.")
    else:
        notes.append(
            f"Recommended: {s.recommended}, {s.lead:g} overall points ahead of "
            f"{s.runner_up or 'the next option'} at the estimates. Inputs are ordered by how far their "
            "low or high value moves that lead; 'flips at' is the value nearest the estimate at which "
            "another option comes first (docs/methodology.md, 'How sure the answer is')."
        )
    return View(
        title=f"openclosed sensitivity: {s.workload}",
        columns=[
            Column("rank", "#", "int"),
            Column("name", "input", "text", width=30),
            Column("low_text", "low", "text"),
            Column("high_text", "high", "text"),
            Column("recommended_at_low", "first at low", "text", width=30, optional=2),
            Column("recommended_at_high", "first at high", "text", width=30, optional=2),
            Column("flips_text", "flips at", "text"),
            Column("influence", "Δlead", "number", optional=1),
        ],
        rows=rows,
        json=s.to_json(),
        notes=notes,
        csv_columns=[
            Column(k, k)
            for k in (
                "rank",
                "name",
                "label",
                "base",
                "low",
                "high",
                "recommended_at_low",
                "recommended_at_high",
                "flips_at",
                "lead_low",
                "lead_base",
                "lead_high",
                "influence",
            )
        ],
    )


# ------------------------------------------------------------------ terminal
def tornado_text(s: Sensitivity, width: int = 80) -> str:
    """Text bars: '◀' where the low value leaves the lead, '▶' the high value; '|' is zero lead."""
    shown = s.inputs[:MAX_BARS]
    if not shown:
        return ""
    width = max(50, width)
    name_w = min(30, max(len(sw.name) for sw in shown))
    bar_w = width - name_w - 16
    values = [s.lead, 0.0] + [v for sw in shown for v in (sw.lead_low, sw.lead_high)]
    lo, hi = min(values), max(values)
    span = (hi - lo) or 1.0

    def col(v: float) -> int:
        return round((v - lo) / span * (bar_w - 1))

    lines = [f"Lead of {s.recommended} over the best other option (overall points), low ◀ ▶ high"]
    for sw in shown:
        cells = [" "] * bar_w
        a, b = sorted((col(sw.lead_low), col(sw.lead_high)))
        for k in range(a, b + 1):
            cells[k] = "─"
        base = col(s.lead)
        cells[col(sw.lead_low)] = "◀"
        cells[col(sw.lead_high)] = "▶"
        if cells[base] == " ":
            cells[base] = "·"
        zero = col(0.0)
        if cells[zero] in (" ", "─", "·"):
            cells[zero] = "|"
        name = sw.name if len(sw.name) <= name_w else sw.name[: name_w - 1] + "…"
        lines.append(f"{name:<{name_w}} {''.join(cells)} {sw.lead_low:+.1f}/{sw.lead_high:+.1f}")
    lines.append(f"{'':<{name_w}} {'|':>{col(0.0) + 1}} zero lead: another option ties")
    if len(s.inputs) > MAX_BARS:
        lines.append(f"note: the chart shows {MAX_BARS} of {len(s.inputs)} inputs; all are in the table")
    return "\n".join(_clip(line.rstrip(), width) for line in lines) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


# ------------------------------------------------------------------ images (matplotlib)
def tornado_figure(s: Sensitivity) -> Any:
    from ..errors import MissingExtraError

    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
        from matplotlib.figure import Figure
    except ImportError:
        raise MissingExtraError("--chart", "plot") from None
    from .chart import PLAIN_TEXT

    with matplotlib.rc_context(PLAIN_TEXT):  # names are text, never math markup
        return _tornado(s, Figure)


def _tornado(s: Sensitivity, Figure: Any) -> Any:
    shown = list(reversed(s.inputs[:MAX_BARS]))  # most influential on top
    fig = Figure(figsize=(12, 6.75), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for y, sw in enumerate(shown):
        for value, colour, end in ((sw.lead_low, "#1f77b4", "low"), (sw.lead_high, "#d62728", "high")):
            ax.barh(y, value - s.lead, left=s.lead, color=colour, height=0.6, label=end if y == 0 else None)
        if sw.flips_at is not None:
            ax.annotate(
                f"flips at {value_text(sw.flips_at)}",
                (max(sw.lead_low, sw.lead_high, s.lead), y),
                xytext=(6, 0),
                textcoords="offset points",
                va="center",
                fontsize=11,
            )
    ax.axvline(s.lead, color="0.3", linewidth=1.5, label="lead at the estimates")
    ax.axvline(0.0, color="black", linestyle=":", linewidth=1.5, label="zero lead (a tie)")
    ax.set_yticks(
        range(len(shown)), [f"{printable(sw.name)}\n{value_text(sw.low)} – {value_text(sw.high)}" for sw in shown]
    )
    ax.set_xlabel(f"Lead of {printable(s.recommended)} over the best other option (overall score points)", fontsize=14)
    ax.tick_params(labelsize=11)
    ax.grid(True, axis="x", color="0.85")
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.suptitle(
        f"What moves the recommendation: {printable(s.workload)}", fontsize=18, fontweight="bold", x=0.01, ha="left"
    )
    ax.legend(loc="best", fontsize=11)
    return fig


def tornado_chart(s: Sensitivity, path: Path) -> None:
    """Write the tornado chart as PNG or SVG (atomically)."""
    from .chart import _check_suffix, save_figure

    _check_suffix(path)
    save_figure(tornado_figure(s), path)
