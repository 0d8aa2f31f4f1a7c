"""New layouts, units and plans in sizing: expectations computed by hand from the formulas in
docs/methodology.md and from the published configs (Qwen3-Next, DeepSeek-V3.2, Kimi K2 Thinking)."""

from __future__ import annotations

import datetime as dt

import pytest

from openclosed.catalog.architecture import Architecture
from openclosed.catalog.schema import Gpu
from openclosed.selfhost import sizing

D = dt.date(2026, 11, 30)


def _arch(**kw) -> Architecture:
    base = dict(source="test", as_of=D, vocab_size=1000, intermediate_size=1024, tie_word_embeddings=True)
    return Architecture(**(base | kw))


QWEN3_NEXT = _arch(
    total_params_b=80,
    active_params_b=3,
    layers=48,
    hidden_size=2048,
    attention_heads=16,
    kv_heads=2,
    head_dim=256,
    attention="hybrid-linear",
    full_attention_layers=12,
    linear_attention={
        "layers": 36,
        "key_heads": 16,
        "value_heads": 32,
        "key_head_dim": 128,
        "value_head_dim": 128,
        "conv_kernel": 4,
    },
    moe={"experts": 512, "experts_per_token": 10, "moe_intermediate_size": 512, "moe_layers": 48},
)
DSA = _arch(
    total_params_b=671,
    active_params_b=37,
    layers=61,
    hidden_size=7168,
    attention_heads=128,
    kv_heads=128,
    head_dim=192,
    attention="mla",
    mla={"kv_lora_rank": 512, "qk_rope_head_dim": 64, "qk_nope_head_dim": 128, "v_head_dim": 128},
    sparse_attention={"index_topk": 2048, "index_heads": 64, "index_head_dim": 128},
    moe={"experts": 256, "experts_per_token": 8, "moe_intermediate_size": 2048, "moe_layers": 58},
    native_precision="fp8",
)


def _gpu(**kw) -> Gpu:
    base = dict(
        id="g",
        name="G",
        vendor="nvidia",
        memory_gb=80,
        bandwidth_tb_s=3.35,
        bf16_tflops=989,
        fp8_tflops=1979,
        interconnect="nvlink4",
        interconnect_gb_s=450,
        power_w=700,
        source="test",
        as_of=D,
    )
    return Gpu(**(base | kw))


def test_memory_in_the_vendors_unit() -> None:
    assert sizing.memory_bytes(_gpu()) == 80 * 2**30  # HBM "80 GB" = 80 GiB
    assert sizing.memory_bytes(_gpu(memory_gb=48, memory_unit="GB")) == 48e9  # GDDR is decimal
    mem = sizing.memory_plan(QWEN3_NEXT, _gpu(), "bf16", 1, 1000)
    hbm = 80 * 2**30
    assert mem.usable_gb == pytest.approx((0.9 * hbm - 0.04 * hbm) / 1e9)


def test_hybrid_linear_state_is_fixed_per_sequence() -> None:
    # Full-attention layers: 12 × 2 (K, V) × 2 KV heads × 256 × 2 bytes = 24,576 bytes per token.
    per_token = 12 * 2 * 2 * 256 * 2
    # Each of 36 Gated DeltaNet layers: fp32 state 32 heads × 128 × 128 × 4 bytes, plus a bf16
    # convolution state of (4 − 1) × (2 × 16 × 128 + 32 × 128) × 2 bytes.
    fixed = 36 * (32 * 128 * 128 * 4 + 3 * (2 * 16 * 128 + 32 * 128) * 2)
    assert fixed == 77_266_944  # 2,146,304 bytes per layer
    for tokens in (1, 8192, 262_144):
        assert sizing.kv_bytes_per_sequence(QWEN3_NEXT, tokens, 2) == per_token * tokens + fixed
    # The true bytes per token at 8K (what explain shows) include the state spread over the context.
    assert sizing.kv_bytes_per_token(QWEN3_NEXT, 8192, 2) == pytest.approx(per_token + fixed / 8192)
    # Per GPU at TP4: KV over min(4, 2 KV heads), state over the 16 key heads.
    assert sizing.cache_parts(QWEN3_NEXT, 2).per_gpu(1000, 4) == pytest.approx(per_token * 1000 / 2 + fixed / 4)
    # A decode step reads the KV and reads and writes the state.
    assert sizing.kv_read_bytes(QWEN3_NEXT, 1000, 2) == pytest.approx(per_token * 1000 + 2 * fixed)


def test_sparse_attention_reads_top_k_plus_the_indexer() -> None:
    latent = 61 * (512 + 64) * 1.0  # fp8 latent per token
    index = 61 * 128 * (1 + 4 / 128)  # fp8 indexer key plus an fp32 scale per 128
    assert sizing.kv_bytes_per_sequence(DSA, 100_000, 1.0) == pytest.approx((latent + index) * 100_000)
    # Short context: every cached token is attended to; long context: only the top 2,048.
    assert sizing.kv_read_bytes(DSA, 1000, 1.0) == pytest.approx((latent + index) * 1000)
    assert sizing.kv_read_bytes(DSA, 100_000, 1.0) == pytest.approx(latent * 2048 + index * 100_000)
    dense = DSA.model_copy(update={"sparse_attention": None})
    assert sizing.kv_read_bytes(dense, 100_000, 1.0) == pytest.approx(latent * 100_000)


def test_four_bit_weights_and_scales() -> None:
    s = sizing.shape_of(DSA)
    assert s.embed == 1000 * 7168 and s.lm_head == 0  # tied: one 16-bit matrix
    # NVFP4 post-hoc: every weight but the embedding at 4.5 bits.
    assert sizing.weight_bytes(DSA, "nvfp4") == pytest.approx(s.embed * 2 + (s.total - s.embed) * 0.5625)
    # A native INT4 MoE checkpoint (Kimi K2 Thinking) quantises only the routed experts.
    native = DSA.model_copy(update={"native_precision": "int4"})
    assert sizing.weight_bytes(native, "int4") == pytest.approx(
        s.routed_total * 0.5625 + (s.total - s.routed_total) * 2
    )
    # FP4 tensor cores serve NVFP4 where the GPU has them; elsewhere the kernels dequantise to 16 bits.
    assert sizing.flops_per_s(_gpu(fp4_tflops=9000), "nvfp4") == 9000e12
    assert sizing.flops_per_s(_gpu(), "nvfp4") == 989e12 and sizing.supports(_gpu(), "int4")


def test_plans_for_a_gpu_count() -> None:
    g = _gpu(network_gbit_s=400)
    assert sizing.plans_for(g, DSA, 8) == [sizing.Plan(tp=8), sizing.Plan(tp=1, dp=8, ep=8)]
    # Beyond one node: whole nodes only, pipeline or expert parallel across them.
    assert sizing.plans_for(g, DSA, 12) == []
    two = sizing.plans_for(g, DSA, 16)
    assert sizing.Plan(tp=8, pp=2, nodes=2) in two and sizing.Plan(tp=1, dp=16, ep=16, nodes=2) in two
    assert all(p.gpus == 16 for p in two)
    assert sizing.plans_for(g, DSA, 8 * 17) == []  # at most 16 nodes


def test_expert_parallel_all_to_all_over_the_nic() -> None:
    g = _gpu(network_gbit_s=400)
    plan = sizing.Plan(tp=1, dp=16, ep=16, nodes=2)
    m = sizing.StepModel(DSA, g, "fp8", plan, 1000.0)
    # Per token of the batch: 8 experts × 7,168 × 3 bytes (fp8 out, bf16 back) / 16 GPUs, half of it
    # to the other node at 85 % of 50 GB/s, half over NVLink at 450 GB/s, for 58 MoE layers.
    per = 8 * 7168 * 3 / 16
    expected = 58 * per * (0.5 / (50e9 * 0.85) + 0.5 / 450e9)
    assert m.a2a_per_token == pytest.approx(expected)
    assert m.a2a_fixed == pytest.approx(58 * 2 * (20e-6 + 12e-6))  # default network + link latency
    assert sizing.StepModel(DSA, g, "fp8", sizing.Plan(tp=8), 1000.0).a2a_per_token == 0


def test_mla_data_parallel_attention_does_not_copy_the_latent() -> None:
    g = _gpu(memory_gb=141, bandwidth_tb_s=4.8, network_gbit_s=400)
    tp = sizing.memory_plan(DSA, g, "fp8", sizing.Plan(tp=8), 9000)
    dp = sizing.memory_plan(DSA, g, "fp8", sizing.Plan(tp=1, dp=8, ep=8), 9000)
    assert tp.kv_per_gpu_gb_per_sequence == pytest.approx(dp.kv_per_gpu_gb_per_sequence)  # a whole latent
    assert sizing.max_concurrency(DSA, dp, sizing.Plan(tp=1, dp=8, ep=8), sizing.DEFAULT_EFFICIENCY) > (
        sizing.max_concurrency(DSA, tp, sizing.Plan(tp=8), sizing.DEFAULT_EFFICIENCY)
    )


def test_engine_maturity_by_generation() -> None:
    # CDNA3's kernels cost more fixed time than Hopper's (InferenceMAX DeepSeek-R1 at concurrency 4).
    assert sizing.maturity_of(_gpu(vendor="amd", id="mi300x")).kernel_us > sizing.ENGINE_MATURITY["hopper"].kernel_us
    assert sizing.family_of(_gpu(id="b200")) == "blackwell"
    assert sizing.family_of(_gpu(id="mi355x", vendor="amd")) == "cdna4"
    assert sizing.family_of(_gpu(id="mi999x", vendor="amd")) == "cdna3"  # an unknown AMD part: CDNA3's factors
    assert sizing.maturity_of(_gpu()) == sizing.ENGINE_MATURITY["hopper"]


def test_catalogue_sanity_examples(catalog) -> None:
    """The issue's examples: DeepSeek-V3 FP8 needs two H100 nodes or one H200/B200/MI300X node; Kimi
    K2 FP8 at 128K context needs two H200 nodes; Kimi K2 Thinking INT4 fits one H200 node."""

    def plan(model: str, gpu: str, precision: str, context: float | None = None) -> sizing.Sizing:
        m = catalog.model(model)
        return sizing.plan_replica(m.id, m.architecture, catalog.gpu(gpu), precision, 1000, 500, context_tokens=context)

    assert plan("deepseek-v3", "h100-sxm", "fp8").nodes == 2
    for gpu in ("h200", "b200", "mi300x"):
        s = plan("deepseek-v3", gpu, "fp8")
        assert s.fits and s.nodes == 1
    k2 = plan("kimi-k2", "h200", "fp8", 128_000)
    assert k2.fits and (k2.nodes, k2.gpus) == (2, 16)
    thinking = plan("kimi-k2-thinking", "h200", "int4", 256_000)
    assert thinking.fits and thinking.nodes == 1


def test_size_that_cannot_run_has_no_speeds(cli) -> None:
    r = cli("size", "deepseek-v3", "--gpu", "h100-sxm", "--gpus", "8", "--format", "json")
    assert r.code == 0, r.err
    data = r.json()
    assert data["fits"] is False and "usable" in data["reason"]
    for k in sizing.SPEED_FIELDS:
        assert data[k] is None
    two = cli("size", "deepseek-v3", "--gpu", "h100-sxm", "--gpus", "16", "--format", "json").json()
    assert two["fits"] and (two["nodes"], two["gpus"]) == (2, 16) and two["tpot_ms"] > 0
    assert two["ep"] * two["pp"] > 1
    table = cli("size", "deepseek-v3", "--gpu", "h100-sxm", "--gpus", "8")
    assert table.code == 0 and "TPOT" not in table.out
    odd = cli("size", "deepseek-v3", "--gpu", "h100-sxm", "--gpus", "12", "--format", "json").json()
    assert odd["fits"] is False and "whole nodes" in odd["reason"]


def test_plan_trace_names_the_network_terms(catalog) -> None:
    m = catalog.model("deepseek-v3")
    g = catalog.gpu("h100-sxm")
    s = sizing.plan_replica(m.id, m.architecture, g, "fp8", 1000, 500)
    rows = {name: (value, formula) for _, name, value, formula in sizing.plan_trace(s, m.architecture, g)}
    assert rows["parallel plan"][0] == {"nodes": 2, "tp": 1, "dp": 16, "ep": 16, "pp": 1, "gpus": 16}
    assert rows["all-to-all (ms per step)"][0] == pytest.approx(s.step["alltoall_ms"], abs=1e-3)
    assert s.step["alltoall_ms"] > 0
    # MLA: one latent of 61 × 576 elements per token, whatever the length, in bf16 (the engines'
    # default cache dtype, whatever the weights' precision).
    assert rows["cache per token (kB, true)"][0] == pytest.approx(61 * 576 * 2 / 1e3, abs=0.01)
    assert "pipeline hand-offs (ms per step)" not in rows


def test_reason_tells_weights_from_cache(catalog) -> None:
    m = catalog.model("kimi-k2")
    g = catalog.gpu("h200")
    # FP8 Kimi K2 on one H200 node: the weights fit (128.5 of 130.2 GB per GPU) but a 129K-token
    # sequence's latent (61 × 576 × 2 bytes per token, bf16) does not fit what is left; nor does the
    # engines' tighter budget admit it (it would hold one such sequence, not a batch of 32).
    s = sizing.size(m.id, m.architecture, g, "fp8", sizing.Plan(tp=8), 128_000, 1000)
    assert not s.fits and "cache" in s.reason and "left after the weights" in s.reason
    # No plan of one node fits (with DP-attention the replicated attention weights do not fit).
    assert not sizing.plan_replica(m.id, m.architecture, g, "fp8", 128_000, 1000, gpus=8).fits
    h100 = sizing.plan_replica(m.id, m.architecture, catalog.gpu("h100-sxm"), "fp8", 1000, 500, gpus=8)
    assert not h100.fits and "usable" in h100.reason
