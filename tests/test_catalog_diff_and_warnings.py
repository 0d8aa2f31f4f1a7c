"""`openclosed catalog diff`, and staleness / lifecycle warnings on every command that uses them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import COMPARE_ALL, TODAY, write, yaml_dump, yaml_load

DIFF_OVERLAY_PROVIDERS = """\
api_providers:
  - id: together
    price_multiplier: 0.7
    offerings:
      - model: llama-3.3-70b
        prices: {input: 0.66, output: 0.88}
        source: test
        as_of: 2026-11-01
  - id: groq
    disabled: true
gpu_clouds:
  - id: aws
    offers:
      - gpu: h100-sxm
        hourly_price: 5.0
        source: test
        as_of: 2026-11-01
"""
DIFF_OVERLAY_MODELS = """\
models:
  - id: llama-3.3-70b
    shutdown_date: 2027-06-30
  - id: gpt-4o
    licence: mit
"""


def _rows(run) -> dict[tuple[str, str, str], dict]:
    assert run.code == 0, run.err
    return {(r["kind"], r["item"], r["field"]): r for r in run.json()["changes"]}


def test_diff_embedded_vs_overlay(cli, tmp_path: Path, catalog) -> None:
    ov = tmp_path / "new"
    write(ov / "providers.yaml", DIFF_OVERLAY_PROVIDERS)
    write(ov / "models.yaml", DIFF_OVERLAY_MODELS)
    rows = _rows(cli("catalog", "diff", "embedded", str(ov), "--format", "json"))
    old_in = catalog.api_provider("together")
    old_off = next(o for o in old_in.offerings if o.model == "llama-3.3-70b")
    r = rows[("price", "together/llama-3.3-70b", "prices.input")]
    assert (r["old"], r["new"]) == (old_off.prices.input, 0.66)
    assert r["change_pct"] == pytest.approx((0.66 - old_off.prices.input) / old_off.prices.input * 100, abs=0.01)
    assert rows[("price", "together", "price_multiplier")]["new"] == 0.7
    assert rows[("provider", "groq", "provider")]["change"] == "removed"
    aws = next(o for o in catalog.gpu_cloud("aws").offers if o.gpu == "h100-sxm")
    g = rows[("gpu-price", "aws/h100-sxm", "hourly_price")]
    assert (g["old"], g["new"]) == (aws.hourly_price, 5.0)
    lc = rows[("lifecycle", "llama-3.3-70b", "shutdown_date")]
    assert lc["change"] == "added" and lc["new"] == "2027-06-30"
    lic = rows[("licence", "gpt-4o", "licence")]
    assert (lic["old"], lic["new"]) == (catalog.model("gpt-4o").licence, "mit")
    # Nothing else moved.
    assert ("price", "openai/gpt-4o", "prices.input") not in rows


def test_diff_identical_and_formats(cli) -> None:
    run = cli("catalog", "diff", "embedded", "embedded", "--format", "json")
    assert run.code == 0 and run.json()["changes"] == []
    for fmt in ("table", "csv", "markdown"):
        assert cli("catalog", "diff", "embedded", "embedded", "--format", fmt).code == 0


def test_diff_full_copy_detects_added_and_retired_models(cli, tmp_path: Path) -> None:
    from openclosed.catalog import embedded_dir

    old = tmp_path / "old"
    old.mkdir()
    shutil.copy(embedded_dir() / "providers.yaml", old / "providers.yaml")
    text = (embedded_dir() / "models.yaml").read_text("utf-8")
    # An older full catalogue without the qwen2.5-72b model (and so without its offerings).
    data = yaml_load(text)
    data["models"] = [m for m in data["models"] if m["id"] != "qwen2.5-72b"]
    (old / "models.yaml").write_text(yaml_dump(data), encoding="utf-8")
    pdata = yaml_load((old / "providers.yaml").read_text("utf-8"))
    for p in pdata["api_providers"]:
        p["offerings"] = [o for o in p["offerings"] if o["model"] != "qwen2.5-72b"]
    (old / "providers.yaml").write_text(yaml_dump(pdata), encoding="utf-8")
    rows = _rows(cli("catalog", "diff", str(old), "embedded", "-f", "json"))
    assert rows[("model", "qwen2.5-72b", "model")]["change"] == "added"
    assert rows[("offering", "deepinfra/qwen2.5-72b", "offering")]["change"] == "added"
    back = _rows(cli("catalog", "diff", "embedded", str(old), "-f", "json"))
    assert back[("model", "qwen2.5-72b", "model")]["change"] == "removed"


def test_diff_missing_dir(cli, tmp_path: Path) -> None:
    run = cli("catalog", "diff", "embedded", str(tmp_path / "nope"))
    assert run.code == 2 and "not found" in run.err


# ---------------------------------------------------------------- staleness and lifecycle
def test_compare_json_carries_warnings_and_stale_days(cli, shared_cli) -> None:
    run = shared_cli(*COMPARE_ALL)  # the chatbot preset: the default workload
    data = run.json()
    assert data["generated_for"] == TODAY
    assert any("refresh the catalogue" in w for w in data["warnings"])
    assert any("days old" in w for o in data["options"] for w in o["warnings"])
    assert any(w.startswith("lifecycle:") for o in data["options"] for w in o["warnings"])
    lax = cli("compare", "--preset", "chatbot", "--all", "-f", "json", "--today", TODAY, "--stale-days", "100000")
    assert not any("days old" in w for o in lax.json()["options"] for w in o["warnings"])
    assert "days old" not in lax.err


def test_today_from_env(cli, monkeypatch) -> None:
    monkeypatch.setenv("OPENCLOSED_TODAY", "2026-01-02")
    run = cli("compare", "--preset", "chatbot", "-f", "json")
    assert run.json()["generated_for"] == "2026-01-02"
    run = cli("compare", "--preset", "chatbot", "-f", "json", "--today", TODAY)
    assert run.json()["generated_for"] == TODAY


def test_stale_age_is_today_minus_as_of(cli, catalog) -> None:
    import datetime as dt

    off = next(o for o in catalog.api_provider("together").offerings if o.model == "llama-3.1-8b")
    age = (dt.date.fromisoformat(TODAY) - off.as_of).days
    run = cli("explain", "llama-3.1-8b@together", "--preset", "chatbot", "-f", "json", "--today", TODAY)
    assert run.code == 0, run.err
    assert f"is {age} days old" in run.err


def test_check_and_breakeven_warn_on_stderr(cli) -> None:
    # gpt-4o's price is dated 2026-11-20 (4 days before TODAY): stale only under a 3-day limit.
    args = ["check", "--preset", "chatbot", "--option", "gpt-4o@openai", "--max-monthly-cost", "1e9", "--today", TODAY]
    run = cli(*args)
    assert run.code == 0, run.err
    assert "gpt-4o@openai" in run.err and "shuts down" in run.err and "days old" not in run.err
    run = cli(*args, "--stale-days", "3")
    assert run.code == 0, run.err
    assert "gpt-4o@openai" in run.err and "shuts down" in run.err and "is 4 days old (as of 2026-11-20)" in run.err
    run = cli(
        "breakeven",
        "gpt-4o@openai",
        "llama-3.1-8b@groq",
        "--preset",
        "chatbot",
        "-f",
        "json",
        "--today",
        TODAY,
        "--stale-days",
        "3",  # llama-3.1-8b@groq's price is dated 2026-11-19, 5 days before TODAY
    )
    assert run.code == 0, run.err
    assert "shuts down" in run.err and "llama-3.1-8b@groq: price of llama-3.1-8b at groq is 5 days old" in run.err
    assert "warning" not in run.out


def test_size_warns_about_shutdown(cli, tmp_path: Path) -> None:
    ov = write(tmp_path / "ov" / "models.yaml", "models:\n  - id: llama-3.3-70b\n    shutdown_date: 2027-01-01\n")
    run = cli("size", "llama-3.3-70b", "--gpu", "h100", "--catalog", str(ov.parent), "--today", TODAY, "-f", "json")
    assert run.code == 0, run.err
    assert "shuts down on 2027-01-01 (in 38 days)" in run.err
    run = cli("size", "llama-3.3-70b", "--gpu", "h100", "--catalog", str(ov.parent), "--today", "2027-02-01")
    assert "was shut down" in run.err
