"""`openclosed catalog import genai-prices`: offline refresh into an overlay, never half-written."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import pytest
import yaml
from conftest import TODAY, write

pytest.importorskip("genai_prices")

DAY = dt.date.fromisoformat(TODAY)


def _gp_price(provider: str, ref: str, key: str) -> float:
    """Independent look-up of one standard price in genai-prices' bundled data."""
    from genai_prices.data import providers

    p = next(p for p in providers if p.id == provider)
    m = p.find_model(ref, all_providers=providers)
    mp = m.prices if not isinstance(m.prices, list) else m.get_prices(dt.datetime(2026, 11, 24, 12))
    v = vars(mp)[key]
    return float(getattr(v, "base", v))


@pytest.fixture
def nudged(monkeypatch):
    """The installed genai-prices data with gpt-4o's input at 2.40 instead of 2.50 (a 4 % cut).

    Every real difference between genai-prices 0.2.5 and the catalogue is held (beyond the threshold,
    or by an entry's `hold`), so without this nothing would be written and the write path not tested.
    """
    import copy

    from genai_prices.data import providers

    from openclosed.catalog import refresh

    data = copy.deepcopy(providers)
    p = next(p for p in data if p.id == "openai")
    m = p.find_model("gpt-4o", all_providers=data)
    m.prices.input_mtok = 2.4
    monkeypatch.setattr(refresh, "load_genai_prices", lambda: ("0.2.5+test", data))
    return data


def test_dry_run_lists_real_changes_and_writes_nothing(cli, tmp_path: Path) -> None:
    into = tmp_path / "ov"
    run = cli(
        "catalog", "import", "genai-prices", "--into", str(into), "--dry-run", "--format", "json", "--today", TODAY
    )
    assert run.code == 0, run.err
    data = run.json()
    assert data["dry_run"] is True and data["written"] is False
    assert not into.exists()
    assert data["source"].startswith("genai-prices ") and "(pydantic/genai-prices)" in data["source"]
    assert data["changes"], "expected the installed genai-prices to differ from our catalogue somewhere"
    assert data["unmatched"] and data["confirmed"]
    # Every change's new value is what genai-prices itself says (checked on plain fields).
    for c in data["changes"]:
        if c["field"] in ("prices.input", "prices.output"):
            gp_provider, gp_model = c["genai_prices_model"].split("/", 1)
            key = {"prices.input": "input_mtok", "prices.output": "output_mtok"}[c["field"]]
            assert c["new"] == pytest.approx(_gp_price(gp_provider, gp_model, key))
    # DeepInfra is not in genai-prices: reported, not silently skipped.
    assert any(u["provider"] == "deepinfra" for u in data["unmatched"])
    # Disagreements are the changes beyond the threshold, and they are held back.
    for c in data["changes"]:
        if c["change_pct"] is not None:
            assert c["disagrees"] == (abs(c["change_pct"]) > 25)
        if c["disagrees"]:
            assert c["status"] == "held back" or c["status"].startswith("hold: ")
    # An entry whose note documents a deliberate difference carries `hold`: listed with its reason.
    held = [c for c in data["changes"] if c["provider"] == "together" and c["model"] == "llama-3.3-70b"]
    assert held and all(c["status"].startswith("hold: ") for c in held)


def test_threshold_is_configurable(cli, tmp_path: Path) -> None:
    args = (
        "catalog",
        "import",
        "genai-prices",
        "--into",
        str(tmp_path / "ov"),
        "--dry-run",
        "-f",
        "json",
        "--today",
        TODAY,
    )
    strict = cli(*args, "--threshold", "1").json()
    loose = cli(*args, "--threshold", "1000").json()
    assert len(strict["disagreements"]) > len(loose["disagreements"])
    assert all(abs(c["change_pct"]) <= 1000 for c in loose["changes"] if c["change_pct"] is not None)


def test_import_writes_overlay_that_loads(cli, tmp_path: Path, nudged) -> None:
    from openclosed.catalog import load_catalog

    old = {p.id: o.as_of for p, o in load_catalog(use_env=False).offerings_of("gpt-4o")}
    into = tmp_path / "ov"
    # An existing overlay there is merged, not replaced.
    write(into / "providers.yaml", "api_providers:\n  - id: together\n    price_multiplier: 0.7\n")
    run = cli("catalog", "import", "genai-prices", "--into", str(into), "--format", "json", "--today", TODAY)
    assert run.code == 0, run.err
    data = run.json()
    assert data["written"] is True
    written = yaml.safe_load((into / "providers.yaml").read_text("utf-8"))
    provs = {p["id"]: p for p in written["api_providers"]}
    assert provs["together"]["price_multiplier"] == 0.7
    applied = [c for c in data["changes"] if c["status"] == "applied"]
    assert applied
    for c in applied:
        offs = {o["model"]: o for o in provs[c["provider"]]["offerings"]}
        entry = offs[c["model"]]
        assert entry["source"] == data["source"]
        # genai-prices gives no check date: the entry keeps its date rather than taking the run date.
        assert entry["as_of"] == old[c["provider"]] and "no check date" in entry["note"]
        section, fld = c["field"].split(".")
        assert entry[section][fld] == c["new"]
    # Held-back offerings are not written.
    for c in data["changes"]:
        if c["status"] == "held back":
            offs = {o["model"] for o in provs.get(c["provider"], {}).get("offerings", [])}
            assert c["model"] not in offs
    # The result is a valid overlay: a second run finds nothing left to apply.
    val = cli("catalog", "validate", "--catalog", str(into))
    assert val.code == 0, val.err
    again = cli("catalog", "import", "genai-prices", "--into", str(into), "--dry-run", "-f", "json", "--today", TODAY)
    assert [c for c in again.json()["changes"] if c["status"] == "applied"] == []
    assert not [p for p in into.iterdir() if p.name.endswith(".tmp")]


def test_refuses_to_write_into_the_package(cli) -> None:
    from openclosed.catalog import embedded_dir

    run = cli("catalog", "import", "genai-prices", "--into", str(embedded_dir()), "--today", TODAY)
    assert run.code == 2 and "refusing" in run.err
    run = cli("catalog", "import", "genai-prices", "--into", str(embedded_dir() / "sub"), "--dry-run")
    assert run.code == 2 and "refusing" in run.err


def test_default_target_is_user_config_dir(cli, tmp_path: Path, monkeypatch, nudged) -> None:
    monkeypatch.setenv("OPENCLOSED_CONFIG_DIR", str(tmp_path / "cfg"))
    run = cli("catalog", "import", "genai-prices", "-f", "json", "--today", TODAY)
    assert run.code == 0, run.err
    assert Path(run.json()["target"]) == tmp_path / "cfg" / "catalog" / "providers.yaml"
    assert (tmp_path / "cfg" / "catalog" / "providers.yaml").exists()


def test_without_the_extra_exits_2_with_install_command(cli, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "genai_prices", None)
    monkeypatch.setitem(sys.modules, "genai_prices.data", None)
    run = cli("catalog", "import", "genai-prices", "--into", str(tmp_path / "ov"), "--dry-run")
    assert run.code == 2
    assert "pip install 'openclosed[prices]'" in run.err
    assert not (tmp_path / "ov").exists()


def test_unknown_source(cli) -> None:
    run = cli("catalog", "import", "openrouter", "--dry-run")
    assert run.code == 2 and "genai-prices or litellm" in run.err


@pytest.mark.parametrize("where", ["replace", "dump"])
def test_failed_write_leaves_target_untouched(cli, tmp_path: Path, monkeypatch, where: str, nudged) -> None:
    into = tmp_path / "ov"
    old = write(into / "providers.yaml", "# mine\napi_providers:\n  - id: together\n    price_multiplier: 0.7\n")
    before = old.read_bytes()

    def boom(*a, **k):
        raise OSError("disk full")

    if where == "replace":
        monkeypatch.setattr(os, "replace", boom)
    else:
        monkeypatch.setattr(yaml, "dump", boom)
    run = cli("catalog", "import", "genai-prices", "--into", str(into), "--today", TODAY)
    assert run.code in (2, 3) and "Traceback" not in run.err
    assert old.read_bytes() == before
    assert sorted(p.name for p in into.iterdir()) == ["providers.yaml"]


def test_plan_holds_back_a_price_the_catalogue_contradicts() -> None:
    """Pure core: genai-prices 0.2.3 still prices `deepseek-chat` at the legacy V3 rate (1.10
    output); the catalogue maps it to DeepSeek-V3.2's 0.42 from DeepSeek's own price page and says
    so with `hold`, so the import reports the disagreement with that reason and does not write it."""
    from openclosed.catalog import load_catalog
    from openclosed.catalog.refresh import plan_import

    plan = plan_import(load_catalog(use_env=False), DAY)
    held = [
        d
        for d in plan.disagreements
        if d["provider"] == "deepseek" and d["model"] == "deepseek-v3.2" and d["field"] == "prices.output"
    ]
    assert [(d["old"], d["new"]) for d in held] == [(0.42, 1.1)]
    assert held[0]["status"].startswith("hold: genai-prices still carries the legacy V3 list")
    assert not any(e for e in plan.entries if "deepseek-chat" in str(e))


def test_text_summary_counts_offerings_by_what_happens_to_them(cli, tmp_path: Path, nudged) -> None:
    args = ("catalog", "import", "genai-prices", "--into", str(tmp_path / "ov"), "--dry-run", "--today", TODAY)
    data = cli(*args, "--format", "json").json()
    changes = data["changes"]

    def offerings(status: str) -> int:
        return len({(c["provider"], c["model"]) for c in changes if c["status"].startswith(status)})

    # gpt-4o (nudged) is applied where genai-prices' OpenAI price is matched; the real differences
    # are all kept by a `hold`.
    applied = {(c["provider"], c["model"]) for c in changes if c["status"] == "applied"}
    assert {m for _, m in applied} == {"gpt-4o"} and ("openai", "gpt-4o") in applied
    # Seven offerings carry a `hold` whose difference genai-prices 0.2.5 shows.
    assert offerings("hold: ") == 7
    held = offerings("held back")
    text = cli(*args).out
    n_all = len({(c["provider"], c["model"]) for c in changes})
    assert (
        f"{len(changes)} price difference(s) in {n_all} offering(s) "
        f"({len(applied)} applied, {held} held back, 7 kept on purpose)" in " ".join(text.split())
    )
    # The table's status cell says "hold"; the reason is the note under the table, whole.
    row = next(line for line in text.splitlines() if line.startswith("together/llama-3.3-70b"))
    assert row.split()[-1] == "hold"
    assert "kept: together/llama-3.3-70b differs on purpose (hold: Together's own model list gives 1.04;" in " ".join(
        text.split()
    )


def test_release_date_dates_confirmed_prices_but_not_retired_offerings() -> None:
    """genai-prices 0.2.x carries no per-model check date, so only `--released` can date what it
    confirms: gpt-4o (live until 2027-01-14, catalogue date 2026-11-20) is re-dated to a later
    release; Claude Opus 4.1 (shut down 2026-08-05) is confirmed but keeps its date."""
    from openclosed.catalog import load_catalog
    from openclosed.catalog.refresh import plan_import

    cat = load_catalog(use_env=False)
    assert plan_import(cat, DAY).entries.get("openai") is None  # undated package: nothing re-dated
    plan = plan_import(cat, DAY, released=dt.date(2026, 11, 21))
    assert plan.source.endswith("(pydantic/genai-prices, published 2026-11-21)")
    gpt4o = next(e for e in plan.entries["openai"] if e["model"] == "gpt-4o")
    assert gpt4o["as_of"] == dt.date(2026, 11, 21)
    assert "as of 2026-11-21: its release date; the package dates no price" in gpt4o["note"]
    assert "anthropic/claude-opus-4.1" in plan.confirmed
    assert not any(e["model"] == "claude-opus-4.1" for e in plan.entries.get("anthropic", []))
