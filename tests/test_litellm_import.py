"""`openclosed catalog import litellm`: litellm's bundled price JSON, read as a file (never imported).

A small price file written here stands in for the package, so these tests need no litellm install.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from conftest import TODAY

from openclosed.catalog import litellm_import

DAY = dt.date.fromisoformat(TODAY)

# Per-token prices as litellm stores them. gpt-4o: ours 2.5/10/1.25 -> confirmed. Together Llama 3.3:
# ours 1.04 -> 0.9 is a 13.5 % cut, under the threshold, but the entry carries `hold` (its note
# documents the difference): listed, never written. DeepInfra Llama 4 Scout: 0.10 -> 0.09 is applied,
# with a future retirement date that is proposed with it. Groq gpt-oss-120b:
# 0.15/0.60 -> 0.30/0.60 is +100 % (held back). claude-sonnet-4.5 carries a >200K tier that its
# 200K window cannot reach (ignored). Bedrock's key of the first-party id must not match.
FAKE = {
    "sample_spec": {"input_cost_per_token": 0},
    "gpt-4o": {
        "litellm_provider": "openai",
        "input_cost_per_token": 2.5e-06,
        "output_cost_per_token": 1e-05,
        "cache_read_input_token_cost": 1.25e-06,
    },
    "together_ai/meta-llama/Llama-3.3-70B-Instruct-Turbo": {
        "litellm_provider": "together_ai",
        "input_cost_per_token": 9e-07,
        "output_cost_per_token": 9e-07,
        "source": "https://api.together.ai/v1/models",
    },
    "deepinfra/meta-llama/Llama-4-Scout-17B-16E-Instruct": {
        "litellm_provider": "deepinfra",
        "input_cost_per_token": 9e-08,
        "output_cost_per_token": 3e-07,
        "source": "https://deepinfra.com/pricing",
        "deprecation_date": "2027-06-30",
    },
    "groq/openai/gpt-oss-120b": {
        "litellm_provider": "groq",
        "input_cost_per_token": 3e-07,
        "output_cost_per_token": 6e-07,
    },
    "claude-sonnet-4-5-20250929": {
        "litellm_provider": "anthropic",
        "input_cost_per_token": 3e-06,
        "output_cost_per_token": 1.5e-05,
        "cache_read_input_token_cost": 3e-07,
        "cache_creation_input_token_cost": 3.75e-06,
        "input_cost_per_token_above_200k_tokens": 6e-06,
        "output_cost_per_token_above_200k_tokens": 2.25e-05,
    },
    "claude-sonnet-5": {
        "litellm_provider": "anthropic",
        "input_cost_per_token": 9e-06,
        "output_cost_per_token": 9e-05,
    },
}


def _plan(threshold: float = 25.0):
    from openclosed.catalog import load_catalog

    return litellm_import.plan_import(load_catalog(use_env=False), DAY, threshold, data=("9.9.9", FAKE))


def test_prices_are_converted_to_per_million_and_compared() -> None:
    plan = _plan()
    assert "openai/gpt-4o" in plan.confirmed
    rows = {(c["provider"], c["model"], c["field"]): c for c in plan.changes}
    together = rows[("together", "llama-3.3-70b", "prices.input")]
    assert together["old"] == 1.04 and together["new"] == pytest.approx(0.9)
    assert together["change_pct"] == pytest.approx(-13.46, abs=0.01)  # (0.9 - 1.04) / 1.04
    assert together["status"].startswith("hold: ") and together["litellm_key"].startswith("together_ai/")
    scout = rows[("deepinfra", "llama-4-scout", "prices.input")]
    assert scout["status"] == "applied" and scout["new"] == pytest.approx(0.09)
    groq = rows[("groq", "gpt-oss-120b", "prices.input")]
    assert groq["change_pct"] == pytest.approx(100.0) and groq["status"] == "held back"
    # The unreachable >200K tier of a 200K-window model is not a difference.
    assert not any(k[1] == "claude-sonnet-4.5" for k in rows)
    # Bedrock's Claude Sonnet 5 is not priced from the first-party key of the same name.
    assert not any(k[:2] == ("aws-bedrock", "claude-sonnet-5") for k in rows)
    assert any(u["provider"] == "aws-bedrock" and u["model"] == "claude-sonnet-5" for u in plan.unmatched)


def test_applied_entries_keep_unchanged_fields_and_say_where_from() -> None:
    plan = _plan()
    entry = next(e for e in plan.entries["deepinfra"] if e["model"] == "llama-4-scout")
    assert entry["prices"] == {"input": pytest.approx(0.09), "output": pytest.approx(0.3)}
    assert entry["source"] == "litellm 9.9.9 (BerriAI/litellm): https://deepinfra.com/pricing"
    # litellm dates nothing: the entry keeps its own as_of (data/providers.yaml: 2026-11-20, the
    # release date of the litellm package that last confirmed it) rather than the run date.
    assert entry["as_of"] == dt.date(2026, 11, 20) and "no date" in entry["note"]
    assert "prices.input 0.1 -> 0.09" in entry["note"]
    # The peer's retirement date is proposed with its source.
    assert entry["shutdown_date"] == dt.date(2027, 6, 30) and "the peer's date" in entry["lifecycle_source"]
    assert any(r["model"] == "llama-4-scout" and r["field"] == "shutdown_date" for r in plan.lifecycle)
    assert "groq" not in plan.entries  # held back
    # An entry under `hold` is never written, though its difference is listed.
    assert "together" not in plan.entries
    # A confirmation re-dates nothing: litellm gives no date, and the run date would prove nothing.
    assert "openai" not in plan.entries and "openai/gpt-4o" in plan.confirmed


def test_cli_dry_run_and_write(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(litellm_import, "load_litellm", lambda: ("9.9.9", FAKE))
    into = tmp_path / "ov"
    dry = cli("catalog", "import", "litellm", "--into", str(into), "--dry-run", "-f", "json", "--today", TODAY)
    assert dry.code == 0, dry.err
    data = dry.json()
    assert data["dry_run"] is True and not into.exists()
    assert data["source"] == "litellm 9.9.9 (BerriAI/litellm)"
    assert "groq/gpt-oss-120b prices.input: ours 0.15, litellm 0.3" in dry.err
    run = cli("catalog", "import", "litellm", "--into", str(into), "--today", TODAY)
    assert run.code == 0, run.err
    overlay = yaml.safe_load((into / "providers.yaml").read_text())
    deepinfra = next(p for p in overlay["api_providers"] if p["id"] == "deepinfra")
    assert deepinfra["offerings"][0]["prices"]["input"] == pytest.approx(0.09)
    assert not any(p["id"] == "together" for p in overlay["api_providers"])  # held
    after = cli("compare", "--preset", "chatbot", "--catalog", str(into), "-f", "json", "--today", TODAY)
    assert after.code == 0, after.err


def test_release_date_dates_what_the_package_confirms_and_changes() -> None:
    from openclosed.catalog import load_catalog

    released = dt.date(2026, 11, 20)
    plan = litellm_import.plan_import(
        load_catalog(use_env=False), DAY, data=("9.9.9", FAKE), released=released
    )  # fmt: skip
    assert plan.source == "litellm 9.9.9 (BerriAI/litellm, published 2026-11-20)"
    assert plan.to_json()["released"] == "2026-11-20"
    # gpt-4o's prices are unchanged: re-dated to the release (its catalogue date, 2026-11-20, is not
    # older, so a release of 2026-11-21 is used to see the re-dating).
    later = litellm_import.plan_import(
        load_catalog(use_env=False), DAY, data=("9.9.9", FAKE), released=dt.date(2026, 11, 21)
    )  # fmt: skip
    gpt4o = next(e for e in later.entries["openai"] if e["model"] == "gpt-4o")
    assert gpt4o["as_of"] == dt.date(2026, 11, 21) and "its release date" in gpt4o["note"]
    assert "prices" not in gpt4o  # a confirmation writes the date, not the prices
    # A changed price is dated by the release too, and says so.
    scout = next(e for e in plan.entries["deepinfra"] if e["model"] == "llama-4-scout")
    assert scout["as_of"] == released and "given with --released" in scout["note"]
    # Held entries are never written, dated or not.
    assert "together" not in plan.entries


def test_release_date_is_not_used_for_an_offering_retired_before_it() -> None:
    from types import SimpleNamespace as NS

    from openclosed.catalog.refresh import Plan, release_date

    plan = Plan(version="1", source="x", as_of=DAY, threshold_pct=25.0, released=dt.date(2026, 11, 20))
    live = NS(shutdown_date=None)
    assert release_date(plan, live, NS(shutdown_date=None)) == dt.date(2026, 11, 20)
    assert release_date(plan, live, NS(shutdown_date=dt.date(2027, 1, 14))) == dt.date(2026, 11, 20)
    # Shut down before (or on) the release: the package still listing it says nothing about today.
    assert release_date(plan, NS(shutdown_date=dt.date(2026, 3, 6)), None) is None
    assert release_date(plan, live, NS(shutdown_date=dt.date(2026, 11, 20))) is None
    assert release_date(Plan(version="1", source="x", as_of=DAY, threshold_pct=25.0), live, None) is None


def test_released_must_be_a_date_not_after_the_run(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(litellm_import, "load_litellm", lambda: ("9.9.9", FAKE))
    into = str(tmp_path / "ov")
    bad = cli("catalog", "import", "litellm", "--into", into, "--dry-run", "--released", "2026-13-01", "--today", TODAY)
    assert bad.code == 2 and bad.err.strip() == "error: --released: expected a date YYYY-MM-DD, got '2026-13-01'"
    late = cli(
        "catalog", "import", "litellm", "--into", into, "--dry-run", "--released", "2026-11-25", "--today", TODAY
    )
    assert late.code == 2 and "2026-11-25 is after the run date 2026-11-24" in late.err


def test_missing_package_is_exit_2_with_install_hint(cli, tmp_path: Path, monkeypatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "litellm" else real(name, *a))
    run = cli("catalog", "import", "litellm", "--into", str(tmp_path / "ov"), "--dry-run")
    assert run.code == 2
    assert "pip install 'openclosed[litellm]'" in run.err


def test_reads_the_file_without_importing_litellm(tmp_path: Path, monkeypatch) -> None:
    import importlib.util
    import sys
    from types import SimpleNamespace

    pkg = tmp_path / "litellm"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("raise RuntimeError('must not be imported')\n")
    (pkg / litellm_import.DATA_FILE).write_text(json.dumps(FAKE))
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: SimpleNamespace(submodule_search_locations=[str(pkg)])
    )
    _version, data = litellm_import.load_litellm()
    assert data["gpt-4o"]["input_cost_per_token"] == 2.5e-06
    assert "litellm" not in sys.modules or not str(getattr(sys.modules["litellm"], "__file__", "")).startswith(str(pkg))
