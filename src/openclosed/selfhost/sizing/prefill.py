"""Prefill: the time one prompt takes to fill its KV cache, alone (its time to first token) or
batched in chunks with running decodes (the GPU time it adds to their steps), each part (dense
GEMMs, routed experts, attention) at its own rate."""

from __future__ import annotations

from dataclasses import dataclass

from ...catalog.architecture import Architecture
from ...catalog.schema import Gpu
from .attention import prefill_attention_flops, prefill_index_flops
from .groups import layout_of
from .kernels import expert_stream_efficiency, grouped_gemm_efficiency, moe_gemm_share, moe_io_bytes
from .layout import expert_params, replicated_params, shape_of
from .step import (
    DEFAULT_EFFICIENCY,
    REUSED_CACHES,
    Efficiency,
    Plan,
    StepModel,
    achieved_flops,
    attention_flops_rate,
    bandwidth,
    keep,
    reuse_on,
    reused,
)


@dataclass(frozen=True)
class PrefillTime:
    """GPU-seconds of one prompt's prefill by part, each at its own rate (one GPU's worth)."""

    dense_s: float  # attention projections, dense and shared-expert MLPs, lm_head
    expert_s: float  # routed experts' grouped GEMMs
    attention_s: float  # attention math, in 16 bits
    moe_io_s: float = 0.0  # MoE's kernels outside its GEMMs, on every rank of the attention group

    @property
    def total_s(self) -> float:
        return self.dense_s + self.expert_s + self.attention_s + self.moe_io_s


def prefill_parts(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    plan: Plan,
    tokens: float,
    chunk: float,
    eff: Efficiency,
    kv_bytes: float = 2.0,
) -> PrefillTime:
    """Prefill of `tokens` tokens, batched `chunk` tokens at a time (chunked prefill): the routed
    experts of each MoE MLP see chunk · k / E tokens each per step (times the attention groups under
    expert parallelism), and their grouped GEMMs run at that size's share of the dense rate."""
    return prefill_chunks(arch, gpu, precision, plan, tokens, (chunk,), eff, kv_bytes)[0]


def prefill_chunks(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    plan: Plan,
    tokens: float,
    chunks: tuple[float, ...],
    eff: Efficiency,
    kv_bytes: float = 2.0,
) -> list[PrefillTime]:
    """`prefill_parts` at each chunk size: only the routed experts' time depends on the chunk, so
    the dense and attention terms are worked out once (sizing asks for the prompt batched with
    decodes and alone). A new term that depends on the chunk goes in the loop over chunks; one
    that depends on the tokens only, beside `dense_s` and `attention_s`."""
    f, dense, attention_rate, moes, moe_io = _prefill_terms(arch, gpu, precision, plan, eff, kv_bytes)
    dense_s = dense * tokens / f
    attention = prefill_attention_flops(arch, tokens) + prefill_index_flops(arch, tokens) * (plan.tp - 1)
    attention_s = attention / attention_rate
    io_s = tokens * moe_io * plan.tp
    out = []
    for chunk in chunks:
        expert_s = 0.0
        for routed2, spread, active, experts, gemm, stream in moes:
            per_expert = chunk * spread * active / experts
            share = gemm * grouped_gemm_efficiency(per_expert, eff.expert_tokens_half) * stream
            expert_s += routed2 * tokens / f / share
        out.append(PrefillTime(dense_s, expert_s, attention_s, io_s))
    return out


_PREFILL: dict[tuple, tuple[Architecture, Gpu, Efficiency, tuple]] = {}
REUSED_CACHES.append(_PREFILL)


def _prefill_terms(
    arch: Architecture, gpu: Gpu, precision: str, plan: Plan, eff: Efficiency, kv_bytes: float
) -> tuple[float, float, float, list[tuple[float, int, int, int, float, float]], float]:
    """What `prefill_parts` reads that depends on neither the tokens nor the chunk, per replica
    (as `step_model`): the achieved FLOP rate, twice the dense parameters, prefill attention's
    FLOP rate, per MoE MLP twice its routed parameters, how many attention groups feed an
    expert, its active and total experts, its GEMM share and its shards' streaming share, and the
    seconds per token of MoE's kernels outside the GEMMs on one rank (kernels.moe_io_bytes)."""
    key = (id(arch), id(gpu), precision, plan, id(eff), kv_bytes)
    hit = reused(_PREFILL, key, arch, gpu, eff) if reuse_on() else None
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    s = shape_of(arch)
    split = 1 if plan.ep > 1 else plan.tp * plan.pp
    moes = []
    for mlp, count in layout_of(arch).moes:
        assert mlp.experts is not None and mlp.active_experts is not None
        routed = count * mlp.active_experts * expert_params(arch, mlp)
        moes.append(
            (
                2.0 * routed,
                plan.dp if plan.ep > 1 else 1,
                mlp.active_experts,
                mlp.experts,
                moe_gemm_share(gpu, eff.moe_gemm_share, precision),
                expert_stream_efficiency(mlp.width / split, eff.expert_width_half),
            )
        )
    dense = 2.0 * max(s.active_compute - s.active_expert_params, 1.0)
    if plan.tp > 1:  # every attention rank runs MLA's latent down projections in full
        dense += 2.0 * replicated_params(arch) * (plan.tp - 1)
    terms = (
        achieved_flops(gpu, precision, eff),
        dense,
        attention_flops_rate(gpu, arch, eff, kv_bytes, prefill=True),
        moes,
        moe_io_bytes(arch, gpu, precision, plan.tp) / bandwidth(gpu, "bf16", eff),
    )
    if reuse_on():
        keep(_PREFILL, key, arch, gpu, eff, terms)
    return terms


def prefill_compute_s(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int | Plan,
    tokens: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
    kv_bytes: float = 2.0,
) -> float:
    """GPU time the prefill of one prompt adds when batched with running decodes (spread over
    every GPU of the replica), in chunks of `prefill_chunk_tokens` shared with other prompts."""
    if tokens <= 0:
        return 0.0
    plan = tp if isinstance(tp, Plan) else Plan(tp=tp)
    return batched_s(
        prefill_parts(arch, gpu, precision, plan, tokens, eff.prefill_chunk_tokens, eff, kv_bytes), plan, eff
    )


def batched_s(t: PrefillTime, plan: Plan, eff: Efficiency) -> float:
    """`prefill_compute_s` of the prompt's parts `t` at `prefill_chunk_tokens`."""
    # Under expert parallelism a chunk's expert GEMMs wait for the busiest rank, as a decode
    # step's do (and as prefill_s already counts).
    imbalance = eff.ep_imbalance if plan.ep > 1 else 1.0
    return (t.dense_s + t.attention_s + t.moe_io_s + t.expert_s * imbalance) / plan.gpus


def prefill_s(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int | Plan,
    tokens: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
    model: StepModel | None = None,
    kv_bytes: float = 2.0,
) -> float:
    """Time to prefill one prompt alone: compute-bound, but never faster than one weight read.

    The prompt runs on its attention group (tp GPUs) through every pipeline stage in turn; with
    expert parallelism its expert FLOPs spread over all ep GPUs and its tokens cross the all-to-all.
    `model`: the replica's decode-step model, when the caller has one (its weight and
    communication terms do not depend on the context).
    """
    plan = tp if isinstance(tp, Plan) else Plan(tp=tp)
    if tokens <= 0:
        return 0.0
    t = prefill_parts(arch, gpu, precision, plan, tokens, min(tokens, eff.prefill_chunk_tokens), eff, kv_bytes)
    return alone_s(t, arch, gpu, precision, plan, tokens, eff, model, kv_bytes)


def alone_s(
    t: PrefillTime,
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    plan: Plan,
    tokens: float,
    eff: Efficiency,
    model: StepModel | None,
    kv_bytes: float,
) -> float:
    """`prefill_s` of a prompt of `tokens` tokens (> 0) whose parts, at a chunk of the whole
    prompt or `prefill_chunk_tokens`, are `t`."""
    if plan.ep > 1 and t.expert_s:
        compute = (t.dense_s + t.attention_s + t.moe_io_s) / plan.tp + t.expert_s / plan.ep * eff.ep_imbalance
    else:
        compute = t.total_s / plan.tp
    if model is None:
        model = StepModel(arch, gpu, precision, plan, 1.0, eff, kv_bytes)
    memory = model.weight_read(max(tokens, 1)) / plan.tp / bandwidth(gpu, precision, eff)
    comm = 0.0
    if plan.tp > 1:
        comm += model.ar_fixed + model.ar_per_token * tokens
    if plan.ep > 1:
        comm += model.a2a_fixed + model.a2a_per_token * tokens * plan.gpus / plan.tp
    if plan.pp > 1:
        comm += model.pp_fixed + model.pp_per_token * tokens
    return max(compute, memory) + comm
