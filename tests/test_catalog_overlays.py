"""Overlays end to end: discounts, private entries, disabled providers, errors, show-effective."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import COMPARE_ALL, TODAY, write

DISCOUNT = "api_providers:\n  - id: together\n    price_multiplier: 0.7\n"


def _costs(run) -> dict[str, dict]:
    assert run.code == 0, run.err
    return {o["id"]: o for o in run.json()["options"]}


def _compare(cli, *extra: str):
    return cli("compare", "--preset", "chatbot", "--all", "--format", "json", "--today", TODAY, *extra)


def test_discount_changes_exactly_one_provider(cli, shared_cli, tmp_path: Path) -> None:
    ov = tmp_path / "ov"
    write(ov / "providers.yaml", DISCOUNT)
    base = _costs(shared_cli(*COMPARE_ALL))  # the chatbot preset: the default workload
    disc = _costs(_compare(cli, "--catalog", str(ov)))
    assert base.keys() == disc.keys()
    together = [i for i, o in base.items() if o["provider"] == "together"]
    assert len(together) >= 3
    for oid, o in base.items():
        if o["provider"] == "together" and o["monthly_cost"] is None:  # retired by Together: no price at all
            assert disc[oid]["monthly_cost"] is None
        elif o["provider"] == "together":
            assert disc[oid]["monthly_cost"] == pytest.approx(o["monthly_cost"] * 0.7, rel=1e-9)
        else:
            assert disc[oid]["monthly_cost"] == o["monthly_cost"], oid


def test_show_effective_attributes_value_to_overlay(cli, tmp_path: Path) -> None:
    ov = write(tmp_path / "ov" / "providers.yaml", DISCOUNT)
    run = cli(
        "catalog", "show-effective", "--catalog", str(ov.parent), "--format", "json", "--only", "api_providers/together"
    )
    assert run.code == 0, run.err
    rows = {r["path"]: r for r in run.json()}
    pm = rows["api_providers[together].price_multiplier"]
    assert pm["value"] == 0.7
    assert Path(pm["file"]) == ov and pm["line"] == 3
    # Everything else about Together still comes from the embedded file.
    name = rows["api_providers[together].name"]
    assert Path(name["file"]).name == "providers.yaml" and Path(name["file"]) != ov
    assert all(r["path"].startswith("api_providers[together]") for r in rows.values())
    assert set(rows["api_providers[together].name"]) == {"path", "value", "file", "line"}


@pytest.mark.parametrize("fmt", ["table", "csv", "markdown"])
def test_show_effective_formats(cli, tmp_path: Path, fmt: str) -> None:
    ov = write(tmp_path / "ov" / "providers.yaml", DISCOUNT)
    run = cli("catalog", "show-effective", "--catalog", str(ov.parent), "--format", fmt, "--only", "provider/together")
    assert run.code == 0, run.err
    assert "price_multiplier" in run.out and "0.7" in run.out


def test_show_effective_unknown_only(cli) -> None:
    run = cli("catalog", "show-effective", "--only", "api_providers/nope")
    assert run.code == 2 and "--only" in run.err
    run = cli("catalog", "show-effective", "--only", "widgets/x")
    assert run.code == 2 and "unknown kind" in run.err


PRIVATE_MODELS = """\
models:
  - id: acme-llm
    name: ACME internal LLM
    vendor: acme
    open_weights: false
    licence: proprietary
    context_window: 32000
    source: internal wiki
    as_of: 2026-11-01
"""
PRIVATE_PROVIDERS = """\
api_providers:
  - id: acme-gateway
    name: ACME gateway
    privacy:
      trains_on_data: false
      retention_days: 0
      zero_retention: self-serve
      source: internal contract
      as_of: 2026-11-01
    offerings:
      - model: acme-llm
        prices: {input: 1.0, output: 2.0}
        source: internal price list
        as_of: 2026-11-01
  - id: groq
    disabled: true
gpu_clouds:
  - id: acme-cluster
    name: ACME internal H100 cluster
    offers:
      - gpu: h100-sxm
        hourly_price: 1.5
        gpu_counts: [1, 2, 4, 8]
        source: finance 2026 chargeback
        as_of: 2026-11-01
"""


def test_private_model_cluster_and_disabled_provider(cli, tmp_path: Path) -> None:
    ov = tmp_path / "ov"
    write(ov / "models.yaml", PRIVATE_MODELS)
    write(ov / "providers.yaml", PRIVATE_PROVIDERS)
    run = _compare(cli, "--catalog", str(ov))
    opts = _costs(run)
    assert "acme-llm@acme-gateway" in opts
    assert not any(o["provider"] == "groq" for o in opts.values())
    cluster = [o for o in opts.values() if o["provider"] == "acme-cluster"]
    assert cluster and all(o["deployment"] == "self-hosted" for o in cluster)
    # The private model's API cost is tokens x the internal price, computed independently.
    wl = run.json()["workload"]
    expected = wl["input_tokens_per_month"] / 1e6 * 1.0 + wl["output_tokens_per_month"] / 1e6 * 2.0
    if wl["cached_input_share"] == 0 and wl["batch_share"] == 0:
        assert opts["acme-llm@acme-gateway"]["monthly_cost"] == pytest.approx(expected, rel=1e-6)


def test_overlay_error_names_file_line_and_exits_2(cli, tmp_path: Path) -> None:
    bad = write(tmp_path / "bad" / "providers.yaml", "api_providers:\n  - id: together\n    price_multiplier: -1\n")
    for args in (
        ("catalog", "validate", "--catalog", str(bad.parent)),
        ("compare", "--catalog", str(bad.parent), "--today", TODAY),
    ):
        run = cli(*args)
        assert run.code == 2
        assert f"{bad}:3: api_providers[together].price_multiplier" in run.err
        assert "Traceback" not in run.err


def test_overlay_unknown_key_and_bad_cross_reference(cli, tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad" / "providers.yaml",
        "api_providers:\n  - id: together\n    offerings:\n      - model: no-such-model\n"
        "        prices: {input: 1, output: 1}\n        source: x\n        as_of: 2026-01-01\n",
    )
    run = cli("catalog", "validate", "--catalog", str(bad.parent))
    assert run.code == 2 and f"{bad}:4" in run.err and "no-such-model" in run.err


def test_env_var_user_dir_and_catalog_flag_layer_in_order(cli, tmp_path: Path, monkeypatch) -> None:
    cfg = tmp_path / "cfg"
    write(cfg / "catalog" / "providers.yaml", "api_providers:\n  - id: together\n    price_multiplier: 0.9\n")
    monkeypatch.setenv("OPENCLOSED_CONFIG_DIR", str(cfg))
    env1 = write(tmp_path / "e1" / "providers.yaml", "api_providers:\n  - id: together\n    price_multiplier: 0.8\n")
    env2 = write(tmp_path / "e2" / "providers.yaml", "api_providers:\n  - id: groq\n    price_multiplier: 0.5\n")

    def where(*args: str) -> dict[str, dict]:
        run = cli("catalog", "show-effective", "--format", "json", *args)
        assert run.code == 0, run.err
        return {r["path"]: r for r in run.json()}

    rows = where()
    assert rows["api_providers[together].price_multiplier"]["value"] == 0.9
    monkeypatch.setenv("OPENCLOSED_CATALOG", os.pathsep.join([str(env1.parent), str(env2.parent)]))
    rows = where()
    assert rows["api_providers[together].price_multiplier"]["value"] == 0.8
    assert Path(rows["api_providers[together].price_multiplier"]["file"]) == env1
    assert rows["api_providers[groq].price_multiplier"]["value"] == 0.5
    flag = write(tmp_path / "flag" / "providers.yaml", DISCOUNT)
    rows = where("--catalog", str(flag.parent))
    assert rows["api_providers[together].price_multiplier"]["value"] == 0.7
    assert Path(rows["api_providers[together].price_multiplier"]["file"]) == flag


def test_one_offering_price_override(cli, shared_cli, tmp_path: Path) -> None:
    ov = write(
        tmp_path / "ov" / "providers.yaml",
        "api_providers:\n  - id: fireworks\n    offerings:\n      - model: llama-3.3-70b\n"
        "        prices: {input: 0.44, output: 0.44}\n        source: our contract\n        as_of: 2026-11-01\n",
    )
    base = _costs(shared_cli(*COMPARE_ALL))  # the chatbot preset: the default workload
    new = _costs(_compare(cli, "--catalog", str(ov.parent)))
    oid = "llama-3.3-70b@fireworks"  # 0.90 / 0.90 in the embedded catalogue
    assert new[oid]["monthly_cost"] == pytest.approx(base[oid]["monthly_cost"] * 0.44 / 0.90, rel=1e-9)
    assert {k for k in base if base[k]["monthly_cost"] != new[k]["monthly_cost"]} == {oid}


def test_extends_none_replaces_lower_layers(tmp_path: Path) -> None:
    from openclosed.catalog import load_catalog
    from openclosed.catalog.loader import embedded_dir

    text = (embedded_dir() / "models.yaml").read_text("utf-8")
    write(tmp_path / "ov" / "models.yaml", "extends: none\n" + text)
    cat = load_catalog(tmp_path / "ov", use_env=False)
    assert cat.counts()["models"] == load_catalog(use_env=False).counts()["models"]


def test_docs_examples_validate(cli, tmp_path: Path) -> None:
    """Every YAML example in docs/catalogue.md is a valid overlay."""
    import re

    import yaml
    from conftest import ROOT

    from openclosed.catalog.refresh import deep_merge

    text = (ROOT / "docs" / "catalogue.md").read_text("utf-8")
    models: dict = {}
    providers: dict = {}
    for block in re.findall(r"```yaml\n(.*?)```", text, re.S):
        data = yaml.safe_load(block)
        if "models" in data:
            models = deep_merge(models, data)
        else:
            providers = deep_merge(providers, data)
    assert models and providers
    d = tmp_path / "docs-ov"
    write(d / "models.yaml", yaml.safe_dump(models, sort_keys=False))
    write(d / "providers.yaml", yaml.safe_dump(providers, sort_keys=False))
    run = cli("catalog", "validate", "--catalog", str(d))
    assert run.code == 0, run.err
