"""The step model's kernel terms over layer groups (selfhost/sizing/kernels.py) and the families
the new architectures fall in; expected values are counted by hand from the catalogue's groups."""

from __future__ import annotations

import dataclasses

import pytest

from openclosed.selfhost import sizing
from openclosed.selfhost.families import family
from openclosed.selfhost.sizing import kernels, prefill, step


def test_kernels_are_counted_per_layer_group(catalog) -> None:
    count = kernels.kernels_per_step
    # DeepSeek-R1 (single-pattern entry): 61 MLA layers × 9, 3 dense MLPs × 3, 58 MoE MLPs × 8,
    # plus the embedding and lm_head.
    assert count(catalog.model("deepseek-r1").architecture) == 61 * 9 + 3 * 3 + 58 * 8 + 2
    # Nemotron 3 Nano: 23 Mamba-2 layers and 6 attention layers without an MLP, 23 MoE layers
    # without a mixer.
    assert count(catalog.model("nemotron-3-nano-30b-a3b").architecture) == 23 * 7 + 6 * 6 + 23 * 8 + 2
    # MiniMax-M3: 3 dense full-attention layers, 57 block-sparse attention layers (an indexer's 4
    # kernels more) with MoE MLPs.
    assert count(catalog.model("minimax-m3").architecture) == 3 * (6 + 3) + 57 * (6 + 4 + 8) + 2
    # DeepSeek-V3.2: 61 DSA layers of 15 kernels (MLA's 9, the indexer's 4, vLLM's index
    # conversion and FlashMLA's combine kernel), 3 dense MLPs and 58 MoE MLPs.
    assert count(catalog.model("deepseek-v3.2").architecture) == 61 * 15 + 3 * 3 + 58 * 8 + 2
    # DeepSeek V4 Pro: 30 CSA layers (25 kernels: compressors, indexer, FlashMLA's two kernels, the
    # low-rank projections and the hyper-connections) and 31 HCA layers (15), each with a MoE MLP.
    assert count(catalog.model("deepseek-v4-pro").architecture) == 30 * (25 + 8) + 31 * (15 + 8) + 2
    # V4 Flash: 2 sliding-window-only layers (plain attention's 6), 21 CSA, 20 HCA.
    assert count(catalog.model("deepseek-v4-flash").architecture) == 2 * (6 + 8) + 21 * (25 + 8) + 20 * (15 + 8) + 2


def test_new_architectures_map_to_one_family(catalog) -> None:
    arch = catalog.model
    assert family(arch("deepseek-v4-pro").architecture, "b200") == ("sparse", "blackwell")
    assert family(arch("deepseek-v4-flash").architecture, "h100-sxm") == ("sparse", "hopper")
    assert family(arch("minimax-m3").architecture, "mi300x") == ("sparse", "cdna3")
    assert family(arch("nemotron-3-super-120b-a12b").architecture, "h200") == ("hybrid", "hopper")
    assert family(arch("nemotron-3-nano-30b-a3b").architecture, "b200") == ("hybrid", "blackwell")
    assert family(arch("gemma-4-26b-a4b").architecture, "h100-sxm") == ("moe", "hopper")
    # Their attention math runs at the sparse kind's efficiency.
    assert kernels.mixer_kind(arch("deepseek-v4-pro").architecture) == "sparse"
    assert kernels.mixer_kind(arch("nemotron-3-nano-30b-a3b").architecture) == "attention"


def test_moe_grouped_gemms_compute_at_their_own_share(catalog) -> None:
    arch = catalog.model("qwen3-235b-a22b").architecture
    h100 = catalog.gpu("h100-sxm")
    plan = sizing.Plan(tp=8)
    full = dataclasses.replace(step.DEFAULT_EFFICIENCY, moe_gemm_share=1.0)
    part = dataclasses.replace(step.DEFAULT_EFFICIENCY, moe_gemm_share=0.4)
    one = prefill.prefill_parts(arch, h100, "fp8", plan, 4000, 8192, full)
    other = prefill.prefill_parts(arch, h100, "fp8", plan, 4000, 8192, part)
    # Only the routed experts' grouped GEMMs slow down, by exactly 1 / 0.4.
    assert other.expert_s == pytest.approx(one.expert_s / 0.4)
    assert (other.dense_s, other.attention_s) == (one.dense_s, one.attention_s)
    # A dense model has no grouped GEMM to slow down.
    dense = catalog.model("llama-3.3-70b").architecture
    assert prefill.prefill_parts(dense, h100, "fp8", plan, 4000, 8192, part) == prefill.prefill_parts(
        dense, h100, "fp8", plan, 4000, 8192, full
    )


def test_a_generation_scales_the_grouped_gemm_share_capped_at_one(catalog, monkeypatch) -> None:
    b200 = catalog.gpu("b200")
    monkeypatch.setitem(
        kernels.GENERATIONS, "blackwell", dataclasses.replace(kernels.GENERATIONS["blackwell"], moe_gemm=0.5)
    )
    assert kernels.moe_gemm_share(b200, 0.4) == pytest.approx(0.2)
    monkeypatch.setitem(
        kernels.GENERATIONS, "blackwell", dataclasses.replace(kernels.GENERATIONS["blackwell"], moe_gemm=4.0)
    )
    assert kernels.moe_gemm_share(b200, 0.4) == 1.0
    assert kernels.moe_gemm_share(catalog.gpu("h100-sxm"), 0.4) == 0.4  # Hopper is the reference


def test_weight_only_experts_run_at_their_generations_own_grouped_gemm_share(catalog, monkeypatch) -> None:
    # 4-bit weight-only experts (MXFP4, INT4, NVFP4 without FP4 tensor cores) run Marlin on Ampere
    # and OpenAI's triton_kernels on Hopper, not the Triton fused MoE whose share (0.4) was fitted:
    # Ampere's factor 1.3, Hopper's 0.8; W8A8, W4A4 and BF16 experts keep the plain share.
    share = kernels.moe_gemm_share
    a100, h100, b200 = catalog.gpu("a100-80gb"), catalog.gpu("h100-sxm"), catalog.gpu("b200")
    assert share(a100, 0.4, "mxfp4") == pytest.approx(0.52)
    assert share(a100, 0.4, "int4") == pytest.approx(0.52)
    assert share(a100, 0.4, "bf16") == pytest.approx(0.4)
    assert share(h100, 0.4, "mxfp4") == pytest.approx(0.32)
    assert share(h100, 0.4, "nvfp4") == pytest.approx(0.32)  # no FP4 tensor cores: weight-only
    assert share(h100, 0.4, "fp8") == pytest.approx(0.4)
    # On Blackwell NVFP4 runs as W4A4 on FP4 tensor cores; its generation has no weight-only factor.
    assert share(b200, 0.4, "nvfp4") == pytest.approx(0.4 * 0.6)
    assert share(b200, 0.4, "mxfp4") == pytest.approx(0.4 * 0.6)
    # Prefill and the decode step read the same share: gpt-oss-20b on one A100, MXFP4.
    arch, eff, plan = catalog.model("gpt-oss-20b").architecture, step.DEFAULT_EFFICIENCY, sizing.Plan(tp=1)
    marlin = prefill.prefill_parts(arch, a100, "mxfp4", plan, 2000, 8192, eff)
    assert step.step_model(arch, a100, "mxfp4", plan, 2000, eff).moe_share == pytest.approx(0.52)
    monkeypatch.setitem(
        kernels.GENERATIONS, "ampere", dataclasses.replace(kernels.GENERATIONS["ampere"], weight_only_moe=1.0)
    )
    triton = prefill.prefill_parts(arch, a100, "mxfp4", plan, 2000, 8192, eff)
    assert marlin.expert_s == pytest.approx(triton.expert_s / 1.3)
    assert (marlin.dense_s, marlin.attention_s) == (triton.dense_s, triton.attention_s)
    assert step.step_model(arch, a100, "mxfp4", plan, 2000, eff).moe_share == pytest.approx(0.4)


def test_a_generation_streams_and_computes_at_its_own_shares(catalog, monkeypatch) -> None:
    mi300x = catalog.gpu("mi300x")
    eff = step.DEFAULT_EFFICIENCY
    gen = dataclasses.replace(kernels.GENERATIONS["cdna3"], bandwidth=0.5, compute=1.0)
    monkeypatch.setitem(kernels.GENERATIONS, "cdna3", gen)
    bw, flops = step.bandwidth(mi300x, "fp8", eff), step.achieved_flops(mi300x, "fp8", eff)
    assert bw == pytest.approx(mi300x.bandwidth_tb_s * 1e12 * eff.mbu_quantised * 0.5)
    monkeypatch.setitem(kernels.GENERATIONS, "cdna3", dataclasses.replace(gen, bandwidth=1.0, compute=0.5))
    # Halving the compute share halves the FLOP rate and leaves the bandwidth alone.
    assert step.bandwidth(mi300x, "fp8", eff) == pytest.approx(2 * bw)
    assert step.achieved_flops(mi300x, "fp8", eff) == pytest.approx(flops / 2)


def test_a_generation_s_attention_kernels_have_their_own_share(catalog, monkeypatch) -> None:
    # Ampere runs FlashAttention-2 beside GEMMs that reach a larger share of its peak than
    # Hopper's: its attention share moves the attention rate only, never the GEMM rate.
    a100, arch = catalog.gpu("a100-80gb"), catalog.model("llama-3.1-8b").architecture
    eff = step.DEFAULT_EFFICIENCY
    gen = dataclasses.replace(kernels.GENERATIONS["ampere"], compute=1.0, attention=1.0)
    monkeypatch.setitem(kernels.GENERATIONS, "ampere", gen)
    share = kernels.ATTENTION_EFFICIENCY["attention"]
    assert step.attention_flops_rate(a100, arch, eff) == pytest.approx(312e12 * eff.mfu * share)
    flops = step.achieved_flops(a100, "bf16", eff)
    monkeypatch.setitem(kernels.GENERATIONS, "ampere", dataclasses.replace(gen, attention=0.5))
    assert step.attention_flops_rate(a100, arch, eff) == pytest.approx(312e12 * eff.mfu * share * 0.5)
    assert step.achieved_flops(a100, "bf16", eff) == pytest.approx(flops)


def test_attention_with_sinks_runs_the_triton_kernel_before_hopper(catalog, monkeypatch) -> None:
    # gpt-oss's heads have learned sinks; FlashAttention-2 has no kernel for them, so on Ampere and
    # Ada vLLM runs its Triton attention backend: the attention rate takes the generation's
    # sink_attention share on top of its attention share. A model without sinks, and Hopper
    # (FlashAttention-3 supports sinks), keep their rates. Factors set by hand: compute 1.0,
    # attention 0.8, sink_attention 0.4 on Ampere.
    a100, h100 = catalog.gpu("a100-80gb"), catalog.gpu("h100-sxm")
    oss, llama = catalog.model("gpt-oss-120b").architecture, catalog.model("llama-3.1-8b").architecture
    assert kernels.has_sinks(oss) and not kernels.has_sinks(llama)
    eff = step.DEFAULT_EFFICIENCY
    gen = dataclasses.replace(kernels.GENERATIONS["ampere"], compute=1.0, attention=0.8, sink_attention=0.4)
    monkeypatch.setitem(kernels.GENERATIONS, "ampere", gen)
    share = kernels.ATTENTION_EFFICIENCY["attention"]
    assert step.attention_flops_rate(a100, llama, eff) == pytest.approx(312e12 * eff.mfu * share * 0.8)
    assert step.attention_flops_rate(a100, oss, eff) == pytest.approx(312e12 * eff.mfu * share * 0.8 * 0.4)
    assert step.attention_flops_rate(h100, oss, eff) == pytest.approx(989e12 * eff.mfu * share)
    # The GEMMs of the same model are not touched.
    assert step.achieved_flops(a100, "bf16", eff) == pytest.approx(312e12 * eff.mfu)


def test_mla_prefill_attends_at_flash_attention_s_share_and_decode_at_mla_s(catalog) -> None:
    # MLA decodes in the absorbed form over the latent cache (the "mla" share, 0.6), but prefills in
    # the compute-friendly form, multi-head attention through FlashAttention's varlen kernel: the
    # GQA "attention" share (1.0). DeepSeek-R1 on one H100 (Hopper's generation factors are 1 for FP8).
    arch, h100 = catalog.model("deepseek-r1").architecture, catalog.gpu("h100-sxm")
    eff = step.DEFAULT_EFFICIENCY
    assert kernels.ATTENTION_EFFICIENCY["mla"] == 0.6 and kernels.ATTENTION_EFFICIENCY["attention"] == 1.0
    assert step.attention_flops_rate(h100, arch, eff) == pytest.approx(989e12 * eff.mfu * 0.6)
    assert step.attention_flops_rate(h100, arch, eff, prefill=True) == pytest.approx(989e12 * eff.mfu * 1.0)
    parts = prefill.prefill_parts(arch, h100, "fp8", sizing.Plan(tp=8), 4000, 8192, eff)
    flops = sizing.attention.prefill_attention_flops(arch, 4000)
    assert parts.attention_s == pytest.approx(flops / (989e12 * eff.mfu * 1.0))
    # A GQA model's prefill and decode share one kernel family: no change.
    llama = catalog.model("llama-3.1-8b").architecture
    assert step.attention_flops_rate(h100, llama, eff, prefill=True) == step.attention_flops_rate(h100, llama, eff)


def test_weight_gemms_and_attention_kernels_run_one_after_the_other(catalog) -> None:
    # Llama-3.1-8B bf16 on one H100, 256 sequences at a 4,000-token context: the weight GEMMs are
    # compute-bound (256 × 2 × 7.5e9 FLOPs at 989 TFLOPS × MFU), the attention kernels bound by
    # their KV read (256 × 4,000 × 128 KiB); the step is the sum of the two, not the larger of the
    # total bytes and the total FLOPs.
    arch = catalog.model("llama-3.1-8b").architecture
    eff = step.DEFAULT_EFFICIENCY
    st = step.StepModel(arch, catalog.gpu("h100-sxm"), "bf16", 1, 4000.0, eff).step(256)
    gemm = 256 * 2 * (8.03e9 - 128256 * 4096) / (989e12 * eff.mfu)
    kv = 256 * 4000 * 32 * 8 * 128 * 2 * 2 / (3.35e12 * eff.mbu_bf16)
    assert st.compute_s - st.attention_s == pytest.approx(gemm)
    assert st.kv_memory_s == pytest.approx(kv)
    assert st.memory_s - st.kv_memory_s < gemm and st.attention_s < kv
    assert st.total_s == pytest.approx(gemm + kv + st.overhead_s)
    assert st.total_s > max(st.memory_s, st.compute_s) + st.overhead_s


def test_a_prefill_pays_its_tensor_parallel_all_reduces(catalog) -> None:
    # Llama-3.3-70B FP8 on 8×H100 at one stream: each request costs its 200 decode steps plus its
    # 4,000-token prefill, whose GEMMs and attention spread over the 8 GPUs and whose all-reduces
    # (2 per layer, of every prompt token's hidden state) cross NVLink like a decode step's.
    arch = catalog.model("llama-3.3-70b").architecture
    gpu = catalog.gpu("h100-sxm")
    s = sizing.size("llama-3.3-70b", arch, gpu, "fp8", sizing.Plan(tp=8), 4000, 200, concurrency=1)
    prefill_time = 1.0 / s.requests_per_s - s.decode_step_ms / 1e3 * 200
    compute = prefill.prefill_compute_s(arch, gpu, "fp8", sizing.Plan(tp=8), 4000)
    # 2 all-reduces × 80 layers × 2 × 7/8 × 8,192 × 2 bytes per token over 450 GB/s (ring bytes).
    all_reduce = 2 * 80 * 2 * 7 / 8 * 8192 * 2 / (gpu.interconnect_gb_s * 1e9) * 4000
    assert prefill_time == pytest.approx(compute + all_reduce, abs=1e-3)
    assert all_reduce > 0.02  # tens of milliseconds: not lost in the tolerance


def test_an_interleaved_prefill_waits_for_the_busiest_expert_rank(catalog) -> None:
    # Qwen3-235B FP8 on 8×H200 with DP8 EP8: the interleaved prefill's expert GEMMs take the
    # expert-parallel imbalance, like a decode step's and a lone prefill's; the rest (MoE's kernels
    # outside the GEMMs included) does not.
    arch, gpu = catalog.model("qwen3-235b-a22b").architecture, catalog.gpu("h200")
    eff, plan = step.DEFAULT_EFFICIENCY, step.Plan(tp=1, dp=8, ep=8)
    t = prefill.prefill_parts(arch, gpu, "fp8", plan, 4000.0, eff.prefill_chunk_tokens, eff)
    assert t.moe_io_s > 0
    expected = (t.dense_s + t.attention_s + t.moe_io_s + t.expert_s * eff.ep_imbalance) / 8
    assert prefill.prefill_compute_s(arch, gpu, "fp8", plan, 4000.0, eff) == pytest.approx(expected)
    tp8 = step.Plan(tp=8)
    t8 = prefill.prefill_parts(arch, gpu, "fp8", tp8, 4000.0, eff.prefill_chunk_tokens, eff)
    assert prefill.prefill_compute_s(arch, gpu, "fp8", tp8, 4000.0, eff) == pytest.approx(t8.total_s / 8)


def test_mla_latent_projections_and_a_dsa_indexer_are_whole_on_every_tensor_parallel_rank(catalog) -> None:
    # vLLM's and SGLang's DeepSeek code hold q_a_proj and kv_a_proj_with_mqa as one replicated
    # linear, and the V3.2 indexer's wq_b, wk and weights_proj are "just replicated". DeepSeek-R1:
    # 61 layers × 7,168 × (1,536 + 512 + 64) parameters; V3.2 adds 61 × (1,536 × 64 × 128 +
    # 7,168 × (128 + 64)).
    r1, v32 = catalog.model("deepseek-r1").architecture, catalog.model("deepseek-v3.2").architecture
    latent = 61 * 7168 * (1536 + 512 + 64)
    assert sizing.layout.replicated_params(r1) == latent
    assert sizing.layout.replicated_params(v32) == latent + 61 * (1536 * 64 * 128 + 7168 * (128 + 64))
    assert sizing.layout.replicated_params(catalog.model("llama-3.1-8b").architecture) == 0
    # So each of 8 ranks holds 7/8 of them more than an eighth of the model (FP8: one byte each).
    tp8, tp1 = sizing.Plan(tp=8), sizing.Plan(tp=1)
    per_gpu = sizing.deploy.weights_per_gpu
    assert per_gpu(r1, "fp8", tp8) - per_gpu(r1, "fp8", tp1) / 8 == pytest.approx(latent * 7 / 8)
    # And computes them for every token: at TP8 a prefill's dense GPU-seconds grow by 7 copies.
    h200, eff = catalog.gpu("h200"), step.DEFAULT_EFFICIENCY
    f = step.achieved_flops(h200, "fp8", eff)
    one = prefill.prefill_parts(r1, h200, "fp8", tp1, 2000, 8192, eff)
    eight = prefill.prefill_parts(r1, h200, "fp8", tp8, 2000, 8192, eff)
    assert eight.dense_s - one.dense_s == pytest.approx(2 * latent * 7 * 2000 / f)
    # The indexer scores every cached key on every rank: 2 × 64 heads × 128 × context per layer.
    assert sizing.attention.index_flops_per_token(v32, 1000) == 2 * 64 * 128 * 1000 * 61
    rate = step.attention_flops_rate(h200, v32, eff, prefill=True)
    a1 = prefill.prefill_parts(v32, h200, "fp8", tp1, 2000, 8192, eff).attention_s
    a8 = prefill.prefill_parts(v32, h200, "fp8", tp8, 2000, 8192, eff).attention_s
    assert a8 - a1 == pytest.approx(2 * 64 * 128 * 2000 * 61 * 2000 / 2 * 7 / rate)


def test_moe_kernels_outside_the_gemms_move_every_token_on_every_tensor_parallel_rank(catalog) -> None:
    # vLLM's and SGLang's fused-MoE path: the down GEMM writes each token's k expert outputs (bf16)
    # and moe_sum reads them back and writes one; the activation reads the gate-up output and writes
    # half (6 bytes a column); FP8 also quantises the experts' input and the activation's output
    # (3 bytes a column more). DeepSeek-R1 FP8 at TP8: 58 MoE layers ×
    # (2·8·7,168 + 2·7,168 + 8·(2,048 / 8)·9 + 3·7,168) bytes.
    r1, h200 = catalog.model("deepseek-r1").architecture, catalog.gpu("h200")
    per_layer = 2 * 8 * 7168 + 2 * 7168 + 8 * 256 * 9 + 3 * 7168
    assert per_layer == 168_960
    assert kernels.moe_io_bytes(r1, h200, "fp8", 8) == 58 * per_layer
    # The part at the hidden size does not split with TP; only the expert shard's width does.
    assert kernels.moe_io_bytes(r1, h200, "fp8", 1) == 58 * (per_layer - 8 * 256 * 9 + 8 * 2048 * 9)
    # BF16 activations are not quantised: Qwen3-235B at TP8, 94 layers × (2·8·4,096 + 2·4,096 + 8·192·6).
    qwen, h100 = catalog.model("qwen3-235b-a22b").architecture, catalog.gpu("h100-sxm")
    assert kernels.moe_io_bytes(qwen, h100, "bf16", 8) == 94 * (2 * 8 * 4096 + 2 * 4096 + 8 * 192 * 6)
    # A latent MoE's experts return the latent (Nemotron 3 Super: 1,024 of 4,096), and relu2 has no
    # gate (4 bytes a column): 40 layers × (2·22·1,024 + 2·1,024 + 22·(2,688 / 4)·4) at TP4, bf16.
    nemo = catalog.model("nemotron-3-super-120b-a12b").architecture
    assert kernels.moe_io_bytes(nemo, h100, "bf16", 4) == 40 * (2 * 22 * 1024 + 2 * 1024 + 22 * 672 * 4)
    # AMD's AITER kernels fuse them; a dense model has none.
    assert kernels.moe_io_bytes(r1, catalog.gpu("mi300x"), "fp8", 8) == 0
    assert kernels.moe_io_bytes(catalog.model("llama-3.1-8b").architecture, h200, "bf16", 1) == 0
    # At the H200's 4.8 TB/s × 0.80 (BF16 streaming): a 2,000-token prefill spends that on each of the
    # 8 ranks (GPU-seconds), and a decode step of 64 sequences 64 tokens' worth, after its GEMMs.
    eff, tp8 = step.DEFAULT_EFFICIENCY, sizing.Plan(tp=8)
    bw = 4.8e12 * 0.80
    t = prefill.prefill_parts(r1, h200, "fp8", tp8, 2000, 8192, eff)
    assert t.moe_io_s == pytest.approx(2000 * 58 * per_layer * 8 / bw)
    assert prefill.prefill_compute_s(r1, h200, "fp8", tp8, 2000, eff) == pytest.approx(t.total_s / 8)
    st = step.StepModel(r1, h200, "fp8", tp8, 1000.0, eff).step(64)
    assert st.moe_io_s == pytest.approx(64 * 58 * per_layer / bw)
    assert st.total_s == pytest.approx(step.StepModel(r1, h200, "fp8", tp8, 1000.0, eff).time(64))


def test_moe_activations_are_quantised_where_the_gemms_run_w8a8_or_w4a4(catalog) -> None:
    # Quantisation kernels run where the experts' GEMMs take quantised activations, as
    # `step.flops_per_s` prices them: INT8 at the INT8 rate is W8A8 like FP8 (vLLM's fused MoE
    # quantises the input and the activation's output for int8_w8a8 as for fp8_w8a8), and NVFP4 is
    # W4A4 only on FP4 tensor cores; on a GPU without them it is a weight-only kernel fed bf16.
    qwen, h100, b200 = catalog.model("qwen3-235b-a22b").architecture, catalog.gpu("h100-sxm"), catalog.gpu("b200")
    assert h100.fp4_tflops is None and b200.fp4_tflops
    # Qwen3-235B INT8 at TP8: 94 layers × (2·8·4,096 + 2·4,096 + 8·(1,536 / 8)·(6 + 3) + 3·4,096).
    assert kernels.moe_io_bytes(qwen, h100, "int8", 8) == 94 * (2 * 8 * 4096 + 2 * 4096 + 8 * 192 * 9 + 3 * 4096)
    # DeepSeek-R1 NVFP4 at TP8: on the B200 as FP8 (168,960 bytes a layer), on the H100 as BF16.
    r1 = catalog.model("deepseek-r1").architecture
    assert kernels.moe_io_bytes(r1, b200, "nvfp4", 8) == 58 * 168_960
    assert kernels.moe_io_bytes(r1, h100, "nvfp4", 8) == 58 * (2 * 8 * 7168 + 2 * 7168 + 8 * 256 * 6)
    # Weight-only precisions never quantise the activations.
    for precision in ("int4", "mxfp4"):
        assert kernels.moe_io_bytes(r1, b200, precision, 8) == 58 * (2 * 8 * 7168 + 2 * 7168 + 8 * 256 * 6)
