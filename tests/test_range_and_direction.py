"""Issue 26 items 1 (the cost range where people look) and 8 (columns that read one way)."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import ROOT

FIXTURE = str(ROOT / "tests" / "fixtures" / "catalog")
ARGS = ("compare", "--preset", "chatbot", "--catalog", FIXTURE, "--today", "2026-11-24")


def _usd(x: float) -> str:
    return f"${x:,.0f}" if x >= 100 else f"${x:,.2f}"


@pytest.fixture
def report(cli) -> dict:
    return cli(*ARGS, "-f", "json").json()


@pytest.mark.parametrize("width", [80, 120])
def test_table_shows_each_cost_over_its_range(cli, monkeypatch, report: dict, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli(*ARGS)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert max(len(ln) for ln in lines) <= width
    by_id = {o["id"]: o for o in report["options"]}
    # gpt-oss-20b@together: hundreds (whole dollars); claude-haiku-4.5: thousands (one decimal, "k").
    top, haiku = by_id["gpt-oss-20b@together"], by_id["claude-haiku-4.5@anthropic"]
    i = next(k for k, ln in enumerate(lines) if "gpt-oss-20b@together" in ln)
    assert "$182" in lines[i].split()
    assert lines[i + 1].strip() == f"{top['monthly_cost_low']:.0f}–{top['monthly_cost_high']:.0f}"
    j = next(k for k, ln in enumerate(lines) if "claude-haiku-4.5@anthropic" in ln)
    lo, hi = haiku["monthly_cost_low"] / 1000, haiku["monthly_cost_high"] / 1000
    assert lines[j + 1].strip() == f"{lo:.1f}k–{hi:.1f}k"
    # The range sits under the cost: its last character in the cost's column.
    assert lines[i + 1].rstrip().endswith("–" + f"{top['monthly_cost_high']:.0f}")
    assert len(lines[i + 1].rstrip()) == lines[i].index("$182") + len("$182")
    # The self-hosted option's cost does not move in any sampled scenario.
    k = next(k for k, ln in enumerate(lines) if "gpt-oss-20b@lambda:h100-sxm" in ln)
    assert (
        by_id["gpt-oss-20b@lambda:h100-sxm"]["monthly_cost_low"]
        == by_id["gpt-oss-20b@lambda:h100-sxm"]["monthly_cost_high"]
    )
    assert lines[k + 1].strip() == "no spread"
    # Every score column stays at both widths; P10–P90 has no column of its own to hide.
    head = " ".join(lines[1:3])
    for name in ("priv↑", "lock↓", "qual↑", "overall↑", "$/month", "P10–P90"):
        assert name in head
    assert "hidden at this width: P10–P90" not in r.out


@pytest.mark.parametrize("width", [80, 120])
def test_recommendation_states_its_range_and_confidence(cli, monkeypatch, report: dict, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    top = next(o for o in report["options"] if o["id"] == report["recommended"])
    sentence = (
        f"Its monthly cost ranges {_usd(top['monthly_cost_low'])}–{_usd(top['monthly_cost_high'])} (P10–P90); "
        f"it stays first in {report['recommendation_confidence']:.0%} of the sampled scenarios."
    )
    flat = " ".join(cli(*ARGS).out.split())
    assert "Recommended: gpt-oss-20b@together scores" in flat and sentence in flat
    assert sentence in cli(*ARGS, "-f", "html").out.replace("&#x27;", "'")
    assert sentence.replace("$", "\\$") in cli(*ARGS, "-f", "markdown").out  # "$" escaped (math)


def test_markdown_and_html_show_the_range(cli, report: dict) -> None:
    top = report["options"][0]
    span = f"{_usd(top['monthly_cost_low'])}–{_usd(top['monthly_cost_high'])}"
    md = cli(*ARGS, "-f", "markdown").out
    span_md = span.replace("$", "\\$")  # Markdown escapes "$" (GitHub reads two as math)
    assert "| \\$/month | P10–P90 |" in md and f"| $182 | {span_md} |" in md  # a number cell: only "|" escaped
    html = cli(*ARGS, "-f", "html").out
    # The range under each cost, in the cost's own cell.
    assert '<th class="num">$/month<br><span class="range">P10–P90</span></th>' in html
    assert f'<td class="num">$182<br><span class="range">{span}</span></td>' in html
    # Every bar with a range has its whisker.
    assert html.count('<g class="range"') == sum(1 for o in report["options"] if o["monthly_cost_low"] is not None)


@pytest.mark.parametrize("width", [80, 120])
def test_score_columns_name_their_direction(cli, monkeypatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli(*ARGS).out
    assert "priv↑ qual↑ overall↑: higher is better; lock↓ (lock-in): lower is better" in out
    md = cli(*ARGS, "-f", "markdown").out
    assert "| priv↑ | lock↓ | qual↑ | overall↑ |" in md and "lower is better" in md
    html = cli(*ARGS, "-f", "html").out
    for h in ("privacy↑", "lock-in↓", "quality↑", "overall↑"):
        assert f'<th class="num">{h}</th>' in html
    # JSON and CSV keep their names.
    assert "lock_in" in cli(*ARGS, "-f", "json").json()["options"][0]["scores"]
    header = next(csv.reader(io.StringIO(cli(*ARGS, "-f", "csv").out)))
    assert "scores_lock_in" in header and not any("↓" in h or "↑" in h for h in header)
