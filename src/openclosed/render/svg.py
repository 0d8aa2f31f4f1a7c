"""Small, dependency-free SVG charts for the HTML report (every text escaped)."""

from __future__ import annotations

import math
from html import escape

from .chart import COLOURS, ChartData, linear_ticks, log_ticks, si, usd

FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif\""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _scale(lo: float, hi: float, a: float, b: float, log: bool):  # type: ignore[no-untyped-def]
    if log:
        lo, hi = math.log10(lo), math.log10(hi)
    span = (hi - lo) or 1.0

    def f(v: float) -> float:
        v = math.log10(v) if log else v
        return a + (v - lo) / span * (b - a)

    return f


def line_chart_svg(cd: ChartData, width: int = 860, height: int = 440) -> str:
    """Cost lines against a workload field, with break-even points numbered."""
    left, right, top, bottom = 78, 24, 56, 58
    legend_h = 22 * (len(cd.lines) + (1 if cd.marks else 0)) + 10
    total_h = height + legend_h
    xs = cd.x
    ys = [v for line in cd.lines for v in line.y]
    log_x = cd.log_x and min(xs) > 0
    log_y = cd.log_y and min(ys) > 0
    y_lo, y_hi = min(ys), max(ys)
    if y_lo == y_hi:
        y_lo, y_hi = (y_lo * 0.9, y_hi * 1.1) if y_lo > 0 else (y_lo - 1, y_hi + 1)
    if not log_y:
        y_lo = min(0.0, y_lo)
    fx = _scale(xs[0], xs[-1], left, width - right, log_x)
    fy = _scale(y_lo, y_hi, height - bottom, top, log_y)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {total_h}" '
        f'width="100%" role="img" aria-label="{_e(cd.title)}" {FONT}>',
        f'<text x="{left}" y="24" font-size="18" font-weight="700">{_e(cd.title)}</text>',
    ]
    if cd.subtitle:
        out.append(f'<text x="{left}" y="44" font-size="13" fill="#555">{_e(cd.subtitle)}</text>')
    x_ticks = log_ticks(xs[0], xs[-1], 8) if log_x else linear_ticks(xs[0], xs[-1], 7)
    y_ticks = log_ticks(y_lo, y_hi, 7) if log_y else linear_ticks(y_lo, y_hi, 6)
    money = cd.y_label.startswith("Monthly cost")
    slack = 1.0001 if log_x else 1.0
    for t in x_ticks:
        if not xs[0] / slack - 1e-12 <= t <= xs[-1] * slack + 1e-12:
            continue
        x = fx(t)
        out.append(f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" stroke="#e3e3e3"/>')
        out.append(
            f'<text x="{x:.1f}" y="{height - bottom + 18}" font-size="12" text-anchor="middle">{_e(si(t))}</text>'
        )
    for t in y_ticks:
        if not (y_lo / 1.0001 if log_y else y_lo) <= t <= (y_hi * 1.0001 if log_y else y_hi):
            continue
        y = fy(t)
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="12" text-anchor="end">'
            f"{_e(usd(t) if money else si(t))}</text>"
        )
    out.append(
        f'<rect x="{left}" y="{top}" width="{width - left - right}" '
        f'height="{height - top - bottom}" fill="none" stroke="#999"/>'
    )
    out.append(
        f'<text x="{(left + width - right) / 2:.0f}" y="{height - 16}" font-size="13" '
        f'text-anchor="middle">{_e(cd.x_label + (" (log scale)" if log_x else ""))}</text>'
    )
    out.append(
        f'<text transform="translate(16 {(top + height - bottom) / 2:.0f}) rotate(-90)" '
        f'font-size="13" text-anchor="middle">'
        f"{_e(cd.y_label + (' (log scale)' if log_y else ''))}</text>"
    )
    if cd.current_x is not None:
        x = fx(cd.current_x)
        out.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{height - bottom}" '
            f'stroke="#555" stroke-dasharray="2 4"><title>{_e(cd.current_label)}</title></line>'
        )
    for i, line in enumerate(cd.lines):
        colour = COLOURS[i % len(COLOURS)]
        pts = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in zip(xs, line.y, strict=False))
        dash = "" if line.feasible else ' stroke-dasharray="6 4"'
        out.append(
            f'<polyline fill="none" stroke="{colour}" stroke-width="2.4"{dash} '
            f'points="{pts}"><title>{_e(line.display)}</title></polyline>'
        )
    for m in cd.marks:
        x, y = fx(m.x), fy(m.y)
        out.append(
            f"<g><title>{_e(m.detail)}</title>"
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="#fff" stroke="#000" stroke-width="2"/>'
            f'<text x="{x:.1f}" y="{y + 4:.1f}" font-size="11" font-weight="700" '
            f'text-anchor="middle">{m.number}</text></g>'
        )
    y = height + 6
    for i, line in enumerate(cd.lines):
        colour = COLOURS[i % len(COLOURS)]
        dash = "" if line.feasible else ' stroke-dasharray="6 4"'
        out.append(
            f'<line x1="{left}" y1="{y + 8}" x2="{left + 28}" y2="{y + 8}" stroke="{colour}" stroke-width="3"{dash}/>'
        )
        out.append(f'<text x="{left + 36}" y="{y + 12}" font-size="13">{_e(line.display)}</text>')
        y += 22
    if cd.marks:
        out.append(f'<circle cx="{left + 14}" cy="{y + 8}" r="7" fill="#fff" stroke="#000" stroke-width="2"/>')
        out.append(
            f'<text x="{left + 36}" y="{y + 12}" font-size="13">break-even points '
            f"(numbered; listed below the chart)</text>"
        )
    out.append("</svg>")
    return "\n".join(out)


def bar_chart_svg(title: str, items: list[tuple], width: int = 860) -> str:
    """Horizontal bars: (label, USD/month, kind[, low, high]) per row, in the order given; `low`
    and `high` (the P10–P90 range) draw a whisker across the bar's end."""
    kinds = {"closed API": COLOURS[0], "open-weight API": COLOURS[1], "self-hosted": COLOURS[2]}
    row, top, label_w, value_w = 26, 40, 300, 150
    height = top + row * len(items) + 40
    ends = [v for it in items for v in (it[1], *(x for x in it[3:5] if x is not None))]
    hi = max(ends, default=1.0) or 1.0
    bar_w = width - label_w - value_w - 20
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{_e(title)}" {FONT}>',
        f'<text x="0" y="22" font-size="16" font-weight="700">{_e(title)}</text>',
    ]
    for i, (label, value, kind, *span) in enumerate(items):
        y = top + i * row
        w = max(1.0, value / hi * bar_w)
        low, high = [*span, None, None][:2]
        shown = f"{usd(value)}/month" + (f" (P10–P90 {usd(low)}–{usd(high)})" if low is not None else "")
        out.append(f'<text x="{label_w - 8}" y="{y + 17}" font-size="12" text-anchor="end">{_e(label)}</text>')
        out.append(
            f'<rect x="{label_w}" y="{y + 4}" width="{w:.1f}" height="{row - 8}" '
            f'fill="{kinds.get(kind, "#888")}"><title>{_e(label)}: {_e(shown)}</title></rect>'
        )
        end = label_w + w
        text = usd(value)
        if low is not None and high is not None:
            x0, x1 = label_w + low / hi * bar_w, label_w + high / hi * bar_w
            mid = y + row / 2
            out.append(
                f'<g class="range" stroke="#222" stroke-width="1.4"><title>{_e(label)}: {_e(shown)}</title>'
                f'<line x1="{x0:.1f}" y1="{mid:.1f}" x2="{x1:.1f}" y2="{mid:.1f}"/>'
                f'<line x1="{x0:.1f}" y1="{mid - 5:.1f}" x2="{x0:.1f}" y2="{mid + 5:.1f}"/>'
                f'<line x1="{x1:.1f}" y1="{mid - 5:.1f}" x2="{x1:.1f}" y2="{mid + 5:.1f}"/></g>'
            )
            end = max(end, x1)
            text += f" ({usd(low)}–{usd(high)})"
        out.append(f'<text x="{end + 6:.1f}" y="{y + 17}" font-size="12">{_e(text)}</text>')
    y = top + row * len(items) + 18
    x = label_w
    for kind, colour in kinds.items():
        out.append(f'<rect x="{x}" y="{y - 10}" width="12" height="12" fill="{colour}"/>')
        out.append(f'<text x="{x + 18}" y="{y}" font-size="12">{_e(kind)}</text>')
        x += 150
    out.append(f'<line x1="{x}" y1="{y - 4}" x2="{x + 16}" y2="{y - 4}" stroke="#222" stroke-width="1.4"/>')
    out.append(f'<text x="{x + 22}" y="{y}" font-size="12">P10–P90</text>')
    out.append("</svg>")
    return "\n".join(out)
