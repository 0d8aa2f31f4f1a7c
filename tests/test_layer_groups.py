"""Architectures as layer groups: validation, and the single-pattern form read as the same groups.
Expected values are computed by hand from the formulas in docs/methodology.md."""

from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError

from openclosed.catalog.architecture import Architecture
from openclosed.selfhost import sizing
from openclosed.selfhost.sizing.groups import layout_of

D = dt.date(2026, 12, 6)
BASE = dict(source="test", as_of=D, vocab_size=1000, tie_word_embeddings=True, hidden_size=2048, attention_heads=16)

# A hybrid linear-attention MoE model in both forms: 12 full-attention layers (2 KV heads of 256) and
# 36 Gated DeltaNet layers, every layer MoE.
LEGACY = Architecture(
    **BASE,
    total_params_b=80,
    active_params_b=3,
    layers=48,
    kv_heads=2,
    head_dim=256,
    intermediate_size=1024,
    attention="hybrid-linear",
    full_attention_layers=12,
    linear_attention={"layers": 36, "key_heads": 16, "value_heads": 32, "key_head_dim": 128, "value_head_dim": 128},
    moe={"experts": 512, "experts_per_token": 10, "moe_intermediate_size": 512, "moe_layers": 48},
)
GDN = {"kind": "linear", "variant": "gated-deltanet", "key_heads": 16, "value_heads": 32}
GDN |= {"key_head_dim": 128, "value_head_dim": 128}
MOE = {"kind": "moe", "width": 512, "experts": 512, "active_experts": 10}
GROUPS = Architecture(
    **BASE,
    total_params_b=80,
    active_params_b=3,
    layers=48,
    layer_groups=[
        {"count": 36, "mixer": GDN, "mlp": MOE},
        {"count": 12, "mixer": {"kind": "attention", "kv_heads": 2, "head_dim": 256}, "mlp": MOE},
    ],
)


def test_layers_must_equal_the_sum_of_the_groups() -> None:
    with pytest.raises(ValidationError, match="layers is 47 but the layer_groups count 48"):
        Architecture(**(GROUPS.model_dump(exclude_unset=True) | {"layers": 47}))


def test_one_form_or_the_other() -> None:
    with pytest.raises(ValidationError, match="not in kv_heads"):
        Architecture(**(GROUPS.model_dump(exclude_unset=True) | {"kv_heads": 2}))
    with pytest.raises(ValidationError, match="needs attention, kv_heads, head_dim, intermediate_size"):
        Architecture(**BASE, total_params_b=1, active_params_b=1, layers=2)


def test_mixer_and_mlp_need_their_shape() -> None:
    bad = {"count": 2, "mixer": {"kind": "attention", "kv_heads": 2}, "mlp": None}
    with pytest.raises(ValidationError, match="needs kv_heads and head_dim"):
        Architecture(**BASE, total_params_b=1, active_params_b=1, layers=2, layer_groups=[bad])
    moe = {"count": 2, "mixer": None, "mlp": {"kind": "moe", "width": 8, "experts": 4, "active_experts": 5}}
    with pytest.raises(ValidationError, match="active_experts must not exceed experts"):
        Architecture(**BASE, total_params_b=1, active_params_b=1, layers=2, layer_groups=[moe])


def test_the_single_pattern_form_reads_as_its_groups(catalog) -> None:
    legacy, groups = layout_of(LEGACY), layout_of(GROUPS)
    assert legacy.moe_layers == groups.moe_layers == 48
    assert sorted(n for _, n in legacy.mixers) == sorted(n for _, n in groups.mixers) == [12, 36]
    # Full-attention KV: 12 layers × 2 (K, V) × 2 heads × 256 × 2 bytes = 24,576 bytes per token.
    # Gated DeltaNet state: 36 × (32 × 128 × 128 × 4 bytes + 3 × (2 × 16 × 128 + 32 × 128) × 2 bytes).
    state = 36 * (32 * 128 * 128 * 4 + 3 * (2 * 16 * 128 + 32 * 128) * 2)
    for arch in (LEGACY, GROUPS):
        assert sizing.kv_bytes_per_sequence(arch, 1000, 2.0) == 24_576 * 1000 + state
        # Routed experts: 48 layers × 512 experts × 3 × 2048 × 512 parameters.
        assert sizing.shape_of(arch).routed_total == 48 * 512 * 3 * 2048 * 512
    assert sizing.weight_bytes(LEGACY, "fp8") == sizing.weight_bytes(GROUPS, "fp8")
    gpu = catalog.gpu("h100-sxm")
    one, two = (sizing.StepModel(a, gpu, "bf16", 2, 1500.0) for a in (LEGACY, GROUPS))
    assert one.time(16) == two.time(16)
    assert sizing.prefill_s(LEGACY, gpu, "bf16", 2, 4000) == sizing.prefill_s(GROUPS, gpu, "bf16", 2, 4000)


def test_gemma_4_kv_cache_per_token_matches_its_config(catalog) -> None:
    # google/gemma-4-31B-it config.json, text_config: 60 layers, layer_types 5 sliding : 1 full.
    # 50 sliding layers: num_key_value_heads 16 × head_dim 256, K and V, window 1,024 tokens.
    # 10 full layers: num_global_key_value_heads 4 × global_head_dim 512, attention_k_eq_v (one tensor).
    arch = catalog.model("gemma-4-31b").architecture
    sliding = 50 * 2 * 16 * 256 * 2  # bytes per token in bf16, up to the window
    full = 10 * 1 * 4 * 512 * 2  # 40,960 bytes per token: a quarter of 10 × 2 × 16 × 256 × 2
    for tokens in (512, 8192, 131_072):
        expected = full * tokens + sliding * min(tokens, 1024)
        assert sizing.kv_bytes_per_sequence(arch, tokens, 2.0) == expected
    # 26B-A4B: 25 sliding layers of 8 × 256 (K and V), 5 full layers of 2 × 512 (K = V).
    moe = catalog.model("gemma-4-26b-a4b").architecture
    assert sizing.kv_bytes_per_sequence(moe, 8192, 2.0) == 5 * 2 * 512 * 2 * 8192 + 25 * 2 * 8 * 256 * 2 * 1024
    # Under TP 8 the sliding cache splits 8 ways, the 4 global KV heads only 4 ways.
    parts = sizing.cache_parts(arch, 2.0)
    assert parts.per_gpu(8192, 8) == full * 8192 / 4 + sliding * 1024 / 8


def test_llama_4_attention_is_chunked(catalog) -> None:
    # attention_chunk_size 8192: a token sees only its own chunk. Stored: at most 8,192 tokens per
    # chunked layer (as a window); read at a long context: half a chunk on average, not a full window.
    arch = catalog.model("llama-4-maverick").architecture
    per_layer = 2 * 8 * 128 * 2
    assert sizing.kv_bytes_per_sequence(arch, 20_000, 2.0) == 12 * per_layer * 20_000 + 36 * per_layer * 8192
    assert sizing.kv_read_bytes(arch, 20_000, 2.0) == 12 * per_layer * 20_000 + 36 * per_layer * 4096
    assert sizing.kv_read_bytes(arch, 6_000, 2.0) == 48 * per_layer * 6_000  # inside the first chunk


def test_the_new_layouts_from_their_configs(catalog) -> None:
    s = 65_536
    # DeepSeek-V4-Pro: every layer keeps a 128-token window of one 512-wide K = V head; 30 CSA layers
    # add one entry per 4 tokens (plus the indexer's fp8 key of 128 with its scale), 31 HCA layers one
    # per 128. Without the indexer keys that is 7,928 bytes per token in bf16 (the gallery's 7.7 KiB).
    pro = catalog.model("deepseek-v4-pro").architecture
    assert 30 * 512 * 2 / 4 + 31 * 512 * 2 / 128 == 7928
    expected = 61 * 512 * 2 * 128 + 30 * (512 * 2 + 128 * 1.03125) * s / 4 + 31 * 512 * 2 * s / 128
    assert sizing.kv_bytes_per_sequence(pro, s, 2.0) == pytest.approx(expected, rel=1e-12)
    # Its experts are published in FP4 (MXFP4, 4.25 bits): 61 × 384 × 3 × 7168 × 3072 of them.
    routed = 61 * 384 * 3 * 7168 * 3072
    assert sizing.split_bytes(pro, "fp8")[1] == routed * 0.53125
    # Nemotron 3 Nano: 6 GQA layers of 2 × 128 grow a cache; 23 Mamba-2 layers keep a fixed fp32 state
    # of 64 heads × 64 × 128 and a bf16 convolution state of 3 × (64 × 64 + 2 × 8 × 128).
    nano = catalog.model("nemotron-3-nano-30b-a3b").architecture
    state = 23 * (64 * 64 * 128 * 4 + 3 * (64 * 64 + 2 * 8 * 128) * 2)
    assert sizing.kv_bytes_per_sequence(nano, s, 2.0) == 6 * 2 * 2 * 128 * 2 * s + state
    # MiniMax-M3: 60 GQA layers (4 × 128) and an indexer key of 128 in the 57 sparse ones; a query of
    # a sparse layer reads 17 blocks of 128 tokens (16 chosen, 1 local) and every indexer key.
    m3 = catalog.model("minimax-m3").architecture
    per_layer = 2 * 4 * 128 * 2
    assert sizing.kv_bytes_per_sequence(m3, s, 2.0) == (60 * per_layer + 57 * 128 * 2) * s
    read = 3 * per_layer * 10_000 + 57 * per_layer * 17 * 128 + 57 * 128 * 2 * 10_000
    assert sizing.kv_read_bytes(m3, 10_000, 2.0) == read
