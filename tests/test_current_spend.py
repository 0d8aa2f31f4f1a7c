"""Issue 26 item 4: start from what you pay today. `workload from-usage` writes current_spend,
reports show it beside the recommendation (never as an option), and retiring models are named."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from conftest import ROOT, write

FIX = ROOT / "tests" / "fixtures" / "usage"
FIXTURE = str(ROOT / "tests" / "fixtures" / "catalog")


def test_export_cost_is_the_current_spend(cli) -> None:
    # tiny_litellm.csv: the three successful chat requests cost 0.01 + 0.02 + 0.03 = $0.06 between
    # 09:00 and 12:00 (the failed one and the embedding are not traffic): 0.06 / 0.125 days ×
    # 30.4167 days a month (730 h) = $14.60.
    r = cli("workload", "from-usage", str(FIX / "tiny_litellm.csv"), "--today", "2026-11-24")
    assert r.code == 0, r.err
    spend = yaml.safe_load(r.out)["current_spend"]
    assert spend == {"monthly_cost": pytest.approx(0.06 / 0.125 * 730 / 24, abs=0.005), "source": "export"}


def test_catalogue_price_when_the_export_has_no_cost(cli) -> None:
    r = cli("workload", "from-usage", str(FIX / "openai_week.json"), "--today", "2026-11-24")
    assert r.code == 0, r.err
    spend = yaml.safe_load(r.out)["current_spend"]
    # The catalogue total of the matched models, the figure the summary prints (priced by hand in
    # test_usage_import.py).
    total = next(ln for ln in r.err.splitlines() if ln.startswith("Catalogue total for the matched models:"))
    assert f"${spend['monthly_cost']:,.2f}/month" in total and spend["source"] == "catalogue"


def test_retiring_models_are_named(cli) -> None:
    # The OpenAI fixture maps to gpt-4o and gpt-4o-mini: both shut down on 2027-01-14.
    r = cli("workload", "from-usage", str(FIX / "openai_week.json"), "--today", "2026-12-06")
    warnings = [ln for ln in r.err.splitlines() if ln.startswith("warning:")]
    assert warnings == [
        "warning: gpt-4o-2024-08-06 (-> gpt-4o): lifecycle: GPT-4o shuts down on 2027-01-14 (in 39 days)",
        "warning: gpt-4o-mini-2024-07-18 (-> gpt-4o-mini): lifecycle: GPT-4o mini shuts down on 2027-01-14 "
        "(in 39 days)",
        "warning: ft:gpt-4o-mini-2024-07-18:acme::9AbCdEf1 (-> gpt-4o-mini): lifecycle: GPT-4o mini shuts down "
        "on 2027-01-14 (in 39 days)",
    ]
    after = cli("workload", "from-usage", str(FIX / "openai_week.json"), "--today", "2027-02-01")
    assert "warning: gpt-4o-2024-08-06 (-> gpt-4o): lifecycle: GPT-4o was shut down on 2027-01-14" in after.err


WORKLOAD = """\
version: 1
name: today
traffic: {requests_per_day: 50000, input_tokens: 1200, output_tokens: 300, cached_input_share: 0.5}
current_spend: {monthly_cost: 1000, source: export}
"""


@pytest.mark.parametrize("width", [80, 120])
def test_reports_show_the_spend_beside_the_recommendation(cli, monkeypatch, tmp_path: Path, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    path = write(tmp_path / "today.yaml", WORKLOAD)
    args = ("compare", str(path), "--catalog", FIXTURE, "--today", "2026-11-24")
    report = cli(*args, "-f", "json").json()
    assert report["current_spend"] == {"monthly_cost": 1000, "source": "export"}
    assert all(o["id"] for o in report["options"]) and not any("current" in o["id"] for o in report["options"])
    top = next(o for o in report["options"] if o["id"] == report["recommended"])
    pct = abs(top["monthly_cost"] - 1000) / 1000
    cost = f"${top['monthly_cost']:,.0f}" if top["monthly_cost"] >= 100 else f"${top['monthly_cost']:,.2f}"
    line = (
        f"You pay $1,000 a month today (the usage export's own cost); the recommendation, {report['recommended']}, "
        f"costs {cost} a month, {pct:.0%} {'less' if top['monthly_cost'] < 1000 else 'more'}."
    )
    out = cli(*args).out
    lines = out.splitlines()
    header = next(i for i, ln in enumerate(lines) if "option" in ln)
    assert line in " ".join(" ".join(lines[1:header]).split())  # above the table
    assert max(len(ln) for ln in lines) <= width
    # Markdown escapes "$" (GitHub would read two of them as math): the same line, escaped.
    assert line.replace("$", "\\$") in cli(*args, "-f", "markdown").out
    assert line in cli(*args, "-f", "html").out.replace("&#x27;", "'")


def test_without_current_spend_nothing_is_said(cli) -> None:
    r = cli("compare", "--preset", "chatbot", "--catalog", FIXTURE, "--today", "2026-11-24", "-f", "json")
    assert r.json()["current_spend"] is None
    assert "You pay" not in cli("compare", "--preset", "chatbot", "--catalog", FIXTURE, "--today", "2026-11-24").out


ROUTED = """\
version: 1
name: routed-today
traffic:
  requests_per_day: 50000
  input_tokens: 1200
  output_tokens: 300
  classes:
    - {name: easy, share: 0.8}
    - {name: hard, share: 0.2, quality: {min_score: 25}}
current_spend: {monthly_cost: 5000, source: invoice 2026-11}
"""


def test_a_routed_workload_compares_the_spend_with_the_routed_total(cli, tmp_path: Path) -> None:
    path = write(tmp_path / "routed.yaml", ROUTED)
    args = ("compare", str(path), "--catalog", FIXTURE, "--today", "2026-11-24")
    report = cli(*args, "-f", "json").json()
    total = report["routing"]["monthly_cost"]
    pct = abs(total - 5000) / 5000
    line = (
        f"You pay $5,000 a month today (invoice 2026-11); the routed recommendation costs ${total:,.0f} a month, "
        f"{pct:.0%} {'less' if total < 5000 else 'more'}."
    )
    assert line in " ".join(cli(*args).out.split())
