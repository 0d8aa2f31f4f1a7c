"""Charts: PNG/SVG files from sweep and breakeven, the terminal chart, the missing-extra error."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import SWEEP_CHATBOT, TODAY

from openclosed.analyses import sweep as sw
from openclosed.analyses.breakeven import breakeven
from openclosed.analyses.compare import compare
from openclosed.engine import Engine, Settings
from openclosed.render import chart
from openclosed.workload.model import apply_overrides
from openclosed.workload.presets import preset

# The tests that draw with matplotlib share one xdist worker: importing it and drawing a first
# figure costs about 0.8 s of CPU, paid once in the suite rather than once per worker (nor at
# collection: the import waits for the first test).
pytestmark = pytest.mark.xdist_group("matplotlib")


@pytest.fixture(autouse=True)
def _matplotlib() -> None:
    pytest.importorskip("matplotlib")


SETTINGS = Settings(today=dt.date.fromisoformat(TODAY))
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def chatbot_sweep(catalog) -> sw.Sweep:
    # Visible tokens only (a measured mean of 0 hidden tokens), so that gpt-oss-20b stays the
    # cheapest over the whole range, as the annotation tests below assume.
    wl = apply_overrides(preset("chatbot"), {"traffic": {"reasoning_tokens": 0}})
    spec = sw.parse_spec("requests_per_month=1e3..1e10", wl, steps=61)
    return sw.sweep(
        Engine(catalog, wl, SETTINGS), spec, ["gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm", "gpt-oss-20b@deepinfra"]
    )


def test_sweep_figure_draws_every_series_and_the_break_even_points(chatbot_sweep) -> None:
    fig = chart.sweep_figure(chatbot_sweep)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    for s in chatbot_sweep.series:
        assert any(label.startswith(s.id) for label in labels), (s.id, labels)
    assert "break-even" in labels
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert "Requests per month" in ax.get_xlabel()
    assert "USD/month" in ax.get_ylabel()
    assert fig._suptitle.get_text().startswith("Monthly cost vs requests per month")
    # The plotted data are the sweep's numbers.
    line = next(ln for ln in ax.get_lines() if ln.get_label().startswith("gpt-4o@openai"))
    assert list(line.get_ydata()) == chatbot_sweep.series[0].costs
    # One scatter point per crossing between drawn series.
    scatter = ax.collections[0]
    assert len(scatter.get_offsets()) == len(chatbot_sweep.crossings) > 0


def test_cli_chart_png_is_a_png(cli, tmp_path: Path) -> None:
    out = tmp_path / "sweep.png"
    r = cli(
        *SWEEP_CHATBOT,
        "--log",
        "--steps",
        "31",
        "--chart",
        str(out),
        "--format",
        "json",
        "--today",
        TODAY,
    )
    assert r.code == 0, r.err
    data = out.read_bytes()
    assert data[:8] == PNG_MAGIC
    assert len(data) > 20_000
    assert not list(tmp_path.glob(".*.tmp"))  # written through a temporary file, renamed


def test_cli_chart_svg_parses_and_names_the_series(cli, tmp_path: Path) -> None:
    out = tmp_path / "sweep.svg"
    r = cli(
        "sweep",
        "--preset",
        "chatbot",
        "--options",
        "gpt-4o@openai,llama-3.3-70b@aws:h100-sxm",
        "--steps",
        "31",
        "--chart",
        str(out),
        "--format",
        "csv",
        "--today",
        TODAY,
    )
    assert r.code == 0, r.err
    root = ET.parse(out).getroot()
    assert root.tag == f"{SVG}svg"
    text = " ".join(t for el in root.iter() for t in [el.text or ""])
    assert "gpt-4o@openai" in text and "llama-3.3-70b@aws:h100-sxm" in text


def test_chart_needs_png_or_svg(cli, tmp_path: Path) -> None:
    r = cli("sweep", "--chart", str(tmp_path / "x.jpg"), "--steps", "3", "--preset", "chatbot")
    assert r.code == 2 and "expected a .png or .svg" in r.err


def test_breakeven_chart_and_figure(catalog, cli, tmp_path: Path) -> None:
    wl = preset("chatbot")
    a, b = "gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm"
    data = breakeven(Engine(catalog, wl, SETTINGS), a, b, 1e4, 1e10, 25)
    fig = chart.breakeven_figure(data)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels[:2] == [a, b]
    assert ("break-even" in labels) == bool(data["crossings"])
    out = tmp_path / "be.png"
    chart.breakeven_chart(data, out)
    assert out.read_bytes()[:8] == PNG_MAGIC
    r = cli(
        "breakeven",
        a,
        b,
        "--preset",
        "chatbot",
        "--points",
        "9",
        "--chart",
        str(tmp_path / "be.svg"),
        "--format",
        "json",
    )
    assert r.code == 0, r.err
    ET.parse(tmp_path / "be.svg")


def test_missing_matplotlib_is_exit_2_with_the_extra(cli, tmp_path: Path, monkeypatch) -> None:
    import builtins

    real = builtins.__import__

    def no_mpl(name, *args, **kwargs):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_mpl)
    r = cli("sweep", "--preset", "chatbot", "--steps", "3", "--chart", str(tmp_path / "x.png"), "--format", "json")
    assert r.code == 2
    assert "pip install 'openclosed[plot]'" in r.err and "--chart" in r.err
    assert not (tmp_path / "x.png").exists()


def test_terminal_chart_width_and_annotations(chatbot_sweep) -> None:
    # --crossings all: every pairwise crossing is marked (the default marks only where the
    # cheapest option changes, and gpt-oss-20b@deepinfra is cheapest over this whole range).
    assert chart.sweep_chart_data(chatbot_sweep).marks == []
    cd = chart.sweep_chart_data(chatbot_sweep, all_crossings=True)
    for width in (80, 100):
        text = chart.terminal_chart(cd, width=width)
        lines = text.splitlines()
        assert max(len(ln) for ln in lines) <= width
        assert "1k" in text and "1B" in text  # decade ticks on the log x axis
        for s in chatbot_sweep.series:
            assert s.id in text
        # Every crossing is numbered under the chart.
        assert sum(1 for ln in lines if ln.lstrip().startswith("1 ")) == 1
    assert "\x1b[" not in chart.terminal_chart(cd, width=80, color=False)


def test_breakeven_plot_in_the_terminal(cli, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    r = cli(
        "breakeven", "gpt-4o@openai", "llama-3.3-70b@aws:h100-sxm", "--preset", "chatbot", "--points", "15", "--plot"
    )
    assert r.code == 0, r.err
    assert "Break-even: gpt-4o@openai vs llama-3.3-70b@aws:h100-sxm" in r.out
    assert "openclosed breakeven" in r.out  # the table follows the chart
    assert max(len(ln) for ln in r.out.splitlines()) <= 80


def test_chart_data_from_independent_numbers(catalog, chatbot_sweep) -> None:
    # The crossing's y sits between the two costs there, computed by the engine.
    cd = chart.sweep_chart_data(chatbot_sweep, all_crossings=True)
    m = cd.marks[0]
    c = chatbot_sweep.crossings[0]
    costs = {
        o.id: o.monthly_cost
        for o in compare(catalog, preset("chatbot").with_requests_per_month(c.at), SETTINGS).all_options
    }
    lo, hi = sorted((costs[c.a], costs[c.b]))
    assert lo * 0.999999 <= m.y <= hi * 1.000001
