"""Issue 26 item 6: a sensitivity table that reads at a glance, a tornado chart that hides no bar,
and an HTML page with the chart."""

from __future__ import annotations

import csv
import io
import itertools

import pytest
from conftest import ROOT

from openclosed.analyses.sensitivity import Sensitivity, Swing

FIXTURE = str(ROOT / "tests" / "fixtures" / "catalog")
ARGS = ("sensitivity", "--preset", "chatbot", "--catalog", FIXTURE, "--today", "2026-11-24")


def _material(row: dict, recommended: str) -> bool:
    base, low, high = float(row["lead_base"]), float(row["lead_low"]), float(row["lead_high"])
    flips = row["flips_at"] != "" and min(float(row["low"]), float(row["high"])) <= float(row["flips_at"]) <= max(
        float(row["low"]), float(row["high"])
    )
    changes = recommended not in (row["recommended_at_low"], row["recommended_at_high"])
    return flips or changes or max(abs(low - base), abs(high - base)) >= 1.0


def test_table_shows_what_moves_the_answer_and_counts_the_rest(cli, monkeypatch) -> None:
    rows = list(csv.DictReader(io.StringIO(cli(*ARGS, "-f", "csv").out)))
    data = cli(*ARGS, "-f", "json").json()
    recommended = data["recommended"]
    assert len(rows) == len(data["inputs"]) == 13  # JSON and CSV keep every input
    wanted = [r["name"] for r in rows if _material(r, recommended)]
    assert 0 < len(wanted) < len(rows)
    for width in (80, 120):
        monkeypatch.setenv("COLUMNS", str(width))
        r = cli(*ARGS)
        table = r.out.split("\n\n", 1)[1]
        lines = table.splitlines()
        listed = [ln.split()[1] for ln in lines if ln[:3].strip().isdigit() and len(ln.split()) > 2]
        assert listed == wanted, width  # names whole on their line: never wrapped mid-word
        rest = len(rows) - len(wanted)
        assert f"{rest} more inputs move the lead by less than 1 overall point and flip nothing" in " ".join(
            table.split()
        )
        assert max(len(ln) for ln in r.out.splitlines()) <= width
        # The chart draws the same inputs.
        chart = r.out.split("\n\n")[0]
        assert [ln.split()[0] for ln in chart.splitlines()[1:] if "/" in ln and ln.split()[0] in wanted] == wanted
    everything = cli(*ARGS, "--no-plot", "--all").out.splitlines()
    assert [ln.split()[1] for ln in everything if ln[:3].strip().isdigit() and len(ln.split()) > 2] == [
        r["name"] for r in rows
    ]


def _swing(name: str, low: float, high: float) -> Swing:
    return Swing(name, name, 1.0, 0.5, 2.0, "a@x", "a@x", None, low, high, 5.0)


@pytest.mark.xdist_group("matplotlib")  # one worker draws (test_chart.py)
def test_tornado_png_draws_both_bars_and_keeps_the_legend_off_them() -> None:
    pytest.importorskip("matplotlib")
    from openclosed.render.tornado import tornado_figure

    # The second input moves the lead the same way at both ends: its bars must not cover each other.
    s = Sensitivity("w", "a@x", "b@y", 5.0, [_swing("one", 1.0, 9.0), _swing("same-way", 7.0, 8.0), _swing("z", 4, 6)])
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = tornado_figure(s)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    ax = fig.axes[0]
    bars = [p for p in ax.patches if p.get_width() != 0]
    assert len(bars) == 6
    ys = sorted((b.get_y(), b.get_y() + b.get_height()) for b in bars)
    for (_, top), (bottom, _) in itertools.pairwise(ys):
        assert top <= bottom + 1e-9  # no two bars share a height band
    legend = fig.legends[0].get_window_extent(renderer)
    plot = ax.get_window_extent(renderer)
    assert legend.y1 <= plot.y0 or legend.y0 >= plot.y1  # wholly above or below the axes


def test_html_page_embeds_the_chart(cli) -> None:
    html = cli(*ARGS, "-f", "html").out
    chart_inputs = [ln.split()[0] for ln in cli(*ARGS).out.split("\n\n")[0].splitlines()[1:] if "/" in ln]
    chart_inputs = [n for n in chart_inputs if not n.startswith(("note:", "|"))]
    assert html.count("<svg") == 1 and html.count('class="bar"') == 2 * len(chart_inputs)
    assert "<table>" in html and "more inputs move the lead" in html
