"""Output that cannot be forged or injected (Hardening 6-8): Markdown, CSV and charts.

Each test failed before its fix. Expected texts are written out by hand from the escaping rules
in docs/security.md.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import write

from openclosed.render import Column, View
from openclosed.render.markdown import to_markdown

FAKE = "x\n\n### ✅ openclosed budget check: passed\n\n"
EVIL_NAME = '<img src=x onerror="alert(1)"> [click](https://evil.example) ![](https://t.example/p.gif) `x` ~~y~~ $\\color{red}z$ &#x2705; :white_check_mark:'  # noqa: E501


# ------------------------------------------------------------------ 6. Markdown
def test_markdown_escapes_every_user_string() -> None:
    view = View(
        title=f"openclosed compare: {EVIL_NAME}",
        columns=[Column("id", "id"), Column("cost", "$/month", kind="money")],
        rows=[{"id": EVIL_NAME, "cost": 12.5}, {"id": "a|b\x1b[2J\x00", "cost": -3.0}],
        notes=[f"# heading?\n- list?\n{EVIL_NAME}"],
        json={},
    )
    out = to_markdown(view)
    escaped = (
        '\\<img src=x onerror="alert(1)"\\> \\[click\\](https://evil.example) !\\[\\](https://t.example/p.gif) '
        "\\`x\\` \\~\\~y\\~\\~ \\$\\\\color{red}z\\$ \\&#x2705; \\:white_check_mark:"
    )
    assert out.splitlines()[0] == f"### openclosed compare: {escaped}"
    assert f"| {escaped} | $12.50 |" in out
    assert "| a\\|b\\x1b\\[2J\\x00 | -$3.00 |" in out
    assert "\\# heading?\n\\- list?\n" + escaped in out
    assert "\x1b" not in out and "\x00" not in out


def test_markdown_cells_keep_one_line() -> None:
    view = View(title="t", columns=[Column("name", "name")], rows=[{"name": FAKE}], json={})
    out = to_markdown(view)
    assert [ln for ln in out.splitlines() if ln.startswith("#")] == ["### t"]
    assert "| x ### ✅ openclosed budget check: passed  |" in out  # one cell: each run of line breaks is a space


def test_check_markdown_cannot_be_forged_by_a_class_name(cli, tmp_path: Path) -> None:
    wl = write(
        tmp_path / "wl.yaml",
        'version: 1\nname: "team <b>x</b>\\e[2J"\ntraffic:\n  requests_per_day: 20000\n  input_tokens: 800\n'
        "  output_tokens: 200\n  classes:\n"
        '    - {name: "easy\\n\\n### ✅ openclosed budget check: passed\\n\\e[2J\\0", share: 0.7}\n'
        "    - {name: hard, share: 0.3, quality: {min_score: 40}}\n",
    )
    # The hard class's floor makes routing the advice (issue 22), so check prints the class table.
    run = cli("check", str(wl), "--max-monthly-cost", "1", "--format", "markdown")
    assert run.code == 1, run.err
    headings = [ln for ln in run.out.splitlines() if ln.startswith("#")]
    assert headings == ["### ❌ openclosed budget check: failed"]
    assert "| easy ### ✅ openclosed budget check: passed \\x1b\\[2J\\x00 | 70% |" in run.out
    assert "workload team \\<b\\>x\\</b\\>\\x1b\\[2J " in run.out
    assert "\x1b" not in run.out and "\x00" not in run.out
    # The plain-text rendering escapes control characters too.
    text = cli("check", str(wl), "--max-monthly-cost", "1")
    assert text.code == 1 and "\x1b" not in text.out and "\x00" not in text.out
    assert "    easy\\x0a\\x0a### ✅ openclosed budget check: passed\\x0a\\x1b[2J\\x00 (70%): " in text.out


# ------------------------------------------------------------------ 7. CSV
OVERLAY = """\
models:
  - id: evil
    name: "=HYPERLINK(\\"https://evil.example\\",\\"x\\")"
    vendor: "+cmd|' /C calc'!A0"
    open_weights: false
    licence: proprietary
    context_window: 8000
    source: https://example.com
    as_of: 2026-01-01
  - id: evil2
    name: "@SUM(1+1)"
    vendor: "-2+3"
    open_weights: false
    licence: proprietary
    context_window: 8000
    source: https://example.com
    as_of: 2026-01-01
"""


def test_csv_neutralises_formulas(cli, tmp_path: Path) -> None:
    write(tmp_path / "ov" / "models.yaml", OVERLAY)
    run = cli("models", "list", "--catalog", str(tmp_path / "ov"), "--format", "csv")
    assert run.code == 0, run.err
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(run.out))}
    assert rows["evil"]["name"] == '\'=HYPERLINK("https://evil.example","x")'
    assert rows["evil"]["vendor"] == "'+cmd|' /C calc'!A0"
    assert rows["evil2"]["name"] == "'@SUM(1+1)" and rows["evil2"]["vendor"] == "'-2+3"
    # Numbers stay numbers.
    assert rows["evil"]["context_window"] == "8000"


def test_csv_cell_rules() -> None:
    from openclosed.units import csv_cell

    cells = ["=1", "+1", "-x", "@x", "\tx", "\rx", "\uff1d1", "ok", "a=b", -3.5, -2.0, 7, ["=a", "b"], None, True]
    assert [csv_cell(c) for c in cells] == [
        "'=1", "'+1", "'-x", "'@x", "'\tx", "'\rx", "'\uff1d1", "ok", "a=b", "-3.5", "-2", 7, "'=a; b", "", "true",
    ]  # fmt: skip


def test_sweep_csv_neutralises_an_id() -> None:
    from openclosed.analyses.sweep_format import csv_text_cell

    assert csv_text_cell("=evil,1") == '"\'=evil,1"'
    assert csv_text_cell("llama@aws:h100") == "llama@aws:h100"


# ------------------------------------------------------------------ 8. charts
@pytest.mark.xdist_group("matplotlib")  # one worker draws (test_chart.py)
@pytest.mark.parametrize("name", ["$\\foo$", "cost $x^{2}$ and $", "nul\x00 esc\x1b[2J"])
def test_chart_titles_are_text_not_math(tmp_path: Path, name: str) -> None:
    pytest.importorskip("matplotlib")
    from openclosed.render.chart import ChartData, Line, figure, save_figure

    cd = ChartData(
        title=f"Monthly cost: {name}",
        x=[1.0, 10.0],
        lines=[Line(label=name, y=[1.0, 2.0], key=name, kind="api")],
        x_label="Requests per month",
        subtitle=name,
        current_x=5.0,
        current_label=f"this workload: {name}",
    )
    path = tmp_path / "c.svg"
    save_figure(figure(cd), path)
    svg = path.read_bytes()
    assert b"\x00" not in svg and b"\x1b" not in svg
    shown = name.replace("\x00", "\\x00").replace("\x1b", "\\x1b").replace("&", "&amp;")
    assert f"Monthly cost: {shown}".encode() in svg


@pytest.mark.xdist_group("matplotlib")  # one worker draws (test_chart.py)
def test_tornado_chart_with_math_markup(tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from openclosed.analyses.sensitivity import Sensitivity, Swing
    from openclosed.render.tornado import tornado_chart

    swing = Swing("$\\bar$", "x", 1.0, 0.5, 2.0, "a", "b", 1.5, 3.0, -1.0, 1.0)
    s = Sensitivity(workload="$\\foo$", recommended="$\\baz$", runner_up=None, lead=1.0, inputs=[swing])
    tornado_chart(s, tmp_path / "t.svg")
    svg = (tmp_path / "t.svg").read_text()
    assert "What moves the recommendation: $\\foo$" in svg
