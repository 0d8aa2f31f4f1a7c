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
MATERIAL_LEAD = 1.0  # overall points: an input that moves the lead less and flips nothing is listed only with --all


def material(s: Sensitivity, sw: Any) -> bool:
    """An input worth a row by default: its range changes the recommendation (or it flips
    inside the range), or it moves the recommended option's lead by at least MATERIAL_LEAD."""
    flips = sw.flips_at is not None and min(sw.low, sw.high) <= sw.flips_at <= max(sw.low, sw.high)
    changes = s.recommended is not None and s.recommended not in (sw.recommended_at_low, sw.recommended_at_high)
    return flips or changes or sw.influence >= MATERIAL_LEAD


def drawn(s: Sensitivity) -> list[Any]:
    """The inputs a chart draws: the material ones (at least the first three), at most MAX_BARS."""
    keep = [sw for sw in s.inputs if material(s, sw)]
    return (keep if len(keep) >= 3 else s.inputs[:3])[:MAX_BARS]


def value_text(x: float | None) -> str:
    if x is None:
        return "–"
    ax = abs(x)
    if ax >= 1000:
        return f"{x:,.0f}"
    if ax >= 10:
        return f"{x:.1f}"
    return f"{x:.3g}"


def sensitivity_view(s: Sensitivity, show_all: bool = False) -> View:
    """The table shows the material inputs (`material`), then one line counting the rest;
    `show_all` every input. CSV and JSON always keep every input."""
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
                "material": material(s, sw),
            }
        )
    shown = rows if show_all else [r for r in rows if r["material"]]
    notes = []
    if len(shown) < len(rows):
        rest = len(rows) - len(shown)
        notes.append(
            f"{rest} more input{'s' if rest != 1 else ''} move the lead by less than {MATERIAL_LEAD:g} overall "
            "point and flip nothing (--all shows them; --format csv or json has every input)."
        )
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
            # Ids and names are never cut mid-word: a narrow terminal drops columns instead.
            Column("name", "input", "text", nowrap=True),
            Column("low_text", "low", "text", nowrap=True),
            Column("high_text", "high", "text", nowrap=True),
            Column("recommended_at_low", "first at low", "text", optional=3, nowrap=True),
            Column("recommended_at_high", "first at high", "text", optional=2, nowrap=True),
            Column("flips_text", "flips at", "text", nowrap=True),
            Column("influence", "Δlead", "number", optional=1),
        ],
        rows=shown,
        csv_rows=rows,
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
    shown = drawn(s)
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

    import textwrap

    lines = textwrap.wrap(
        f"Lead of {s.recommended} over the best other option (overall points): ◀ at the input's low "
        "value, ▶ at its high value",
        width,
        break_on_hyphens=False,
    )
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
    if len(s.inputs) > len(shown):
        lines += textwrap.wrap(
            f"note: the chart shows {len(shown)} of {len(s.inputs)} inputs (those that move the lead most); "
            "--format csv or json has all",
            width,
        )
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
    shown = list(reversed(drawn(s)))  # most influential on top
    fig = Figure(figsize=(12, 6.75), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for y, sw in enumerate(shown):
        # The low and the high bar side by side (the low above): when both move the lead the same
        # way, one drawn over the other would hide it.
        for value, colour, end, dy in (
            (sw.lead_low, "#1f77b4", "at the low value", 0.18),
            (sw.lead_high, "#d62728", "at the high value", -0.18),
        ):
            ax.barh(y + dy, value - s.lead, left=s.lead, color=colour, height=0.34, label=end if y == 0 else None)
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
    # Below the axes, never over the bars.
    fig.legend(loc="outside lower center", ncols=4, fontsize=11, frameon=False)
    return fig


def tornado_chart(s: Sensitivity, path: Path) -> None:
    """Write the tornado chart as PNG or SVG (atomically)."""
    from .chart import _check_suffix, save_figure

    _check_suffix(path)
    save_figure(tornado_figure(s), path)


# ------------------------------------------------------------------ SVG (HTML page, no dependency)
def tornado_svg(s: Sensitivity, width: int = 860) -> str:
    """The tornado chart as inline SVG: per input, the lead at its low value (blue, upper half of
    the row) and at its high value (red, lower half) from the lead at the estimates; the legend
    below the bars. Every text is escaped."""
    from html import escape

    from .chart import linear_ticks
    from .svg import FONT

    def e(text: object) -> str:
        return escape(str(text), quote=True)

    shown = drawn(s)
    label_w, right, top, row = 250, 90, 54, 30
    plot_h = row * len(shown)
    axis_y = top + plot_h
    height = axis_y + 58
    values = [s.lead, 0.0] + [v for sw in shown for v in (sw.lead_low, sw.lead_high)]
    lo, hi = min(values), max(values)
    pad = (hi - lo) * 0.05 or 1.0
    lo, hi = lo - pad, hi + pad
    x0, x1 = label_w, width - right

    def fx(v: float) -> float:
        return x0 + (v - lo) / (hi - lo) * (x1 - x0)

    title = f"Lead of {s.recommended} over the best other option (overall points)"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{e(title)}" {FONT}>',
        f'<text x="0" y="20" font-size="16" font-weight="700">{e("What moves the recommendation")}</text>',
        f'<text x="0" y="40" font-size="12" fill="#555">{e(title)}</text>',
    ]
    for t in linear_ticks(lo, hi, 7):
        if lo <= t <= hi:
            out.append(f'<line x1="{fx(t):.1f}" y1="{top}" x2="{fx(t):.1f}" y2="{axis_y}" stroke="#e6e6e6"/>')
            out.append(f'<text x="{fx(t):.1f}" y="{axis_y + 16}" font-size="11" text-anchor="middle">{t:g}</text>')
    for i, sw in enumerate(shown):
        y = top + i * row
        span = f"{value_text(sw.low)} – {value_text(sw.high)}"
        out.append(
            f'<text x="{label_w - 8}" y="{y + 13}" font-size="12" text-anchor="end">{e(sw.name)}</text>'
            f'<text x="{label_w - 8}" y="{y + 26}" font-size="10" fill="#666" text-anchor="end">{e(span)}</text>'
        )
        for value, colour, dy, end in ((sw.lead_low, "#1f77b4", 3, "low"), (sw.lead_high, "#d62728", 15, "high")):
            a, b = sorted((fx(s.lead), fx(value)))
            out.append(
                f'<rect class="bar" x="{a:.1f}" y="{y + dy}" width="{max(b - a, 1.5):.1f}" height="11" '
                f'fill="{colour}"><title>{e(sw.name)} at its {end} value: lead {value:+.1f}</title></rect>'
            )
        note = f"{sw.lead_low:+.1f} / {sw.lead_high:+.1f}"
        if sw.flips_at is not None:
            note += f" · flips at {value_text(sw.flips_at)}"
        out.append(f'<text x="{x1 + 6}" y="{y + 19}" font-size="10" fill="#444">{e(note.split(" · ")[0])}</text>')
    out.append(
        f'<line x1="{fx(s.lead):.1f}" y1="{top - 4}" x2="{fx(s.lead):.1f}" y2="{axis_y}" stroke="#444" '
        'stroke-width="1.5"/>'
    )
    out.append(
        f'<line x1="{fx(0.0):.1f}" y1="{top - 4}" x2="{fx(0.0):.1f}" y2="{axis_y}" stroke="#000" '
        'stroke-width="1.5" stroke-dasharray="3 3"/>'
    )
    out.append(f'<line x1="{x0}" y1="{axis_y}" x2="{x1}" y2="{axis_y}" stroke="#999"/>')
    ly = axis_y + 44
    legend = [
        ("rect", "#1f77b4", "lead at the input's low value"),
        ("rect", "#d62728", "at its high value"),
        ("line", "#444", "at the estimates"),
        ("dash", "#000", "zero lead (a tie)"),
    ]
    x = 0
    for shape, colour, text in legend:
        if shape == "rect":
            out.append(f'<rect x="{x}" y="{ly - 10}" width="14" height="11" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="3 3"' if shape == "dash" else ""
            out.append(f'<line x1="{x + 7}" y1="{ly - 12}" x2="{x + 7}" y2="{ly + 2}" stroke="{colour}"{dash}/>')
        out.append(f'<text x="{x + 20}" y="{ly}" font-size="12">{e(text)}</text>')
        x += 215
    out.append("</svg>")
    return "\n".join(out)


def sensitivity_html(s: Sensitivity, view: View) -> str:
    """`sensitivity --format html`: the tornado chart above the table, one self-contained page."""
    from .html import _block_html, page
    from .html import _e as e

    parts = [f"<h1>{e(view.title)}</h1>", "<figure>" + tornado_svg(s) + "</figure>"] if s.inputs else []
    parts = parts or [f"<h1>{e(view.title)}</h1>"]
    from . import Block

    parts.append(_block_html(Block("Inputs", view.columns, list(view.rows), view.notes)))
    return page(view.title, "\n".join(parts))
