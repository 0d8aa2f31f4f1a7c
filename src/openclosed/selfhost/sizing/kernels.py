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

from ...catalog.schema import Architecture, Gpu
from ..families import generation

# Kernels one layer launches in a decode step, by part (vLLM and SGLang model code, CUDA-graph mode):
# - attention (GQA/MHA): input norm, QKV projection, rotary + cache write, attention, output
#   projection, residual add: 6;
# - MLA: norm, q down/up projections, kv down projection + norm, rotary + latent cache write,
#   absorbed q·W_uk, attention, absorbed ·W_uv, output projection: 9;
# - sparse attention on MLA (DeepSeek-V3.2 DSA): MLA's 9, plus the indexer's projection, score,
#   top-k and its cache write: 13;
# - linear attention (Gated DeltaNet, Mamba-2): norm, input projection, short convolution,
#   gating, recurrent update, output norm and gate, output projection: 7;
# - dense MLP: norm, gate-up, activation-down fused on most engines: 3;
# - MoE MLP: norm, router, top-k, permute/dispatch, two grouped GEMMs, un-permute/combine,
#   shared expert: 8.
KERNELS_PER_LAYER = {"attention": 6, "mla": 9, "sparse": 13, "linear": 7, "dense": 3, "moe": 8}

# Share of the dense-GEMM bandwidth / FLOP rate that each mixer's attention kernels reach.
# FlashAttention-3 forward reaches about 0.6-0.75 of H100 BF16 peak, FlashMLA's decode about
# 0.8 of bandwidth (deepseek-ai/FlashMLA README: 3,000 GB/s of 3,350 on H800); fitted within
# those bounds on the calibration rows.
ATTENTION_EFFICIENCY = {"attention": 0.7, "mla": 1.0, "sparse": 0.2, "linear": 1.0}


@dataclass(frozen=True)
class Generation:
    """What a GPU generation's serving stack reaches: `throughput` multiplies the achieved
    bandwidth and FLOP rate (Hopper = 1, where the efficiency factors were measured), `kernel_us`
    is the fixed cost of one kernel."""

    throughput: float
    kernel_us: float
    evidence: str


GENERATIONS: dict[str, Generation] = {
    "hopper": Generation(1.0, 5.0, "fitted"),
    "blackwell": Generation(0.9, 4.0, "fitted"),
    "cdna3": Generation(1.0, 20.0, "fitted"),
    "cdna4": Generation(1.0, 6.0, "fitted"),
    "ampere": Generation(1.0, 4.0, "no fit rows: Hopper's factors"),
    "ada": Generation(1.0, 4.0, "no fit rows: Hopper's factors"),
}
# GPUs of no listed generation take their vendor's closest: AMD parts CDNA3, the rest Hopper.
_VENDOR_DEFAULT = {"amd": "cdna3"}


def generation_of(gpu: Gpu) -> Generation:
    gen = generation(gpu.id)
    if gen not in GENERATIONS:
        gen = _VENDOR_DEFAULT.get(gpu.vendor, "hopper")
    return GENERATIONS[gen]


def mixer_kind(arch: Architecture) -> str:
    if arch.sparse_attention is not None:
        return "sparse"
    if arch.attention == "mla":
        return "mla"
    return "attention"


def kernels_per_step(arch: Architecture) -> float:
    """Kernels of one decode step over every layer (the embedding and lm_head add 2)."""
    mixer = mixer_kind(arch)
    if arch.linear_attention is not None and arch.full_attention_layers is not None:
        mixers = arch.full_attention_layers * KERNELS_PER_LAYER["attention"] + (
            arch.linear_attention.layers * KERNELS_PER_LAYER["linear"]
        )
    else:
        mixers = arch.layers * KERNELS_PER_LAYER[mixer]
    moe_layers = arch.moe.moe_layers if arch.moe is not None else 0
    mlps = moe_layers * KERNELS_PER_LAYER["moe"] + (arch.layers - moe_layers) * KERNELS_PER_LAYER["dense"]
    return mixers + mlps + 2


def attention_efficiency(arch: Architecture) -> float:
    """Share of the streaming / GEMM rate the model's attention kernels reach (KV reads, attention
    FLOPs); a hybrid's KV is read by its full-attention layers."""
    return ATTENTION_EFFICIENCY[mixer_kind(arch)]


def expert_stream_efficiency(width: float, half: float) -> float:
    """Share of the dense streaming rate at which a grouped GEMM reads expert shards `width`
    columns wide."""
    return width / (width + half) if half > 0 else 1.0


def grouped_gemm_efficiency(tokens_per_expert: float, half: float) -> float:
    """Share of the dense GEMM rate a grouped GEMM reaches with `tokens_per_expert` rows each."""
    m = max(tokens_per_expert, 1e-9)
    return m / (m + half) if half > 0 else 1.0
