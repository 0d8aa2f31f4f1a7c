"""The embedded catalogue: coverage, pinned facts, provenance, look-ups, validation errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import ROOT, write, yaml_load

OPEN = [
    "llama-3.1-8b",
    "llama-3.1-70b",
    "llama-3.3-70b",
    "llama-3.1-405b",
    "mistral-7b",
    "mixtral-8x7b",
    "mistral-small-24b",
    "qwen2.5-7b",
    "qwen2.5-14b",
    "qwen2.5-72b",
    "qwen3-32b",
    "qwen3-235b-a22b",
    "deepseek-v3",
    "deepseek-r1",
    "gemma-3-27b",
    "gpt-oss-20b",
    "gpt-oss-120b",
    "phi-4",
]
CLOSED = [
    "gpt-4o",
    "gpt-4o-mini",
    "gpt-4.1",
    "gpt-5",
    "claude-sonnet-4.5",
    "claude-haiku-4.5",
    "gemini-2.5-pro",
    "gemini-2.5-flash",
]
GPUS = ["h100-sxm", "h100-pcie", "h200", "a100-80gb", "a100-40gb", "l40s", "l4", "a10g", "b200", "mi300x"]
API = ["openai", "anthropic", "google", "azure-openai", "aws-bedrock", "together", "fireworks", "deepinfra", "groq"]
CLOUDS = ["aws", "gcp", "azure", "lambda", "runpod", "coreweave"]
LICENCES = [
    "llama-3.1-community",
    "llama-3.3-community",
    "llama-3.2-community",
    "apache-2.0",
    "mit",
    "qwen",
    "gemma",
    "deepseek-model",
    "mistral-research",
]


def test_coverage(catalog) -> None:
    models = {m.id: m for m in catalog.all_models()}
    for mid in OPEN:
        assert models[mid].open_weights and models[mid].architecture is not None, mid
    for mid in CLOSED:
        assert not models[mid].open_weights, mid
    assert sum(not m.open_weights for m in models.values()) >= 15
    assert {g.id for g in catalog.all_gpus()} >= set(GPUS)
    assert {p.id for p in catalog.providers_file.api_providers} >= set(API)
    assert {c.id for c in catalog.providers_file.gpu_clouds} >= set(CLOUDS)
    assert catalog.on_prem is not None
    assert set(catalog.licences.items) >= set(LICENCES)
    for mid in ("gpt-4o", "gpt-5", "gemini-2.5-pro"):
        assert models[mid].shutdown_date is not None, mid
    # Every closed lineup's vendor is present with a current (not shut down) model.
    today = dt.date(2026, 11, 24)
    for vendor in ("openai", "anthropic", "google"):
        live = [
            m
            for m in models.values()
            if m.vendor.lower() == vendor
            and not m.open_weights
            and (m.shutdown_date is None or m.shutdown_date > today)
        ]
        assert live, vendor


def test_pinned_facts(catalog) -> None:
    a = catalog.model("llama-3.1-8b").architecture
    (group,) = a.layer_groups
    assert (a.total_params_b, a.layers, a.hidden_size, a.attention_heads, group.mixer.kv_heads) == (
        8.03,
        32,
        4096,
        32,
        8,
    )
    assert (group.count, group.mixer.head_dim, group.mlp.kind, group.mlp.width) == (32, 128, "dense", 14336)
    ds = catalog.model("deepseek-v3").architecture
    dense, moe = ds.layer_groups
    assert (dense.count, dense.mlp.kind, moe.count, moe.mlp.kind) == (3, "dense", 58, "moe")
    assert moe.mixer.kind == "mla" and moe.mixer.kv_lora_rank == 512 and moe.mixer.qk_rope_head_dim == 64
    assert moe.mlp.experts == 256 and moe.mlp.active_experts == 8 and ds.total_params_b == 671
    oss = catalog.model("gpt-oss-120b").architecture
    assert [(g.count, g.mixer.window, g.mlp.experts, g.mlp.active_experts) for g in oss.layer_groups] == [
        (18, None, 128, 4),
        (18, 128, 128, 4),
    ]
    gpt4o = next(o for o in catalog.api_provider("openai").offerings if o.model == "gpt-4o")
    assert (gpt4o.prices.input, gpt4o.prices.output, gpt4o.prices.cached_input) == (2.5, 10.0, 1.25)
    h100 = catalog.gpu("h100-sxm")
    assert (h100.memory_gb, h100.bandwidth_tb_s, h100.bf16_tflops, h100.fp8_tflops) == (80, 3.35, 989, 1979)
    llama = catalog.licence("llama-3.3-community")
    assert llama.mau_limit == 700_000_000 and llama.commercial_use
    assert catalog.licence("qwen").mau_limit == 100_000_000
    assert not catalog.licence("mistral-research").commercial_use
    assert catalog.licence("llama-3.2-community").eu_multimodal_exclusion


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


SOURCED_KEYS = {
    "prices",
    "hourly_price",
    "memory_gb",
    "trains_on_data",
    "purchase_price",
    "total_params_b",
    "index",
    "mau_limit",
    "commercial_use",
    "context_window",
    "electricity_usd_per_kwh",
}


@pytest.mark.parametrize("name", ["models.yaml", "providers.yaml"])
def test_every_fact_has_source_and_as_of(name: str) -> None:
    data = yaml_load((ROOT / "data" / name).read_text())
    checked = 0
    for path, node in _walk(data):
        if SOURCED_KEYS & set(node):
            checked += 1
            assert str(node.get("source", "")).strip(), f"{name}{path} has no source"
            assert isinstance(node.get("as_of"), dt.date), f"{name}{path} has no as_of date"
    assert checked > 50


def test_lookups_are_case_insensitive_with_aliases(catalog) -> None:
    assert catalog.model("meta-llama/Llama-3.3-70B-Instruct").id == "llama-3.3-70b"
    assert catalog.model("LLAMA-3.3-70B").id == "llama-3.3-70b"
    assert catalog.gpu("H100").id == "h100-sxm"
    from openclosed.errors import UnknownIdError

    with pytest.raises(UnknownIdError) as exc:
        catalog.model("llama-3.3-7b")
    assert "llama-3.3-70b" in exc.value.suggestions


def test_cli_lists_every_model_and_gpu(cli) -> None:
    r = cli("models", "list", "--format", "json")
    assert r.code == 0, r.err
    items = r.json()
    ids = {m["id"] for m in items}
    assert set(OPEN + CLOSED) <= ids
    for m in items:
        assert {
            "id",
            "name",
            "open_weights",
            "licence",
            "context_window",
            "parameters_b",
            "active_parameters_b",
        } <= set(m)
    gpus = cli("gpus", "list", "--format", "json").json()
    assert {g["id"] for g in gpus} >= set(GPUS)
    assert all({"memory_gb", "bandwidth_tb_s", "bf16_tflops"} <= set(g) for g in gpus)
    providers = cli("providers", "list", "--format", "json").json()
    kinds = {p["id"]: p["kind"] for p in providers}
    assert kinds["openai"] == "api" and kinds["aws"] == "gpu-cloud"


def test_cli_filters_and_show(cli) -> None:
    opened = cli("models", "list", "--open", "--format", "json").json()
    assert opened and all(m["open_weights"] for m in opened)
    closed = cli("models", "list", "--closed", "--format", "json").json()
    assert closed and not any(m["open_weights"] for m in closed)
    groq = cli("models", "list", "--provider", "groq", "--format", "json").json()
    assert "llama-3.3-70b" in {m["id"] for m in groq}
    shown = cli("models", "show", "meta-llama/Llama-3.1-8B-Instruct", "--format", "json").json()
    assert shown["id"] == "llama-3.1-8b"
    mem = {r["precision"]: r["weights_gb"] for r in shown["weight_memory"]}
    assert mem["bf16"] == pytest.approx(16.1, abs=0.05)
    req = {r["gpu"]: r for r in shown["gpu_requirements"]["smallest_gpu_count"]}
    assert req["h100-sxm"]["bf16"] == 1
    table = cli("models", "show", "llama-3.1-405b")
    assert table.code == 0 and "Smallest GPU count" in table.out
    for kind, ident in (("gpus", "H100"), ("providers", "together"), ("licences", "qwen")):
        r = cli(kind, "show", ident, "--format", "json")
        assert r.code == 0 and r.json()["id"], (kind, r.err)
    csv_out = cli("gpus", "list", "--format", "csv")
    assert csv_out.out.splitlines()[0].startswith("id,")


def test_unknown_id_exits_2_with_suggestion(cli) -> None:
    r = cli("models", "show", "llama-3.3-7b")
    assert r.code == 2
    assert "did you mean" in r.err and "llama-3.3-70b" in r.err
    assert "Traceback" not in r.err


def test_validate_embedded(cli) -> None:
    r = cli("catalog", "validate")
    assert r.code == 0, r.err
    assert "catalogue valid" in r.err


BROKEN = {
    "type error": ("gpus:\n  - id: h100-sxm\n    memory_gb: lots\n", "memory_gb", 3),
    "unknown key": ("gpus:\n  - id: h100-sxm\n    memory_gigabytes: 80\n", "memory_gigabytes", 3),
    "dangling reference": (
        "api_providers:\n  - id: together\n    offerings:\n      - model: no-such-model\n"
        "        prices: {input: 1, output: 1}\n        source: test\n        as_of: 2026-11-01\n",
        "no-such-model",
        4,
    ),
    "broken yaml": ("gpus: [\n  - id: h100\n", "invalid YAML", None),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_validate_reports_file_and_line(cli, tmp_path: Path, case: str) -> None:
    text, needle, line = BROKEN[case]
    f = write(tmp_path / "providers.yaml", text)
    r = cli("catalog", "validate", "--catalog", str(tmp_path))
    assert r.code == 2, r.err
    assert "Traceback" not in r.err
    assert needle in r.err
    assert str(f) in r.err
    if line is not None:
        assert f"{f}:{line}:" in r.err


def test_validate_missing_field(cli, tmp_path: Path) -> None:
    f = write(
        tmp_path / "models.yaml",
        "models:\n  - id: my-model\n    name: Mine\n    vendor: us\n    open_weights: false\n"
        "    licence: proprietary\n    source: internal\n    as_of: 2026-11-01\n",
    )
    r = cli("catalog", "validate", "--catalog", str(tmp_path))
    assert r.code == 2
    assert f"{f}:2:" in r.err and "context_window" in r.err and "required" in r.err


def test_validate_lists_every_problem(cli, tmp_path: Path) -> None:
    write(tmp_path / "providers.yaml", "gpus:\n  - id: h100-sxm\n    memory_gb: -1\n    bandwidth_tb_s: fast\n")
    r = cli("catalog", "validate", "--catalog", str(tmp_path))
    assert r.code == 2
    assert len([ln for ln in r.err.splitlines() if ln.startswith("error:")]) >= 2


def test_catalog_schema_is_json_schema(cli) -> None:
    # One valid JSON Schema (not a wrapper object): both files' schemas live under $defs.
    r = cli("catalog", "schema")
    data = r.json()
    assert data["anyOf"] == [{"$ref": "#/$defs/ModelsFile"}, {"$ref": "#/$defs/ProvidersFile"}]
    assert data["$defs"]["ProvidersFile"]["title"] == "ProvidersFile" and "Model" in data["$defs"]
    assert "models" not in data and "providers" not in data


def test_catalog_env_var(cli, tmp_path: Path, monkeypatch) -> None:
    write(tmp_path / "providers.yaml", "gpus:\n  - id: h100-sxm\n    memory_gb: 96\n")
    monkeypatch.setenv("OPENCLOSED_CATALOG", str(tmp_path))
    shown = cli("gpus", "show", "h100-sxm", "--format", "json").json()
    assert shown["memory_gb"] == 96


def test_two_offerings_of_one_model_at_one_provider_are_refused(cli, tmp_path) -> None:
    # The option id MODEL@PROVIDER must name one offering (DeepSeek's chat and reasoner aliases of
    # one model once produced two options with the same id).
    (tmp_path / "providers.yaml").write_text(
        "api_providers:\n  - id: newco\n    name: NewCo\n"
        "    privacy: {trains_on_data: false, retention_days: 0, zero_retention: self-serve,\n"
        "              source: s, as_of: 2026-01-01}\n"
        "    offerings:\n"
        "      - {model: gpt-oss-20b, prices: {input: 1, output: 1}, source: s, as_of: 2026-01-01}\n"
        "      - {model: gpt-oss-20b, prices: {input: 2, output: 2}, source: s, as_of: 2026-01-01}\n",
        encoding="utf-8",
    )
    r = cli("catalog", "validate", "--catalog", str(tmp_path))
    assert r.code == 2
    assert "newco already has an offering of 'gpt-oss-20b'" in r.err and "providers.yaml:8:" in r.err
