"""Issue 26 item 3: a report shows every constraint it was judged under, under the workload
file's own keys (JSON `workload`, the HTML "Workload" box)."""

from __future__ import annotations

from pathlib import Path

from conftest import ROOT, write

from openclosed.workload.echo import constraints
from openclosed.workload.presets import preset

FIXTURE = str(ROOT / "tests" / "fixtures" / "catalog")
WORKLOAD = """\
version: 1
name: judged
traffic: {requests_per_day: 20000, input_tokens: 2000, output_tokens: 300}
latency: {max_ttft_ms: 2500}
privacy: {sensitivity: confidential, residency: [eu]}
licence: {monthly_active_users: 1000000}
quality: {min_score: 20}
budget: {max_monthly_cost: 50000}
horizon_months: 24
self_hosting: {precisions: [fp8]}
"""


def test_json_workload_echoes_every_constraint(cli, tmp_path: Path) -> None:
    path = write(tmp_path / "judged.yaml", WORKLOAD)
    r = cli("compare", str(path), "--catalog", FIXTURE, "--today", "2026-11-24", "-f", "json")
    assert r.code == 0, r.err
    wl = r.json()["workload"]
    assert wl["latency"] == {"max_ttft_ms": 2500, "min_output_tokens_per_s": None}
    assert wl["privacy"] == {"sensitivity": "confidential", "allow_third_party": True, "residency": ["eu"]}
    assert wl["licence"] == {"commercial": True, "monthly_active_users": 1_000_000, "eu_company": False}
    assert wl["quality"] == {"min_score": 20}
    assert wl["budget"] == {
        "max_monthly_cost": 50000,
        "max_cost_per_million": None,
        "max_increase_pct": None,
        "max_capex": None,
    }
    assert wl["horizon_months"] == 24
    assert wl["self_hosting"] == {"precisions": ["fp8"]}
    assert wl["traffic"] is None  # traffic.reasoning: not a workload key on this branch
    # The traffic figures stay where they were.
    assert wl["requests_per_month"] == round(20000 * 730 / 24, 6) and wl["input_tokens"] == 2000


def test_html_workload_box_lists_the_constraints(cli, tmp_path: Path) -> None:
    path = write(tmp_path / "judged.yaml", WORKLOAD)
    html = cli("compare", str(path), "--catalog", FIXTURE, "--today", "2026-11-24", "-f", "html").out
    for key, value in (
        ("latency.max_ttft_ms", "2,500"),
        ("latency.min_output_tokens_per_s", "none"),
        ("privacy.sensitivity", "confidential"),
        ("privacy.residency", "eu"),
        ("licence.monthly_active_users", "1000000"),
        ("quality.min_score", "20"),
        ("budget.max_monthly_cost", "50,000"),
        ("horizon_months", "24"),
        ("self_hosting.precisions", "fp8"),
    ):
        assert f"<dt>{key}</dt><dd>{value}</dd>" in html, key


def test_reasoning_is_echoed_once_the_workload_has_it() -> None:
    wl = preset("agent")  # the one preset that leaves each model at its default mode
    assert "traffic" not in constraints(wl)
    assert constraints(preset("chatbot"))["traffic"] == {"reasoning": "low"}
    # The Decisions issue adds traffic.reasoning; the echo takes it as given.
    with_mode = wl.model_copy(update={"traffic": wl.traffic.model_copy(update={"reasoning": "high"})})
    assert constraints(with_mode)["traffic"] == {"reasoning": "high"}
