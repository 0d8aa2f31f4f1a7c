"""`check` for CI (exit codes 0/1/2, --warn-only, Markdown) and `diff` of saved reports."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import COMPARE_ALL, ROOT, TODAY, write

OPTION = "gpt-4o-mini@openai"


def cost_of(shared_cli, option: str = OPTION) -> float:
    data = shared_cli(*COMPARE_ALL).json()
    return next(o for o in data["options"] if o["id"] == option)["monthly_cost"]


def test_under_at_and_over_budget(cli, shared_cli) -> None:
    cost = cost_of(shared_cli)
    under = cli("check", "--option", OPTION, "--max-monthly-cost", str(cost * 1.5), "--today", TODAY)
    assert under.code == 0, under.err
    assert under.out.startswith("PASS")
    at = cli("check", "--option", OPTION, "--max-monthly-cost", repr(cost), "--today", TODAY)
    assert at.code == 0  # documented: at the budget passes (figure <= limit)
    over = cli("check", "--option", OPTION, "--max-monthly-cost", str(cost * 0.5), "--today", TODAY)
    assert over.code == 1
    assert over.out.startswith("FAIL") and "max_monthly_cost" in over.out
    warn = cli("check", "--option", OPTION, "--max-monthly-cost", str(cost * 0.5), "--warn-only", "--today", TODAY)
    assert warn.code == 0 and warn.out.startswith("FAIL") and "--warn-only" in warn.err


def test_bad_workload_exits_2(cli, tmp_path: Path) -> None:
    f = write(tmp_path / "w.yaml", "traffic:\n  requests_per_day: -3\n  input_tokens: 1\n  output_tokens: 1\n")
    r = cli("check", str(f), "--max-monthly-cost", "100")
    assert r.code == 2 and f"{f}:2:" in r.err
    assert cli("check").code == 2  # no budget at all


def test_budget_from_the_workload_file(cli, shared_cli, tmp_path: Path) -> None:
    cost = cost_of(shared_cli)
    base = (
        "traffic:\n  requests_per_day: 50000\n  input_tokens: 1200\n  output_tokens: 300\n"
        "  cached_input_share: 0.5\n  peak_to_average: 3.0\n  context_tokens: 8000\n"
        "latency:\n  max_ttft_ms: 2000\n  min_output_tokens_per_s: 20\n"
    )
    f = write(tmp_path / "w.yaml", base + f"budget:\n  max_monthly_cost: {cost / 2}\n")
    r = cli("check", str(f), "--option", OPTION, "--today", TODAY)
    assert r.code == 1
    # The flag overrides the file.
    assert cli("check", str(f), "--option", OPTION, "--max-monthly-cost", str(cost * 2), "--today", TODAY).code == 0


def test_cost_per_million_and_baseline(cli, shared_cli, tmp_path: Path) -> None:
    data = shared_cli(*COMPARE_ALL).json()
    o = next(o for o in data["options"] if o["id"] == OPTION)
    r = cli(
        "check",
        "--option",
        OPTION,
        "--max-cost-per-million",
        str(o["cost_per_million_tokens"] / 2),
        "--format",
        "json",
        "--today",
        TODAY,
    )
    assert r.code == 1
    d = r.json()
    assert d["breaches"][0]["budget"] == "max_cost_per_million"
    assert d["breaches"][0]["figure"] == o["cost_per_million_tokens"]
    # Baseline 10 % cheaper than now → +11.1 % increase; allowed 5 % fails, 20 % passes.
    for opt in data["options"]:
        if opt["id"] == OPTION:
            opt["monthly_cost"] = o["monthly_cost"] * 0.9
    base = write(tmp_path / "base.json", json.dumps(data))
    fail = cli(
        "check",
        "--option",
        OPTION,
        "--baseline",
        str(base),
        "--max-increase-pct",
        "5",
        "--format",
        "json",
        "--today",
        TODAY,
    )
    assert fail.code == 1
    assert abs(fail.json()["breaches"][0]["figure"] - (1 / 0.9 - 1) * 100) < 1e-3
    ok = cli("check", "--option", OPTION, "--baseline", str(base), "--max-increase-pct", "20", "--today", TODAY)
    assert ok.code == 0


def test_markdown_is_a_table(cli) -> None:
    r = cli("check", "--max-monthly-cost", "1", "--format", "markdown", "--warn-only", "--today", TODAY)
    assert r.code == 0
    lines = r.out.splitlines()
    assert lines[0].startswith("### ") and "failed" in lines[0]
    table = [ln for ln in lines if ln.startswith("|")]
    assert table[0].startswith("| option |") and set(table[1]) <= set("|-: ")
    assert any("(checked)" in ln for ln in table)
    assert "Catalogue as of" in r.out


def test_diff_against_itself_and_a_changed_price(cli, shared_cli, tmp_path: Path) -> None:
    data = shared_cli(*COMPARE_ALL).json()
    a = write(tmp_path / "a.json", json.dumps(data))
    same = cli("diff", str(a), str(a), "--format", "json").json()
    assert same["changed"] == [] and same["added"] == [] and same["removed"] == []
    assert same["unchanged"] == len(data["options"])
    changed = json.loads(json.dumps(data))
    target = changed["options"][3]
    old = target["monthly_cost"]
    target["monthly_cost"] = old + 123.0
    removed = changed["options"].pop(5)["id"]
    b = write(tmp_path / "b.json", json.dumps(changed))
    d = cli("diff", str(a), str(b), "--format", "json").json()
    assert d["changed"] == [
        {
            "id": target["id"],
            "id_before": target["id"],
            "model": target["model"],
            "deployment": target["deployment"],
            "matched_by": "id",
            "before": old,
            "after": old + 123.0,
            "change": 123.0,
            "change_pct": round(123.0 / old * 100, 4),
            "rank_before": 4,
            "rank_after": 4,
        }
    ]
    assert d["removed"] == [removed] and d["added"] == []
    md = cli("diff", str(a), str(b), "--format", "markdown")
    assert target["id"] in md.out and md.out.startswith("### ")


def test_diff_rejects_non_reports(cli, tmp_path: Path) -> None:
    bad = write(tmp_path / "x.json", '{"hello": 1}')
    r = cli("diff", str(bad), str(bad))
    assert r.code == 2 and "compare --format json" in r.err
    broken = write(tmp_path / "y.json", "{not json")
    r = cli("diff", str(broken), str(broken))
    assert r.code == 2 and f"{broken}:1" in r.err


def test_a_retired_option_is_said_to_be_unable_to_run_not_over_a_budget(cli) -> None:
    """Checking an offering that is retired fails (exit 1) saying it cannot run and why; before,
    it said it cost '–/month', that 'runs' was [OVER] and that '1 budget(s) exceeded'."""
    args = ("check", str(ROOT / "examples" / "support-chatbot.yaml"), "--option", "llama-3.3-70b@together")
    run = cli(*args, "--today", "2026-12-06")
    assert run.code == 1
    assert run.out.splitlines()[:2] == [
        "FAIL: llama-3.3-70b@together cannot run",
        "  [FAIL] runs: lifecycle: Llama 3.3 70B Instruct at Together AI was retired on 2026-10-22",
    ]
    assert "check failed: the option cannot run" in run.err
    markdown = cli(*args, "--today", "2026-12-06", "--format", "markdown").out
    retired = "lifecycle: Llama 3.3 70B Instruct at Together AI was retired on 2026-10-22"
    assert f"| runs | **fail** | {retired} |" in markdown
    assert "**Check failed: the option cannot run.**" in markdown
    # A budget exceeded keeps its words.
    over = cli(*args[:2], "--option", "gpt-oss-120b@deepinfra", "--max-monthly-cost", "1", "--today", "2026-12-06")
    # gpt-oss-120b's 1,970 hidden tokens also miss the example's 2 s first token: a constraint.
    assert over.code == 1
    assert "check failed: 1 budget(s) exceeded; a constraint rules the option out" in over.err
    assert "  [OVER] max_monthly_cost: $654/month vs limit $1.00" in over.out
    assert "  [FAIL] feasible: latency: time to first token" in over.out
