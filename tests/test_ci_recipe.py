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
