"""Self-hosting sizing from first principles: memory, decode step, prefill, batch, throughput.

Every formula here is written out in docs/methodology.md, and the efficiency factors below are
the measured values collected in shared/reference/selfhost.md (section 4). They are checked
against published measurements by tests/test_calibration.py and benchmarks/calibration.py.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field

from .catalog.schema import Architecture, Gpu

GIB = 1024**3
GB = 1e9

# Bytes per weight. Quantised formats carry scales: AWQ/GPTQ int4 with group 128 is about
# 4.5 bits; MXFP4 stores 32-element blocks with an 8-bit shared scale, 4.25 bits.
BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5625, "mxfp4": 0.53125}
# KV-cache element size served with each weight precision: fp8 deployments (TensorRT-LLM, vLLM
# with --kv-cache-dtype fp8) keep an fp8 cache; the others keep bf16.
KV_BYTES = {"bf16": 2.0, "fp8": 1.0, "int8": 2.0, "int4": 2.0, "mxfp4": 2.0}
PRECISIONS = tuple(BYTES_PER_PARAM)


@dataclass(frozen=True)
class Efficiency:
    """Documented defaults; see docs/methodology.md for the evidence behind each."""

    hbm_usable_share: float = 0.90  # vLLM gpu_memory_utilization default
    reserve_min_gib: float = 1.5  # activations, CUDA graphs, CUDA context
    reserve_share: float = 0.04
    mbu_bf16: float = 0.80  # measured H100 BF16 weight streaming 0.77-0.81
    mbu_quantised: float = 0.70  # measured H100 FP8 weight streaming 0.71
    mfu: float = 0.50  # end-to-end prefill / large-batch GEMMs 0.45-0.55
    allreduce_latency_us_fast: float = 12.0  # NVLink / Infinity Fabric, per all-reduce
    allreduce_latency_us_pcie: float = 40.0
    layer_overhead_us: float = 5.0  # kernel launches and small ops per layer
    expert_overhead_us: float = 18.0  # MoE routing/launch per (layer x active expert)
    max_batch: int = 1024  # engines cap running sequences (vLLM max_num_seqs, TRT max batch)
    kv_block_tokens: int = 16  # paged KV block size; sequences round up to it


DEFAULT_EFFICIENCY = Efficiency()


# ------------------------------------------------------------------ parameter bookkeeping


@dataclass(frozen=True)
class Shape:
    """Parameter groups derived from the architecture (all counts are parameters, not bytes)."""

    total: float
    embed: float  # input embedding
    lm_head: float  # 0 when tied to the embedding
    expert_params: float  # one routed expert in one layer
    routed_total: float  # every routed expert in every MoE layer
    dense_rest: float  # everything that is read on every token (attention, dense FFN, shared)
    active: float

    @property
    def active_compute(self) -> float:
        """Parameters that do matrix multiplies per token (the embedding lookup is free)."""
        return max(self.active - self.embed, 1.0) if self.lm_head else max(self.active, 1.0)


_SHAPES: dict[int, tuple[Architecture, Shape]] = {}


def shape_of(arch: Architecture) -> Shape:
    hit = _SHAPES.get(id(arch))
    if hit is not None and hit[0] is arch:
        return hit[1]
    shape = _shape(arch)
    _SHAPES[id(arch)] = (arch, shape)
    return shape


def _shape(arch: Architecture) -> Shape:
    total = arch.total_params_b * 1e9
    embed = float(arch.vocab_size * arch.hidden_size)
    lm_head = 0.0 if arch.tie_word_embeddings else embed
    if arch.moe is not None:
        expert = 3.0 * arch.hidden_size * arch.moe.moe_intermediate_size  # gate, up, down
        routed = arch.moe.moe_layers * arch.moe.experts * expert
        routed = min(routed, total * 0.99)
    else:
        expert = routed = 0.0
    return Shape(
        total=total,
        embed=embed,
        lm_head=lm_head,
        expert_params=expert,
        routed_total=routed,
        dense_rest=total - routed,
        active=arch.active_params_b * 1e9,
    )


def weight_bytes(arch: Architecture, precision: str) -> float:
    """Bytes of all weights at a precision; embeddings and lm_head stay in 16 bits."""
    s = shape_of(arch)
    bpp = BYTES_PER_PARAM[precision]
    sixteen = s.embed + s.lm_head
    if precision == "mxfp4":
        # gpt-oss style: routed experts in MXFP4, everything else in BF16.
        return s.routed_total * bpp + (s.total - s.routed_total) * 2.0
    if precision == "bf16":
        return s.total * 2.0
    return sixteen * 2.0 + (s.total - sixteen) * bpp


def distinct_experts(experts: int, k: int, batch: float) -> float:
    """Expected distinct experts a batch touches per layer: E·(1 − (1 − k/E)^B)."""
    return experts * (1.0 - (1.0 - k / experts) ** max(batch, 1.0))


def weight_read_bytes(arch: Architecture, precision: str, batch: float) -> float:
    """Bytes streamed from memory for one decode step of `batch` tokens."""
    s = shape_of(arch)
    total = weight_bytes(arch, precision)
    expert_bpp = BYTES_PER_PARAM[precision]
    routed_bytes = s.routed_total * expert_bpp
    rest_bytes = total - routed_bytes
    # The input embedding is a row lookup, not a stream of the whole matrix (unless tied, when
    # the same matrix is read as the lm_head).
    if s.lm_head:
        rest_bytes -= s.embed * 2.0
    if arch.moe is None:
        return rest_bytes
    touched = distinct_experts(arch.moe.experts, arch.moe.experts_per_token, batch)
    return rest_bytes + arch.moe.moe_layers * touched * s.expert_params * expert_bpp


# ------------------------------------------------------------------ KV cache


def kv_bytes_per_sequence(arch: Architecture, tokens: float, kv_bytes: float) -> float:
    """KV-cache bytes of one sequence of `tokens` tokens, summed over all layers and GPUs."""
    if arch.attention == "mla":
        assert arch.mla is not None
        # One compressed latent plus the decoupled RoPE key per token and layer.
        return arch.layers * (arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim) * kv_bytes * tokens
    per_layer_token = 2.0 * arch.kv_heads * arch.head_dim * kv_bytes
    if arch.attention == "hybrid-swa":
        assert arch.sliding_window is not None and arch.full_attention_layers is not None
        full = arch.full_attention_layers
        local = arch.layers - full
        return per_layer_token * (full * tokens + local * min(arch.sliding_window, tokens))
    return per_layer_token * arch.layers * tokens


def kv_divisor(arch: Architecture, tp: int) -> int:
    """How many ways one sequence's KV is split across tensor-parallel ranks."""
    if arch.attention == "mla":
        return 1  # the latent is replicated on every rank (no DP-attention)
    return min(tp, arch.kv_heads)


# ------------------------------------------------------------------ time model


def flops_per_s(gpu: Gpu, precision: str) -> float | None:
    if precision == "fp8":
        return gpu.fp8_tflops * 1e12 if gpu.fp8_tflops else None
    if precision == "int8":
        return (gpu.int8_tops or gpu.bf16_tflops) * 1e12
    # bf16, and weight-only int4 / mxfp4 kernels that compute in 16 bits.
    return gpu.bf16_tflops * 1e12


def supports(gpu: Gpu, precision: str) -> bool:
    return flops_per_s(gpu, precision) is not None


def _mbu(eff: Efficiency, precision: str) -> float:
    return eff.mbu_bf16 if precision == "bf16" else eff.mbu_quantised


def _allreduce_s(gpu: Gpu, arch: Architecture, tp: int, tokens: float, eff: Efficiency) -> float:
    if tp <= 1:
        return 0.0
    fast = not gpu.interconnect.lower().startswith("pcie")
    latency = (eff.allreduce_latency_us_fast if fast else eff.allreduce_latency_us_pcie) * 1e-6
    message = 2.0 * (tp - 1) / tp * tokens * arch.hidden_size * 2.0
    per = latency + message / (gpu.interconnect_gb_s * 1e9)
    return 2.0 * arch.layers * per  # one after attention, one after the FFN


def _attention_layers(arch: Architecture, context: float) -> float:
    """Layer-equivalents of full attention over `context` tokens (windowed layers see less)."""
    if arch.attention == "hybrid-swa":
        assert arch.sliding_window is not None and arch.full_attention_layers is not None
        local = arch.layers - arch.full_attention_layers
        return arch.full_attention_layers + local * min(arch.sliding_window, context) / max(context, 1)
    return float(arch.layers)


def _attn_dims(arch: Architecture) -> float:
    if arch.attention == "mla" and arch.mla is not None:
        qk = (arch.mla.qk_nope_head_dim or 128) + arch.mla.qk_rope_head_dim
        return (qk + (arch.mla.v_head_dim or 128)) / 2.0
    return float(arch.head_dim)


@dataclass
class StepTime:
    batch: int
    memory_s: float
    compute_s: float
    allreduce_s: float
    overhead_s: float
    weight_read_gb: float
    kv_read_gb: float

    @property
    def total_s(self) -> float:
        return max(self.memory_s, self.compute_s) + self.allreduce_s + self.overhead_s

    @property
    def bound(self) -> str:
        return "memory" if self.memory_s >= self.compute_s else "compute"


class StepModel:
    """Decode-step time as a function of batch size, with everything else computed once.

    t(B) = max(memory(B), compute(B)) + all-reduce(B) + fixed per-layer overheads, where
    memory(B) = (weights read at B / TP + B · KV(context) / KV split) / (bandwidth · MBU) and
    compute(B) = B · (2 · active params + attention FLOPs at context) / TP / (peak · MFU).
    """

    def __init__(
        self,
        arch: Architecture,
        gpu: Gpu,
        precision: str,
        tp: int,
        context: float,
        eff: Efficiency = DEFAULT_EFFICIENCY,
    ) -> None:
        s = shape_of(arch)
        self.tp = tp
        bpp = BYTES_PER_PARAM[precision]
        total = weight_bytes(arch, precision)
        routed = s.routed_total * bpp
        rest = total - routed
        if s.lm_head:
            rest -= s.embed * 2.0  # the input embedding is a row lookup
        self.rest_bytes = rest
        self.moe = arch.moe
        self.expert_bytes = (arch.moe.moe_layers * s.expert_params * bpp) if arch.moe else 0.0
        self.kv_seq = kv_bytes_per_sequence(arch, context, KV_BYTES[precision])
        self.kv_div = kv_divisor(arch, tp)
        self.bw = gpu.bandwidth_tb_s * 1e12 * _mbu(eff, precision)
        f = flops_per_s(gpu, precision) or gpu.bf16_tflops * 1e12
        attn = 4.0 * context * arch.attention_heads * _attn_dims(arch) * _attention_layers(arch, context)
        self.flops_per_seq = 2.0 * s.active_compute + attn
        self.flops = f * eff.mfu
        overhead = arch.layers * eff.layer_overhead_us * 1e-6
        if arch.moe is not None:
            overhead += arch.moe.moe_layers * arch.moe.experts_per_token * eff.expert_overhead_us * 1e-6
        self.overhead = overhead
        if tp > 1:
            fast = not gpu.interconnect.lower().startswith("pcie")
            latency = (eff.allreduce_latency_us_fast if fast else eff.allreduce_latency_us_pcie) * 1e-6
            self.ar_fixed = 2.0 * arch.layers * latency
            self.ar_per_token = (
                2.0 * arch.layers * 2.0 * (tp - 1) / tp * arch.hidden_size * 2.0 / (gpu.interconnect_gb_s * 1e9)
            )
        else:
            self.ar_fixed = self.ar_per_token = 0.0

    def weight_read(self, batch: float) -> float:
        if self.moe is None:
            return self.rest_bytes
        touched = distinct_experts(self.moe.experts, self.moe.experts_per_token, batch)
        return self.rest_bytes + touched * self.expert_bytes

    def parts(self, batch: int) -> tuple[float, float, float, float, float]:
        w = self.weight_read(batch)
        kv = batch * self.kv_seq
        memory = (w / self.tp + kv / self.kv_div) / self.bw
        compute = batch * self.flops_per_seq / self.tp / self.flops
        return memory, compute, self.ar_fixed + self.ar_per_token * batch, w, kv

    def time(self, batch: int) -> float:
        memory, compute, ar, _, _ = self.parts(batch)
        return (memory if memory > compute else compute) + ar + self.overhead

    def step(self, batch: int) -> StepTime:
        memory, compute, ar, w, kv = self.parts(batch)
        return StepTime(
            batch=batch,
            memory_s=memory,
            compute_s=compute,
            allreduce_s=ar,
            overhead_s=self.overhead,
            weight_read_gb=w / GB,
            kv_read_gb=kv / GB,
        )


def prefill_compute_s(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int,
    tokens: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
) -> float:
    """GPU time the prefill of one prompt adds when batched with running decodes."""
    if tokens <= 0:
        return 0.0
    s = shape_of(arch)
    f = flops_per_s(gpu, precision) or gpu.bf16_tflops * 1e12
    # Causal attention over the prompt: half of 4·T²·heads·d per layer.
    attn = 2.0 * tokens * tokens * arch.attention_heads * _attn_dims(arch) * _attention_layers(arch, tokens)
    return (2.0 * s.active_compute * tokens + attn) / tp / (f * eff.mfu)


def prefill_s(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int,
    tokens: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
) -> float:
    """Time to prefill one prompt alone: compute-bound, but never faster than one weight read."""
    compute = prefill_compute_s(arch, gpu, precision, tp, tokens, eff)
    bw = gpu.bandwidth_tb_s * 1e12 * _mbu(eff, precision)
    memory = weight_read_bytes(arch, precision, max(tokens, 1)) / tp / bw
    return max(compute, memory) + _allreduce_s(gpu, arch, tp, tokens, eff)


# ------------------------------------------------------------------ one deployment


@dataclass
class Memory:
    gpu_memory_gb: float
    usable_gb: float
    reserve_gb: float
    weights_gb: float
    weights_per_gpu_gb: float
    kv_pool_per_gpu_gb: float
    kv_cache_gb_per_sequence: float
    kv_per_token_kb: float


@dataclass
class Sizing:
    model: str
    gpu: str
    precision: str
    gpus: int
    fits: bool
    weights_gb: float
    kv_cache_gb_per_sequence: float
    max_concurrency: int
    concurrency: int
    ttft_ms: float
    tpot_ms: float
    decode_step_ms: float
    prefill_ms: float
    output_tokens_per_s: float
    per_stream_tokens_per_s: float
    requests_per_s: float
    input_tokens: float
    output_tokens: float
    mean_context_tokens: float
    bound: str
    meets_tpot: bool
    memory: Memory
    step: dict[str, float] = field(default_factory=dict)
    reason: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def memory_plan(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int,
    seq_tokens: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
) -> Memory:
    hbm = gpu.memory_gb * GB
    reserve = max(eff.reserve_min_gib * GIB, eff.reserve_share * hbm)
    usable = eff.hbm_usable_share * hbm - reserve
    weights = weight_bytes(arch, precision)
    per_gpu = weights / tp
    kv_seq = kv_bytes_per_sequence(arch, _round_block(seq_tokens, eff), KV_BYTES[precision])
    return Memory(
        gpu_memory_gb=gpu.memory_gb,
        usable_gb=usable / GB,
        reserve_gb=reserve / GB,
        weights_gb=weights / GB,
        weights_per_gpu_gb=per_gpu / GB,
        kv_pool_per_gpu_gb=(usable - per_gpu) / GB,
        kv_cache_gb_per_sequence=kv_seq / GB,
        kv_per_token_kb=kv_bytes_per_sequence(arch, 1, KV_BYTES[precision]) / 1e3,
    )


def _round_block(tokens: float, eff: Efficiency) -> float:
    return math.ceil(tokens / eff.kv_block_tokens) * eff.kv_block_tokens


def max_concurrency(arch: Architecture, mem: Memory, tp: int, eff: Efficiency) -> int:
    if mem.kv_pool_per_gpu_gb <= 0:
        return 0
    per_gpu_seq = mem.kv_cache_gb_per_sequence / kv_divisor(arch, tp)
    if per_gpu_seq <= 0:
        return eff.max_batch
    return int(min(mem.kv_pool_per_gpu_gb / per_gpu_seq, eff.max_batch))


def size(
    model_id: str,
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int,
    input_tokens: float,
    output_tokens: float,
    concurrency: int | None = None,
    max_tpot_ms: float | None = None,
    cached_share: float = 0.0,
    context_tokens: float | None = None,
    eff: Efficiency = DEFAULT_EFFICIENCY,
) -> Sizing:
    """Size one replica of `tp` GPUs.

    Without `concurrency`, serve the largest batch that fits memory and keeps the effective
    time per output token within `max_tpot_ms`. `context_tokens` is the longest single request
    that must fit (default input + output).
    """
    seq = input_tokens + output_tokens
    longest = max(context_tokens or seq, seq)
    mem = memory_plan(arch, gpu, precision, tp, seq, eff)
    cap = max_concurrency(arch, mem, tp, eff)
    longest_kv = kv_bytes_per_sequence(arch, _round_block(longest, eff), KV_BYTES[precision])
    fits_longest = mem.kv_pool_per_gpu_gb * GB >= longest_kv / kv_divisor(arch, tp)
    fits = cap >= 1 and fits_longest and supports(gpu, precision)
    mean_ctx = input_tokens + output_tokens / 2.0
    prefill_tokens = input_tokens * (1.0 - cached_share)
    p_cost = prefill_compute_s(arch, gpu, precision, tp, prefill_tokens, eff)

    model = StepModel(arch, gpu, precision, tp, mean_ctx, eff)
    interleave = p_cost / output_tokens

    def tpot_of(b: int) -> float:
        # Other sequences' prefills interleave with this one's decode steps (chunked prefill).
        return model.time(b) + (b - 1) * interleave

    reason = None
    if not supports(gpu, precision):
        reason = f"{gpu.id} has no {precision} tensor cores"
    elif cap < 1:
        reason = f"weights need {mem.weights_per_gpu_gb:.1f} GB per GPU but only {mem.usable_gb:.1f} GB is usable"
    elif not fits_longest:
        reason = f"a {longest:,.0f}-token request does not fit the KV cache"

    if concurrency is not None:
        batch = max(1, int(concurrency))
    elif not fits:
        batch = 1
    else:
        limit = max_tpot_ms / 1e3 if max_tpot_ms else None
        lo, hi = 1, cap
        if limit is None:
            lo = cap
        elif tpot_of(1) > limit:
            hi = 1
        else:
            while lo < hi:  # effective TPOT grows with the batch: bisect the largest that meets it
                mid = (lo + hi + 1) // 2
                if tpot_of(mid) <= limit:
                    lo = mid
                else:
                    hi = mid - 1
        batch = lo
    st = model.step(batch)
    tpot = tpot_of(batch)
    per_request = st.total_s * output_tokens / batch + p_cost
    rps = 1.0 / per_request
    t_prefill = prefill_s(arch, gpu, precision, tp, prefill_tokens, eff)
    # New requests queue for prefill behind each other: with `batch` streams busy, prefills
    # arrive at batch / (lifetime of a request); an M/D/1 queue gives the mean wait.
    lifetime = output_tokens * tpot + t_prefill
    rho = min(batch / lifetime * t_prefill, 0.99) if lifetime > 0 else 0.0
    queue_wait = rho / (2.0 * (1.0 - rho)) * t_prefill
    return Sizing(
        model=model_id,
        gpu=gpu.id,
        precision=precision,
        gpus=tp,
        fits=fits and (concurrency is None or batch <= cap),
        weights_gb=round(mem.weights_gb, 3),
        kv_cache_gb_per_sequence=round(mem.kv_cache_gb_per_sequence, 4),
        max_concurrency=cap,
        concurrency=batch,
        ttft_ms=round((t_prefill + queue_wait + st.total_s) * 1e3, 3),
        tpot_ms=round(tpot * 1e3, 3),
        decode_step_ms=round(st.total_s * 1e3, 3),
        prefill_ms=round(t_prefill * 1e3, 3),
        output_tokens_per_s=round(rps * output_tokens, 2),
        per_stream_tokens_per_s=round(1.0 / tpot, 2),
        requests_per_s=rps,
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        mean_context_tokens=mean_ctx,
        bound=st.bound,
        meets_tpot=max_tpot_ms is None or tpot * 1e3 <= max_tpot_ms + 1e-9,
        memory=mem,
        step={
            "memory_ms": st.memory_s * 1e3,
            "compute_ms": st.compute_s * 1e3,
            "allreduce_ms": st.allreduce_s * 1e3,
            "overhead_ms": st.overhead_s * 1e3,
            "weight_read_gb": st.weight_read_gb,
            "kv_read_gb": st.kv_read_gb,
            "prefill_compute_ms_per_request": p_cost * 1e3,
            "prefill_queue_ms": queue_wait * 1e3,
            "prefill_utilisation": rho,
        },
        reason=reason
        if not fits
        else (f"concurrency {batch} exceeds the {cap} sequences that fit" if batch > cap else None),
    )


def tp_candidates(gpu: Gpu, arch: Architecture, counts: list[int] | None = None) -> list[int]:
    """GPU counts a replica may use: within one node, dividing the attention heads."""
    options = counts or [1, 2, 4, 8]
    return sorted({n for n in options if n <= gpu.max_gpus_per_node and arch.attention_heads % n == 0})


def smallest_fit(
    model_id: str,
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    input_tokens: float,
    output_tokens: float,
    min_batch: int = 1,
    max_tpot_ms: float | None = None,
    counts: list[int] | None = None,
    eff: Efficiency = DEFAULT_EFFICIENCY,
) -> Sizing | None:
    """The smallest GPU count that fits with at least `min_batch` sequences."""
    for tp in tp_candidates(gpu, arch, counts):
        s = size(model_id, arch, gpu, precision, tp, input_tokens, output_tokens, max_tpot_ms=max_tpot_ms, eff=eff)
        if s.fits and s.max_concurrency >= min_batch and s.meets_tpot:
            return s
    return None
