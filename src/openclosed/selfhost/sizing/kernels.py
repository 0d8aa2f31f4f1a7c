"""Kernel efficiency terms of the step model (docs/methodology.md, "The step model").

A decode step or a prefill chunk is a sequence of kernels; three things make it slower than the
roofline of its bytes and FLOPs, and each has its own term here instead of one fitted overhead:

- every kernel has a fixed cost (launch under CUDA/HIP graphs, filling and draining the pipeline,
  the wait for the slowest block): `kernels_per_step(arch)` kernels × the generation's
  `kernel_us`. The kernel counts are read from the engines' layer code (below), not fitted;
- a MoE layer's grouped GEMM streams each touched expert's shard separately: a narrow shard
  (few columns per GPU) cannot keep the memory system busy, so its bytes move at
  w / (w + `expert_width_half`) of the dense rate; and it computes in tiles of
  `moe_tile_tokens` rows, so an expert that sees m tokens costs max(m, tile) rows of FLOPs, at
  m / (m + `expert_tokens_half`) of the dense GEMM rate when m is small;
- attention kernels reach their own share of the GPU (`ATTENTION_EFFICIENCY`, per mixer kind),
  and attention math runs in 16 bits whatever the weights' precision.

The generation factors (`GENERATIONS`) and the scalar terms in `Efficiency` were fitted on the
calibration rows whose sources are not held out (benchmarks/fit_calibration.py); the held-out
error per family is in docs/methodology.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...catalog.architecture import Architecture, Mixer
from ...catalog.schema import Gpu
from ..families import generation
from .groups import layout_of

# Kernels one layer launches in a decode step, by part (vLLM and SGLang model code, CUDA-graph mode):
# - attention (GQA/MHA): input norm, QKV projection, rotary + cache write, attention, output
#   projection, residual add: 6;
# - MLA: norm, q down/up projections, kv down projection + norm, rotary + latent cache write,
#   absorbed q·W_uk, attention, absorbed ·W_uv, output projection: 9;
# - sparse attention on MLA (DeepSeek-V3.2 DSA, GLM-5): MLA's 9, plus the indexer's query
#   preparation, projection, score, top-k and cache write, and the sparse kernel's index
#   conversion and split-KV combine: 15 (vLLM models/deepseek_v32/attention.py and
#   flashmla_sparse.py, read in a fork mirroring main at 91a893d, 2026-08; 13 until December 2026,
#   which left out the last three);
# - linear attention (Gated DeltaNet, Mamba-2): norm, input projection, short convolution,
#   gating, recurrent update, output norm and gate, output projection: 7;
# - dense MLP: norm, gate-up, activation-down fused on most engines: 3;
# - MoE MLP: norm, router, top-k, permute/dispatch, two grouped GEMMs, un-permute/combine,
#   shared expert: 8.
KERNELS_PER_LAYER = {"attention": 6, "mla": 9, "sparse": 15, "linear": 7, "dense": 3, "moe": 8}
# The indexer's kernels (projection, score, top-k, cache write) that sparse attention on GQA adds
# (MiniMax M3's block-sparse attention; no engine code read for it).
SPARSE_EXTRA = 4
# DeepSeek V4's compressed attention (same vLLM fork, models/deepseek_v4/attention.py,
# compressor.py, sparse_attn_indexer.py, nvidia/flashmla.py, nvidia/ops/o_proj.py, and
# kernels/mhc/tilelang.py): a CSA layer (compression 4, with an indexer) launches 24 kernels for
# its mixer (fused q/kv projection, three small side GEMMs, q/kv norm, wq_b, one fused norm-RoPE-
# cache kernel, the indexer's wq_b, q-RoPE-quantise, fill, logits and top-k, two compressors of two
# kernels each, index conversion, FlashMLA's split-KV and combine kernels, inverse-RoPE-quantise,
# the grouped wo_a and wo_b), an HCA layer (compression 128, no indexer) 14; both counts hold the
# mixer's hyper-connection call (2 kernels in place of the norm and residual add), and the MLP's
# hyper-connection call adds one kernel to the MoE's norm: 25 and 15 a layer besides the MoE's 8.
COMPRESSED_KERNELS = {"indexed": 25, "plain": 15}

# Share of the dense-GEMM bandwidth / FLOP rate that each mixer's attention kernels reach.
# FlashAttention-3 forward reaches about 0.6-0.75 of H100 BF16 peak, FlashMLA's decode about
# 0.9 of bandwidth (deepseek-ai/FlashMLA README: 3,000 GB/s of 3,350 on H800); fitted on the
# calibration rows (searched 0.3-1.0), so each share stands for the engines' whole attention path
# (paging metadata, the latent's small projections), not the kernel's best.
ATTENTION_EFFICIENCY = {"attention": 1.0, "mla": 0.6, "sparse": 0.3, "linear": 1.0}


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class Generation:
    """What a GPU generation's serving stack reaches, relative to Hopper's (where the efficiency
    factors were measured, all 1): `bandwidth` multiplies the achieved HBM bandwidth, `compute`
    the achieved FLOP rate (a stack can stream its memory as well as Hopper's and still reach a
    smaller share of a larger, power-limited tensor peak), `kernel_us` is the fixed cost of one
    kernel, `moe_gemm` multiplies the grouped-GEMM share of the dense GEMM rate
    (Efficiency.moe_gemm_share; the result is capped at 1), `attention` multiplies the attention
    kernels' share of that FLOP rate (a generation whose attention kernels are a generation older
    than its GEMM library's, e.g. FlashAttention-2 on Ampere against FlashAttention-3 on Hopper),
    and `sink_attention` multiplies it again for attention with learned sinks (gpt-oss) where the
    engines have no FlashAttention kernel for sinks and fall back to a Triton kernel (before Hopper:
    FlashAttention-2 has none; vLLM runs gpt-oss on Ampere with its TRITON_ATTN backend).
    `weight_only_moe` multiplies the grouped-GEMM share once more where the experts are 4-bit
    weight-only (`weight_only`: MXFP4, INT4, NVFP4 without FP4 tensor cores): those run another
    kernel than the Triton fused MoE the share was fitted on. vLLM picks MXFP4's in
    `quantization/mxfp4.py` (`get_mxfp4_backend`): OpenAI's triton_kernels on Hopper, Marlin
    elsewhere on CUDA; 4-bit INT4 experts run Marlin everywhere (compressed-tensors'
    `CompressedTensorsWNA16MarlinMoEMethod`). Marlin is an Ampere kernel (IST-DASLab/marlin: "not yet optimized for
    Hopper"); on Hopper a W4A16 grouped GEMM is issue-bound by its dequantisation (SGLang PR
    #38884's profile: 64 of 220 instructions of the inner loop are MMAs), while Ampere's slower
    tensor cores leave room to hide it."""

    bandwidth: float
    kernel_us: float
    evidence: str
    compute: float = 1.0
    moe_gemm: float = 1.0
    attention: float = 1.0
    sink_attention: float = 1.0
    weight_only_moe: float = 1.0


GENERATIONS: dict[str, Generation] = {
    # weight_only_moe: fitted (0.6-1.0: dequantising cannot make a compute-bound GEMM faster).
    "hopper": Generation(1.0, 5.0, "fitted", weight_only_moe=0.8),
    "blackwell": Generation(0.7, 3.0, "fitted", compute=0.9, moe_gemm=0.6),
    # Bandwidth and compute fitted inside what one harness measured on both GPUs (Azure's AI
    # benchmarking guide, ND MI300X v5 against ND H100 v5: HBM 0.77-0.93, FP8 GEMMs 0.56-0.68 of
    # the H100's shares; docs/methodology.md §3.9); the kernel cost is free (no measurement of it
    # under HIP graphs).
    "cdna3": Generation(0.8, 20.0, "fitted within kernel-measurement bounds", compute=0.55),
    "cdna4": Generation(1.0, 8.0, "fitted", compute=0.7),
    # Fitted on 9 MoE burst rows of one lab, each term inside the range its kernel measurements
    # allow (GEMM share 1.0-1.1 of Hopper's, FlashAttention-2 against -3: 0.6-0.9, a Triton
    # attention kernel 0.2-1.0 of FlashAttention's). FlashAttention-2's share and the Triton
    # kernel's (gpt-oss's sinks) were searched together: they trade off against each other.
    # Marlin's share for weight-only experts searched 1.0-1.8 (its dense GEMM's plateau bounds it).
    "ampere": Generation(
        1.0,
        4.0,
        "fitted within kernel-measurement bounds",
        compute=1.1,
        attention=0.6,
        sink_attention=0.3,
        weight_only_moe=1.3,
    ),
    # No fit rows: Hopper's factors, but attention with sinks falls back to the Triton kernel as on
    # Ampere (FlashAttention-3, the kernel with sinks, needs Hopper), at Ampere's fitted share.
    "ada": Generation(1.0, 4.0, "no fit rows: Hopper's factors", sink_attention=0.3),
}
# GPUs of no listed generation take their vendor's closest: AMD parts CDNA3, the rest Hopper.
_VENDOR_DEFAULT = {"amd": "cdna3"}


def generation_of(gpu: Gpu) -> Generation:
    gen = generation(gpu.id)
    if gen not in GENERATIONS:
        gen = _VENDOR_DEFAULT.get(gpu.vendor, "hopper")
    return GENERATIONS[gen]


def _mixer_part(m: Mixer) -> str:
    if m.sparse is not None:
        return "sparse"
    return "mla" if m.kind == "mla" else m.kind


def mixer_kind(arch: Architecture) -> str:
    """The kind whose attention kernels run the model's attention math: sparse where any layer's
    attention is sparse or compressed, else MLA where any layer is MLA, else attention (a hybrid's
    attention math is its full-attention layers')."""
    parts = {_mixer_part(m) for m, _ in layout_of(arch).mixers}
    for kind in ("sparse", "mla"):
        if kind in parts:
            return kind
    return "attention"


def _mixer_kernels(m: Mixer) -> int:
    if m.kind == "mla":
        return KERNELS_PER_LAYER["sparse" if m.sparse is not None else "mla"]
    if m.kind == "linear":
        return KERNELS_PER_LAYER["linear"]
    if m.sparse is not None and m.sparse.kind == "compressed":
        return COMPRESSED_KERNELS["indexed" if m.sparse.index_heads is not None else "plain"]
    return KERNELS_PER_LAYER["attention"] + (SPARSE_EXTRA if m.sparse is not None else 0)


def kernels_per_step(arch: Architecture) -> float:
    """Kernels of one decode step over every layer group (the embedding and lm_head add 2)."""
    total = 2
    for g in layout_of(arch).groups:
        mixer = _mixer_kernels(g.mixer) if g.mixer is not None else 0
        mlp = KERNELS_PER_LAYER[g.mlp.kind] if g.mlp is not None else 0
        total += g.count * (mixer + mlp)
    return total


def has_sinks(arch: Architecture) -> bool:
    """Whether any attention layer has learned sinks (its kernels must support them)."""
    return any(m.sinks for m, _ in layout_of(arch).mixers)


def attention_efficiency(arch: Architecture, prefill: bool = False) -> float:
    """Share of the GEMM rate the model's attention kernels reach (attention FLOPs). MLA runs two
    kernels: decode attends in the absorbed form over the latent cache (FlashMLA and its kin, the
    "mla" share), but prefill runs the compute-friendly form, ordinary multi-head attention over the
    up-projected K and V through FlashAttention's varlen kernel (vLLM v1/attention/backends/mla/
    common.py; SGLang's MHA prefill path): at GQA attention's share."""
    kind = mixer_kind(arch)
    if prefill and kind == "mla":
        kind = "attention"
    return ATTENTION_EFFICIENCY[kind]


def _quantised_activations(gpu: Gpu, precision: str) -> bool:
    """Whether the MoE's activations are quantised before its grouped GEMMs, as `step.flops_per_s`
    prices the GEMMs: W8A8 (FP8, and INT8 at the INT8 rate: vLLM's fused MoE quantises the input
    and the activation's output for int8_w8a8 as for fp8_w8a8), and NVFP4 where it runs as W4A4 on
    FP4 tensor cores. The others (BF16; weight-only INT4, MXFP4, and NVFP4 without FP4 tensor cores)
    feed them 16-bit activations."""
    return precision in ("fp8", "int8") or (precision == "nvfp4" and bool(gpu.fp4_tflops))


def moe_io_bytes(arch: Architecture, gpu: Gpu, precision: str, tp: int) -> float:
    """HBM bytes one GPU moves per token, over every MoE layer, in the standalone kernels around
    the grouped GEMMs of vLLM's and SGLang's fused-MoE path (vllm/model_executor/layers/fused_moe/
    fused_moe.py, TritonExperts.apply; SGLang's fused_moe_triton): the down GEMM writes each token's
    k expert outputs in bf16 at the width the experts return (the hidden size, or a latent MoE's
    latent: `intermediate_cache3`, shape (tokens, k, d)), and `moe_sum` reads all k back and writes
    one (2·k·d + 2·d bytes); the activation reads the first GEMM's output in bf16 and writes its
    result (gated: reads 2 × width / tp columns, writes width / tp: 6 bytes per column of each copy;
    ungated: 4). With quantised activations (`_quantised_activations`) the experts' input (read
    2·d, write d) and the activation's output (read 2, write 1 per column) are quantised by kernels
    of their own too.
    Under tensor parallelism every rank of an attention group holds all of its tokens, so the part
    at d does not split by tp as the GEMMs do. The GEMMs' own operand and output traffic is not
    counted: it overlaps their math. AMD's AITER kernels accumulate the second GEMM straight into
    one (tokens, hidden) buffer (ROCm/aiter aiter/fused_moe.py, `moe_sorting` allocates `moe_buf`
    of (M, model_dim)) with the activation fused into the first: 0 there."""
    if gpu.vendor == "amd":
        return 0.0
    quantised = _quantised_activations(gpu, precision)
    total = 0.0
    for mlp, count in layout_of(arch).moes:
        k = float(mlp.active_experts or 0)
        d = float(mlp.latent or arch.hidden_size)
        per_column = (6.0 if mlp.gated else 4.0) + (3.0 if quantised else 0.0)
        per_layer = 2.0 * k * d + 2.0 * d + k * mlp.width / tp * per_column + (3.0 * d if quantised else 0.0)
        total += count * per_layer
    return total


def weight_only(gpu: Gpu, precision: str) -> bool:
    """Whether the experts run as 4-bit weight-only kernels (16-bit activations, `step.flops_per_s`)."""
    return precision in ("int4", "mxfp4") or (precision == "nvfp4" and not gpu.fp4_tflops)


def moe_gemm_share(gpu: Gpu, share: float, precision: str = "bf16") -> float:
    """Share of the dense GEMM rate a MoE layer's grouped GEMMs reach on `gpu`'s generation."""
    gen = generation_of(gpu)
    factor = gen.moe_gemm * (gen.weight_only_moe if weight_only(gpu, precision) else 1.0)
    return min(1.0, share * factor)


def expert_stream_efficiency(width: float, half: float) -> float:
    """Share of the dense streaming rate at which a grouped GEMM reads expert shards `width`
    columns wide."""
    return width / (width + half) if half > 0 else 1.0


def grouped_gemm_efficiency(tokens_per_expert: float, half: float) -> float:
    """Share of the dense GEMM rate a grouped GEMM reaches with `tokens_per_expert` rows each."""
    m = max(tokens_per_expert, 1e-9)
    return m / (m + half) if half > 0 else 1.0
