"""The GitHub Actions recipe (examples/ci/github-actions.yml) runs as docs/ci.md shows: the option it
pins is live and within the example's budget on the embedded catalogue. It once pinned Together's
serverless Llama 3.3 70B, retired on 2026-10-22, so every run of the recipe failed the build."""

from __future__ import annotations

import re

from conftest import ROOT, write

RECIPE = ROOT / "examples" / "ci" / "github-actions.yml"


def _pinned_option() -> str:
    found = re.findall(r"--option\s+(\S+)", RECIPE.read_text("utf-8"))
    assert len(found) == 1, found
    return found[0]


def test_the_recipes_option_passes_the_check_it_documents(cli, tmp_path) -> None:
    prices = write(
        tmp_path / "llm" / "prices" / "providers.yaml",
        "api_providers:\n  - id: together\n    price_multiplier: 0.8\n",
    )
    workload = write(tmp_path / "llm" / "workload.yaml", (ROOT / "examples" / "support-chatbot.yaml").read_text())
    option = _pinned_option()
    run = cli(
        "check", str(workload), "--option", option, "--catalog", str(prices.parent), "--today", "2026-12-06",
        "--format", "json",
    )  # fmt: skip
    assert run.code == 0, run.err
    data = run.json()
    assert data["passed"] is True and data["option"]["id"] == option
    assert data["option"]["feasible"] is True


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
