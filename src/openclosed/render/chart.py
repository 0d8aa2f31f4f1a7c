"""Charts of cost against a workload field: in the terminal (plotext), as PNG/SVG (matplotlib).

Both draw from one neutral `ChartData`, built from a sweep (`sweep_chart_data`) or from the dict
returned by `breakeven.breakeven` (`breakeven_chart_data`); render/svg.py draws the same data
as a dependency-free SVG for the HTML report. plotext and matplotlib are imported inside the
functions that need them, so importing this module costs nothing.

It is longer than most modules because the terminal chart and the image share one data model
(lines, keys, crossings) and one set of axis rules; splitting them would duplicate those.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import InputError, MissingExtraError
from .fmt import printable

if TYPE_CHECKING:
    from ..analyses.sweep import Sweep

MAX_LINES = 10  # series drawn on one chart; the rest are in the table, CSV and JSON
KEYS = "ABCDEFGHIJ"
TERMINAL_MARKERS = ("•", "x", "+", "o", "*", "#", "%", "=", "~", "@")
COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
AXIS_LABELS = {
    "requests_per_month": "Requests per month",
    "requests_per_day": "Requests per day",
    "input_tokens": "Input tokens per request",
    "output_tokens": "Output tokens per request",
    "cached_input_share": "Cached share of input tokens",
    "peak_to_average": "Peak-to-average traffic ratio",
    "gpu_price_multiplier": "GPU price multiplier (× catalogue price)",
    "training_tokens": "Fine-tuning tokens per training run",
}


@dataclass
class Line:
    label: str
    y: list[float]
    feasible: bool = True
    key: str = ""
    kind: str = ""  # closed API, open-weight API, self-hosted

    @property
    def display(self) -> str:
        text = f"{self.label} ({self.kind})" if self.kind else self.label
        return text if self.feasible else text + " (infeasible)"


@dataclass
class Mark:
    """A break-even point: where two lines swap order."""

    x: float
    y: float
    number: int
    text: str  # short, drawn beside the point: "2.3M"
    detail: str  # long, listed under the image chart / in the HTML report
    brief: str = ""  # for the terminal: option keys instead of ids


@dataclass
class ChartData:
    title: str
    x: list[float]
    lines: list[Line]
    x_label: str
    y_label: str = "Monthly cost (USD/month)"
    x_unit: str = ""
    subtitle: str = ""
    marks: list[Mark] = field(default_factory=list)
    log_x: bool = False
    log_y: bool = False
    current_x: float | None = None  # the workload's own value, drawn as a dotted line
    current_label: str = ""
    notes: list[str] = field(default_factory=list)


# ------------------------------------------------------------------ number formatting
def si(x: float) -> str:
    """1500 -> 1.5k, 2e6 -> 2M, 3e9 -> 3B, 0.25 -> 0.25."""
    ax = abs(x)
    for div, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if ax >= div * 0.9995:
            return f"{x / div:.3g}{suffix}"
    return f"{x:.3g}"


def usd(x: float) -> str:
    return f"-${si(-x)}" if x < 0 else f"${si(x)}"


def spans_decades(values: list[float], decades: float = 2.0) -> bool:
    pos = [v for v in values if v > 0 and math.isfinite(v)]
    return len(pos) == len(values) and bool(pos) and max(pos) / min(pos) >= 10**decades


def log_ticks(lo: float, hi: float, max_ticks: int = 8) -> list[float]:
    a, b = math.floor(math.log10(lo) + 1e-9), math.ceil(math.log10(hi) - 1e-9)
    step = max(1, math.ceil((b - a + 1) / max_ticks))
    return [10.0**e for e in range(a, b + 1, step)]


def linear_ticks(lo: float, hi: float, n: int = 6) -> list[float]:
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / max(1, n - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step + 1e-9) * step
    ticks = []
    t = start
    while t <= hi + step * 1e-9:
        if t >= lo - step * 1e-9:
            ticks.append(round(t, 12))
        t += step
    return ticks


# ------------------------------------------------------------------ chart data
def sweep_chart_data(sw: Sweep, all_crossings: bool = False) -> ChartData:
    """The chart of a sweep; its marks are the changes of the cheapest option, or every
    pairwise crossing with `all_crossings`."""
    from ..analyses.sweep import current_value
    from .sweep_view import cheapest_changes, featured, key

    x = list(sw.values)
    # The options cheapest somewhere always get a line, under the same key as in the table.
    lines = [
        Line(s.id, list(s.costs), all(s.feasible), key(k), s.kind)
        for k in featured(sw, MAX_LINES)
        for s in [sw.series[k]]
    ]
    ys = [v for line in lines for v in line.y]
    log_y = spans_decades(ys, 1.0)
    keys = {line.label: line.key for line in lines}
    marks = []
    unit = sw.spec.unit
    for c in sw.crossings if all_crossings else cheapest_changes(sw):
        if c.a not in keys or c.b not in keys:
            continue
        n = len(marks) + 1
        above = c.cost_a if c.a == c.cheaper_above else c.cost_b
        below = c.cost_b if c.a == c.cheaper_above else c.cost_a
        # Costs that differ at the crossing mean one of them jumped there: a GPU replica step.
        step = " at a GPU step" if abs(above - below) > 1e-3 * max(above, below) else ""
        marks.append(
            Mark(
                c.at,
                _meet(c.cost_a, c.cost_b, log_y),
                n,
                si(c.at),
                f"at {_value_text(c.at)} {unit}: {c.cheaper_above} becomes cheaper than "
                f"{c.cheaper_below}{step} ({usd(above)} vs {usd(below)} a month)",
                f"at {si(c.at)} {unit}: {keys[c.cheaper_above]} becomes cheaper than "
                f"{keys[c.cheaper_below]} ({usd(above)} vs {usd(below)}{', step' if step else ''})",
            )
        )
    notes = []
    if len(sw.series) > MAX_LINES:
        notes.append(f"the chart shows {len(lines)} of {len(sw.series)} options; --format csv or json has all")
    wl = sw.workload
    subtitle = (
        f"workload '{wl.name}': {wl.traffic.input_tokens:,.0f} input / "
        f"{wl.traffic.output_tokens:,.0f} output tokens per request"
    )
    if sw.field not in ("requests_per_month", "requests_per_day"):
        subtitle += f", {wl.requests_per_month:,.0f} requests/month"
    here = current_value(wl, sw.field)
    return ChartData(
        title=f"Monthly cost vs {AXIS_LABELS[sw.field].lower()}: {wl.name}",
        subtitle=subtitle,
        x=x,
        lines=lines,
        marks=marks,
        x_label=AXIS_LABELS[sw.field],
        x_unit=unit,
        log_x=sw.spec.log or spans_decades(x),
        log_y=log_y,
        current_x=here if x[0] <= here <= x[-1] else None,
        current_label=f"this workload: {_value_text(here)}",
        notes=notes,
    )


def breakeven_chart_data(data: dict[str, Any]) -> ChartData:
    points = data["points"]
    x = [p["requests_per_month"] for p in points]
    a, b = data["option_a"], data["option_b"]
    lines = [Line(a, [p["cost_a"] for p in points], True, "A"), Line(b, [p["cost_b"] for p in points], True, "B")]
    log_y = spans_decades(lines[0].y + lines[1].y, 1.0)
    marks = []
    for i, c in enumerate(data.get("crossings", []), 1):
        who = {"a": a, "b": b, "equal": "neither"}
        keys = {"a": "A", "b": "B", "equal": "neither"}
        marks.append(
            Mark(
                c["requests_per_month"],
                _meet(c["cost_a"], c["cost_b"], log_y),
                i,
                si(c["requests_per_month"]),
                f"at {c['requests_per_month']:,.0f} requests/month ({c['tokens_per_month']:,.0f} "
                f"tokens): {usd(c['cost_a'])} vs {usd(c['cost_b'])}; cheaper below: "
                f"{who[c['cheaper_below']]}, above: {who[c['cheaper_above']]}",
                f"at {si(c['requests_per_month'])} requests/month: {usd(c['cost_a'])} vs "
                f"{usd(c['cost_b'])}; cheaper below: {keys[c['cheaper_below']]}, above: "
                f"{keys[c['cheaper_above']]}",
            )
        )
    return ChartData(
        title=f"Break-even: {a} vs {b}",
        x=x,
        lines=lines,
        marks=marks,
        x_label="Requests per month",
        x_unit="requests/month",
        log_x=spans_decades(x),
        log_y=log_y,
    )


def _close(a: float, b: float, cd: ChartData) -> bool:
    if cd.log_x and a > 0 and b > 0:
        return abs(math.log10(a / b)) < 0.12
    return abs(a - b) < 0.04 * (max(cd.x) - min(cd.x))


def _meet(ya: float, yb: float, log_y: bool) -> float:
    if log_y and ya > 0 and yb > 0:
        return math.sqrt(ya * yb)
    return (ya + yb) / 2


def _value_text(v: float) -> str:
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.4g}"


# ------------------------------------------------------------------ terminal (plotext)
def terminal_chart(cd: ChartData, width: int = 80, height: int | None = None, color: bool = False) -> str:
    """The chart as text for a terminal `width` columns wide, with its legend and crossings
    listed underneath (lines never wider than `width`)."""
    try:
        import plotext as plt
    except ImportError:  # pragma: no cover - plotext is a core dependency
        raise MissingExtraError("the terminal chart", "plot") from None
    width = max(40, int(width))
    height = height or max(14, min(24, width // 4))
    fx = _axis(cd.x, cd.log_x)
    all_y = [v for line in cd.lines for v in line.y]
    fy = _axis(all_y, cd.log_y)
    f = plt.figure
    f.clear()
    f.plot_size(width, height)
    f.theme("simple" if color else "colorless")
    for i, line in enumerate(cd.lines):
        marker = TERMINAL_MARKERS[i % len(TERMINAL_MARKERS)]
        f.draw(f.signal([fx(v) for v in cd.x], [fy(v) for v in line.y], marker=marker))
    for m in cd.marks[:9]:
        f.draw(f.signal([fx(m.x)], [fy(m.y)], marker=str(m.number)))
    xt = _ticks(cd.x, cd.log_x, max(3, width // 11))
    yt = _ticks(all_y, cd.log_y, max(3, height // 3))
    fmt_y = usd if cd.y_label.startswith("Monthly cost") else si
    # Explicit limits: with explicit ticks plotext 6 otherwise mis-derives the data range.
    f.ruler("x").lim(fx(min(cd.x)), fx(max(cd.x)))
    f.ruler("y").lim(fy(min(all_y)), fy(max(all_y)))
    f.ruler("x").ticks([fx(t) for t in xt], [si(t) for t in xt])
    f.ruler("y").ticks([fy(t) for t in yt], [fmt_y(t) for t in yt])
    f.title(_clip(cd.title, width))
    f.label(_clip(cd.x_label + (" (log)" if cd.log_x else ""), width - 12), "x")
    f.label("USD/month" + (" (log)" if cd.log_y else ""), "y")
    text = f.build().string(colorless=not color)
    f.clear()
    lines = [ln.rstrip() for ln in text.splitlines()]
    for i, line in enumerate(cd.lines):
        marker = TERMINAL_MARKERS[i % len(TERMINAL_MARKERS)]
        lines.append(_clip(f"  {marker} {line.key}  {line.display}", width))
    for m in cd.marks[:9]:
        lines.append(_clip(f"  {m.number}  {m.brief or m.detail}", width))
    if len(cd.marks) > 9:
        lines.append(_clip(f"  … {len(cd.marks) - 9} more crossings in the table/JSON", width))
    for note in cd.notes:
        lines.append(_clip(f"  note: {note}", width))
    return "\n".join(lines) + "\n"


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _axis(values: list[float], log: bool) -> Any:
    if log:
        return lambda v: math.log10(v) if v > 0 else math.log10(min(x for x in values if x > 0))
    return lambda v: v


def _ticks(values: list[float], log: bool, n: int) -> list[float]:
    lo, hi = min(values), max(values)
    if log:
        ticks = log_ticks(lo, hi, n)
        return [t for t in ticks if lo / 1.0001 <= t <= hi * 1.0001] or [lo, hi]
    if hi == lo:
        return [lo]
    return [t for t in linear_ticks(lo, hi, n) if lo - 1e-9 <= t <= hi + 1e-9]


# ------------------------------------------------------------------ images (matplotlib)
# Names in titles, legends and labels are text, never matplotlib's math markup: a workload named
# "$\\foo$" made `sweep --chart` exit 3 with a parse error. Set when the text objects are made.
PLAIN_TEXT = {"text.parse_math": False, "text.usetex": False}


def figure(cd: ChartData) -> Any:
    """A matplotlib Figure of the chart, fit for a 16:9 slide (Agg backend, no display)."""
    try:
        import matplotlib

        matplotlib.use("Agg", force=True)
    except ImportError:
        raise MissingExtraError("--chart", "plot") from None
    with matplotlib.rc_context(PLAIN_TEXT):
        return _figure(cd)


def _figure(cd: ChartData) -> Any:
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    fig = Figure(figsize=(12, 6.75), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    for i, line in enumerate(cd.lines):
        ax.plot(
            cd.x,
            line.y,
            color=COLOURS[i % len(COLOURS)],
            linewidth=2.6,
            linestyle="-" if line.feasible else "--",
            label=printable(line.display),
            zorder=3,
        )
    if cd.marks:
        ax.scatter(
            [m.x for m in cd.marks],
            [m.y for m in cd.marks],
            s=110,
            marker="o",
            facecolor="white",
            edgecolor="black",
            linewidth=2.0,
            zorder=5,
            label="break-even",
        )
        labelled: list[float] = []
        for m in cd.marks:
            if len(labelled) >= 8 or any(_close(m.x, x, cd) for x in labelled):
                continue  # a cluster of crossings (a saw-tooth of GPU steps) gets one label
            k = len(labelled)
            labelled.append(m.x)
            ax.annotate(
                f"{m.text}/mo" if cd.x_unit.startswith("requests/month") else m.text,
                (m.x, m.y),
                xytext=(0, 22 if k % 2 == 0 else -30),
                textcoords="offset points",
                ha="center",
                fontsize=13,
                fontweight="bold",
                bbox={"boxstyle": "round,pad=0.25", "fc": "white", "ec": "0.6", "alpha": 0.95},
                arrowprops={"arrowstyle": "-", "color": "0.4", "lw": 1},
                zorder=6,
            )
    if cd.current_x is not None:
        ax.axvline(
            cd.current_x, color="0.35", linestyle=":", linewidth=1.8, zorder=2, label=printable(cd.current_label)
        )
    if cd.log_x:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(base=10, numticks=12))
        ax.xaxis.set_minor_formatter(NullFormatter())
    if cd.log_y:
        ax.set_yscale("log")
        ax.yaxis.set_minor_formatter(NullFormatter())
    ax.set_xlim(cd.x[0], cd.x[-1])
    money = cd.y_label.startswith("Monthly cost")
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: si(v)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: usd(v) if money else si(v)))
    ax.set_xlabel(cd.x_label, fontsize=15)
    ax.set_ylabel(cd.y_label, fontsize=15)
    ax.tick_params(labelsize=13)
    ax.grid(True, which="major", color="0.85", linewidth=1)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    # Names are printed as escapes: a control character is no glyph, and NUL is not allowed in SVG.
    fig.suptitle(printable(cd.title), fontsize=20, fontweight="bold", x=0.01, ha="left")
    if cd.subtitle:
        ax.set_title(printable(cd.subtitle), fontsize=13, color="0.3", loc="left")
    ax.legend(loc="best", fontsize=12, framealpha=0.95, borderpad=0.7)
    return fig


def save_figure(fig: Any, path: Path) -> None:
    """PNG or SVG by the file's suffix, written atomically (temporary file, then rename)."""
    from ..fileio import write_atomic

    path = Path(path)
    kind = path.suffix.lower().lstrip(".")
    if kind not in ("png", "svg"):
        raise InputError.one(f"expected a .png or .svg file (got {path.name!r})", field="--chart")
    import matplotlib

    buf = io.BytesIO()
    # SVG keeps its text as text (searchable, editable in a slide tool), not as glyph paths.
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "openclosed", **PLAIN_TEXT}):
        fig.savefig(
            buf,
            format=kind,
            dpi=160 if kind == "png" else None,
            metadata={"Software": "openclosed"} if kind == "png" else {"Creator": "openclosed", "Date": None},
        )
    write_atomic(path, buf.getvalue(), field="--chart")


def sweep_figure(sw: Sweep) -> Any:
    # An image has room for every break-even point of the lines it draws (it clusters them).
    return figure(sweep_chart_data(sw, all_crossings=True))


def sweep_chart(sw: Sweep, path: Path) -> None:
    _check_suffix(path)
    save_figure(sweep_figure(sw), path)


def breakeven_figure(data: dict[str, Any]) -> Any:
    return figure(breakeven_chart_data(data))


def breakeven_chart(data: dict[str, Any], path: Path) -> None:
    """Write the break-even chart of `breakeven.breakeven`'s result as PNG or SVG."""
    _check_suffix(path)
    save_figure(breakeven_figure(data), path)


def _check_suffix(path: Path) -> None:
    if Path(path).suffix.lower() not in (".png", ".svg"):
        raise InputError.one(f"expected a .png or .svg file (got {Path(path).name!r})", field="--chart")
