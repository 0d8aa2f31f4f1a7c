"""Time model: decode step and prefill of one replica under a parallel plan.

t(B) = max(memory(B), compute(B)) + all-reduce(B) + all-to-all(B) + pipeline(B) + kernels × t_kernel.
Every term is written out in docs/methodology.md ("The step model"); the kernel terms are in
kernels.py, and the fitted factors were fitted on the calibration rows not held out.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ...catalog.architecture import Architecture
from ...catalog.schema import Gpu
from ..families import GENERATION, generation
from .attention import attention_flops_per_token, index_flops_per_token, kv_read_bytes
from .groups import layout_of
from .kernels import (
    GENERATIONS,
    Generation,
    attention_efficiency,
    expert_stream_efficiency,
    generation_of,
    grouped_gemm_efficiency,
    has_sinks,
    kernels_per_step,
    moe_gemm_share,
    moe_io_bytes,
)
from .layout import (
    GB,
    distinct_experts,
    expert_bytes_per_param,
    expert_params,
    replicated_bytes,
    replicated_params,
    shape_of,
    streamed_rest_bytes,
)


@dataclass(frozen=True)
class Efficiency:
    """Documented defaults; see docs/methodology.md for the evidence behind each. The terms marked
    'fitted' were fitted on the calibration rows whose sources are not held out
    (benchmarks/fit_calibration.py); the others are kernel measurements."""

    hbm_usable_share: float = 0.90  # vLLM gpu_memory_utilization default
    reserve_min_gib: float = 1.5  # activations, CUDA graphs, CUDA context
    reserve_share: float = 0.04
    mbu_bf16: float = 0.80  # measured H100 BF16 weight streaming 0.77-0.81
    mbu_quantised: float = 0.85  # fitted, at the top of measured FP8 streaming 0.71 (H100) to 0.85
    # Fitted: dense GEMMs reach 0.63-0.77 of peak alone, but a serving engine's prefill (chunked,
    # interleaved with decode, norms and all-reduces between GEMMs) reaches 0.55 end to end.
    mfu: float = 0.55
    # FP8 GEMMs' share of the FP8 peak relative to BF16's: fitted on the grid 0.85-0.9 that the H100
    # kernel measurements allow (FP8 0.62-0.63 of its peak against BF16's 0.69-0.71: 0.87-0.91).
    fp8_gemm_share: float = 0.85
    fp4_gemm_share: float = 0.7  # same for FP4 tensor cores (fitted)
    expert_width_half: float = 64.0  # expert-shard columns at which a grouped GEMM streams at half rate (fitted)
    # Rows of one decode grouped-GEMM tile: decode MoE kernels swap operands so that the tokens
    # are the narrow dimension, in tiles of 16 (fitted among 8, 16, 32, 64).
    moe_tile_tokens: int = 16
    # Tokens per expert at which a grouped GEMM computes at half rate; fitted to 0 (the tile
    # padding above already explains the small-batch rows).
    expert_tokens_half: float = 0.0
    # Share of the dense GEMM rate (mfu) that a MoE layer's grouped GEMMs reach when compute-bound
    # (prefill, large decode batches): the routed experts run as many small GEMMs behind a permute
    # and un-permute of every token's k copies, not as one large GEMM (fitted: 0.4 on Hopper, the
    # generation's moe_gemm factor elsewhere). Without it one MFU cannot fit both dense prefill
    # (too slow by ~30 %) and MoE max-throughput runs and bursts (too fast by 40-140 %).
    moe_gemm_share: float = 0.4
    # Under expert parallelism the step waits for the busiest GPU: real routing is skewed, so the
    # busiest rank holds more than its 1/ep share of the expert work even with many tokens (fitted
    # at 1.4 of the 1.0-1.5 searched: without EPLB, max/mean expert load is 1.3-1.5 in practice).
    ep_imbalance: float = 1.4
    prefill_chunk_tokens: int = 8192  # tokens of one chunked-prefill step (vLLM / SGLang default on large GPUs)
    allreduce_latency_us_fast: float = 12.0  # NVLink / Infinity Fabric, per all-reduce
    allreduce_latency_us_pcie: float = 40.0
    max_batch: int = 1024  # engines cap running sequences per attention group (vLLM max_num_seqs)
    # A model that leaves no room for one sequence under the default budget can still run with a
    # larger static fraction and a small batch: InferenceX runs DeepSeek-R1 FP8 on 4×B200 with SGLang
    # --mem-fraction-static 0.95, --max-running-requests 32, --cuda-graph-max-bs 32 and 8,192-token
    # prefill chunks (SemiAnalysisAI/InferenceX benchmarks/single_node/dsr1_fp8_b200.sh, TP=4).
    tight_usable_share: float = 0.95
    tight_max_batch: int = 32
    # What that run left outside the static fraction (5 % of 180 GiB) for activations, CUDA graphs of
    # 32 sequences and 8,192-token chunks: kept as a floor on every GPU (no evidence of less).
    tight_reserve_gib: float = 9.0
    kv_block_tokens: int = 16  # paged KV block size; sequences round up to it
    # Share of the NIC's line rate that expert-parallel all-to-all reaches across nodes: DeepEP
    # measures 43-58 GB/s per GPU over 400 Gb/s (50 GB/s) ConnectX-7 InfiniBand (normal kernels).
    network_efficiency: float = 0.85
    # Fixed cost of one cross-node dispatch or combine when the catalogue gives no latency: DeepEP's
    # low-latency kernels (128 tokens, EP16-EP64 on H800) take 12-32 µs beyond their bytes at 85 %
    # of 50 GB/s (deepseek-ai/DeepEP docs/legacy.md).
    network_latency_us_default: float = 20.0


DEFAULT_EFFICIENCY = Efficiency()


# Per GPU generation: the share of the datasheet its serving stack reaches and the fixed cost of
# one kernel (kernels.GENERATIONS, fitted on the calibration rows; docs/methodology.md, "Vendors
# are not equal"). The names below are kept for the callers of the earlier per-family maturity.
Maturity = Generation
ENGINE_MATURITY = GENERATIONS
GPU_FAMILY = GENERATION


def family_of(gpu: Gpu) -> str:
    gen = generation(gpu.id)
    return gen if gen in GENERATIONS else {"amd": "cdna3"}.get(gpu.vendor, "hopper")


def maturity_of(gpu: Gpu) -> Maturity:
    return generation_of(gpu)


@dataclass(frozen=True)
class Plan:
    """How one replica spreads over GPUs.

    `tp` GPUs split each attention layer (inside one node); `dp` attention groups each serve their
    own sequences (data-parallel attention, one per GPU for MLA models or one per node); `pp`
    pipeline stages split the layers (one per node); `ep` GPUs hold the routed experts (1: the
    experts are split like the rest, by tp × pp). GPUs = tp × dp × pp over `nodes` nodes.
    """

    tp: int = 1
    dp: int = 1
    pp: int = 1
    ep: int = 1
    nodes: int = 1

    @property
    def gpus(self) -> int:
        return self.tp * self.dp * self.pp

    @property
    def label(self) -> str:
        parts = [f"TP{self.tp}"]
        if self.dp > 1:
            parts.append(f"DP{self.dp}")
        if self.ep > 1:
            parts.append(f"EP{self.ep}")
        if self.pp > 1:
            parts.append(f"PP{self.pp}")
        return f"{self.nodes}×{self.gpus // self.nodes} GPUs, " + " ".join(parts)


def flops_per_s(gpu: Gpu, precision: str) -> float | None:
    if precision == "fp8":
        return gpu.fp8_tflops * 1e12 if gpu.fp8_tflops else None
    if precision == "int8":
        return (gpu.int8_tops or gpu.bf16_tflops) * 1e12
    if precision == "nvfp4" and gpu.fp4_tflops:
        return gpu.fp4_tflops * 1e12  # W4A4 on FP4 tensor cores
    # bf16, and weight-only int4 / mxfp4 / nvfp4 kernels that dequantise and compute in 16 bits.
    return gpu.bf16_tflops * 1e12


def supports(gpu: Gpu, precision: str) -> bool:
    return flops_per_s(gpu, precision) is not None


def mbu(eff: Efficiency, precision: str) -> float:
    return eff.mbu_bf16 if precision == "bf16" else eff.mbu_quantised


def bandwidth(gpu: Gpu, precision: str, eff: Efficiency) -> float:
    """Achieved HBM bytes/s."""
    return gpu.bandwidth_tb_s * 1e12 * mbu(eff, precision) * maturity_of(gpu).bandwidth


def gemm_share(gpu: Gpu, precision: str, eff: Efficiency) -> float:
    """Share of its own peak an FP8 or FP4 GEMM reaches, relative to a BF16 GEMM's share."""
    if precision == "fp8" and gpu.fp8_tflops:
        return eff.fp8_gemm_share
    if precision == "nvfp4" and gpu.fp4_tflops:
        return eff.fp4_gemm_share
    return 1.0


def achieved_flops(gpu: Gpu, precision: str, eff: Efficiency) -> float:
    f = flops_per_s(gpu, precision) or gpu.bf16_tflops * 1e12
    return f * eff.mfu * gemm_share(gpu, precision, eff) * maturity_of(gpu).compute


def attention_flops_rate(
    gpu: Gpu, arch: Architecture, eff: Efficiency, kv_bytes: float = 2.0, prefill: bool = False
) -> float:
    """Attention math runs at the precision of the KV cache, not of the weights: 16 bits over a
    BF16 cache, FP8 over an FP8 cache where the GPU has FP8 tensor cores (TensorRT-LLM's FP8
    FMHA, FlashAttention-3 FP8); at its mixer's share of the GEMM rate."""
    peak = gpu.fp8_tflops if kv_bytes <= 1.0 and gpu.fp8_tflops else gpu.bf16_tflops
    gen = maturity_of(gpu)
    sinks = gen.sink_attention if has_sinks(arch) else 1.0
    return peak * 1e12 * eff.mfu * attention_efficiency(arch, prefill) * gen.compute * gen.attention * sinks


def nic_bytes_per_s(gpu: Gpu, eff: Efficiency) -> float | None:
    if gpu.network_gbit_s is None:
        return None
    return gpu.network_gbit_s / 8.0 * 1e9 * eff.network_efficiency


def _link_latency(gpu: Gpu, eff: Efficiency) -> float:
    fast = not gpu.interconnect.lower().startswith("pcie")
    return (eff.allreduce_latency_us_fast if fast else eff.allreduce_latency_us_pcie) * 1e-6


def _net_latency(gpu: Gpu, eff: Efficiency) -> float:
    return (gpu.network_latency_us or eff.network_latency_us_default) * 1e-6 + _link_latency(gpu, eff)


# A record: nothing compares or prints it, so no generated `==` or repr (each generated method is
# compiled when the module is imported, a start-up cost of every command).
@dataclass(eq=False, repr=False)
class StepTime:
    """One decode step of a replica at a batch size: its time by part and the bytes it reads."""

    batch: int
    memory_s: float
    compute_s: float
    allreduce_s: float
    overhead_s: float
    weight_read_gb: float
    kv_read_gb: float
    alltoall_s: float = 0.0
    pipeline_s: float = 0.0
    # The attention kernels' share of memory_s (KV and state reads) and of compute_s (attention
    # math): they run after the weight GEMMs, not beside them (see StepModel).
    kv_memory_s: float = 0.0
    attention_s: float = 0.0
    # MoE's standalone kernels around the grouped GEMMs (kernels.moe_io_bytes), one after another.
    moe_io_s: float = 0.0

    @property
    def total_s(self) -> float:
        gemm = max(self.memory_s - self.kv_memory_s, self.compute_s - self.attention_s)
        attn = max(self.kv_memory_s, self.attention_s)
        return gemm + attn + self.allreduce_s + self.alltoall_s + self.pipeline_s + self.overhead_s + self.moe_io_s

    @property
    def bound(self) -> str:
        return "memory" if self.memory_s >= self.compute_s else "compute"


def step_overhead_s(arch: Architecture, gpu: Gpu, eff: Efficiency = DEFAULT_EFFICIENCY) -> float:
    """The fixed part of one decode step (its kernels, each at the generation's kernel cost),
    whatever the batch and the GPU count: no step of this model on this GPU is shorter."""
    del eff  # the kernel cost is the generation's (maturity_of), not an efficiency input
    return kernels_per_step(arch) * maturity_of(gpu).kernel_us * 1e-6


class StepModel:
    """Decode time of one token of every running sequence, as a function of the batch B.

    Per GPU, with b = B/dp sequences per attention group and m = b/pp per pipeline micro-batch:
    memory = (non-expert weights / tp + experts touched by the tokens an expert shard sees / ep
    (or tp) + m · KV read per sequence / KV split) / (bandwidth · MBU), compute = m · FLOPs per
    token / tp / (peak · MFU); plus tp all-reduces, ep all-to-all (dispatch and combine) and pp − 1
    stage hand-offs. A pipeline processes pp micro-batches at once, so the step serves all B.
    """

    def __init__(
        self,
        arch: Architecture,
        gpu: Gpu,
        precision: str,
        plan: Plan | int,
        context: float,
        eff: Efficiency = DEFAULT_EFFICIENCY,
        kv_bytes: float = 2.0,
    ) -> None:
        plan = plan if isinstance(plan, Plan) else Plan(tp=plan)
        self.plan = plan
        self.tp = plan.tp
        s = shape_of(arch)
        lay = layout_of(arch)
        self.rest_bytes = streamed_rest_bytes(arch, precision)
        # MLA's latent down projections are whole on every tensor-parallel rank: each rank reads
        # and computes them in full, not a 1/tp share.
        self.rep_bytes = replicated_bytes(arch, precision) * (plan.tp - 1)
        self.rep_flops = 2.0 * replicated_params(arch) * (plan.tp - 1)
        self.expert_div = plan.ep if plan.ep > 1 else plan.tp * plan.pp
        self.bw = bandwidth(gpu, precision, eff)
        self.flops = achieved_flops(gpu, precision, eff)
        self.attn_rate = attention_flops_rate(gpu, arch, eff, kv_bytes)
        self._context(arch, context, kv_bytes)
        # Per distinct MoE MLP (a grouped GEMM of its own): experts, active experts, bytes of one
        # expert in all its layers, the share of the streaming rate its shards reach (narrow shards
        # stream slower) and the FLOPs of one token through one expert in all its layers.
        bpp = expert_bytes_per_param(arch, precision)
        split = 1 if plan.ep > 1 else plan.tp * plan.pp
        self.moes: list[tuple[int, int, float, float, float]] = []
        for mlp, count in lay.moes:
            assert mlp.experts is not None and mlp.active_experts is not None
            one = expert_params(arch, mlp)
            stream = expert_stream_efficiency(mlp.width / split, eff.expert_width_half)
            self.moes.append((mlp.experts, mlp.active_experts, count * one * bpp, stream, 2.0 * count * one))
        self.imbalance = eff.ep_imbalance if plan.ep > 1 else 1.0
        self.tile = float(eff.moe_tile_tokens)
        self.moe_share = moe_gemm_share(gpu, eff.moe_gemm_share, precision)
        self.tokens_half = eff.expert_tokens_half
        self.dense_flops_per_seq = 2.0 * max(s.active_compute - s.active_expert_params, 1.0)
        self.overhead = step_overhead_s(arch, gpu, eff)
        # Seconds per token of one attention group's MoE kernels outside the GEMMs (memory-bound).
        self.moe_io = moe_io_bytes(arch, gpu, precision, plan.tp) / bandwidth(gpu, "bf16", eff)
        tp = plan.tp
        if tp > 1:
            self.ar_fixed = 2.0 * arch.layers * _link_latency(gpu, eff)
            self.ar_per_token = (
                2.0 * arch.layers * 2.0 * (tp - 1) / tp * arch.hidden_size * 2.0 / (gpu.interconnect_gb_s * 1e9)
            )
        else:
            self.ar_fixed = self.ar_per_token = 0.0
        # Expert-parallel all-to-all: each token goes to k experts, dispatched in fp8 (1 byte per
        # element) and combined back in bf16 (2 bytes), per MoE layer; the share bound for other
        # nodes crosses the NIC, the rest NVLink.
        self.a2a_fixed = self.a2a_per_token = 0.0
        if plan.ep > 1 and lay.moes:
            inter = (plan.nodes - 1) / plan.nodes
            nic = nic_bytes_per_s(gpu, eff) or gpu.interconnect_gb_s * 1e9
            for mlp, count in lay.moes:
                assert mlp.active_experts is not None
                per_token = mlp.active_experts * arch.hidden_size * 3.0 / plan.gpus
                self.a2a_per_token += count * per_token * (inter / nic + (1 - inter) / (gpu.interconnect_gb_s * 1e9))
            lat = _net_latency(gpu, eff) if plan.nodes > 1 else _link_latency(gpu, eff)
            self.a2a_fixed = lay.moe_layers * 2.0 * lat
        # Pipeline hand-off: the micro-batch's hidden states (bf16) cross the NIC between stages.
        self.pp_fixed = self.pp_per_token = 0.0
        if plan.pp > 1:
            nic = nic_bytes_per_s(gpu, eff) or gpu.interconnect_gb_s * 1e9
            self.pp_fixed = (plan.pp - 1) * _net_latency(gpu, eff)
            self.pp_per_token = (plan.pp - 1) * arch.hidden_size * 2.0 / nic

    def _context(self, arch: Architecture, context: float, kv_bytes: float) -> None:
        """The only terms that depend on the mean context (`at`): everything else is the
        architecture's, the GPU's, the precision's and the plan's."""
        plan = self.plan
        self.kv_read_gpu = kv_read_bytes(arch, context, kv_bytes, plan.tp) / plan.pp
        self.kv_read_seq = kv_read_bytes(arch, context, kv_bytes)
        # An indexer scores every cached key on every tensor-parallel rank: its FLOPs do not split.
        index = index_flops_per_token(arch, context) * (plan.tp - 1)
        self.attn_flops_per_seq = (attention_flops_per_token(arch, context) + index) / self.attn_rate

    def at(self, arch: Architecture, context: float, kv_bytes: float) -> StepModel:
        """The same replica at another mean context (`arch` and `kv_bytes` as built): a copy with
        the context's terms worked out again, the same numbers as a new StepModel."""
        new = object.__new__(StepModel)
        new.__dict__.update(self.__dict__)
        new._context(arch, context, kv_bytes)
        return new

    def _expert_compute(self, tokens: float, touched: float, k: int, stream: float, flops: float) -> float:
        """Grouped-GEMM time of one expert shard's share of one MoE MLP: each touched expert
        computes in tiles of `moe_tile_tokens` rows, at a rate that falls when it sees few tokens."""
        per_expert = tokens * k / max(touched, 1e-9)
        rows = touched * max(per_expert, self.tile)
        rate = self.flops * self.moe_share * grouped_gemm_efficiency(per_expert, self.tokens_half) * stream
        return rows * flops / self.expert_div / rate * self.imbalance

    def weight_read(self, batch: float) -> float:
        """Weight bytes one GPU reads per micro-step for `batch` tokens seen by its expert shard."""
        total = self.rest_bytes
        for e, k, b, _, _ in self.moes:  # a loop, not a generator: this runs per step
            total += distinct_experts(e, k, batch) * b
        return total

    def parts(self, batch: int, tokens: int = 1) -> tuple[float, ...]:
        """The step's terms for `batch` sequences each running `tokens` query tokens (1 in plain
        decoding; the draft plus one when a speculative step verifies drafted tokens: the weights and
        each sequence's cache are read once, the FLOPs and the tokens sent over the links grow):
        memory, compute, all-reduce, all-to-all, pipeline, weight bytes, KV bytes, the attention
        kernels' memory and compute time, and MoE's kernels outside its GEMMs."""
        p = self.plan
        group = batch / p.dp  # sequences of one attention group
        micro = group / p.pp
        expert_tokens = (batch if p.ep > 1 else micro) * tokens  # an expert shard sees every group's tokens
        w = w_time = (self.rest_bytes + self.rep_bytes) / p.tp
        attention = micro * tokens * self.attn_flops_per_seq / p.tp
        compute = micro * tokens * (self.dense_flops_per_seq + self.rep_flops) / p.tp / self.flops + attention
        for e, k, b, stream, flops in self.moes:
            touched = distinct_experts(e, k, expert_tokens)
            experts = touched * b * (p.pp if p.ep == 1 else 1) / self.expert_div
            w += experts
            w_time += experts / stream * self.imbalance
            compute += self._expert_compute(expert_tokens, touched, k, stream, flops)
        kv = micro * self.kv_read_gpu * p.pp
        kv_memory = kv / self.bw
        memory = w_time / self.bw + kv_memory
        ar = self.ar_fixed + self.ar_per_token * micro * tokens
        a2a = self.a2a_fixed + self.a2a_per_token * batch * tokens
        pipe = self.pp_fixed + self.pp_per_token * micro * tokens
        io = self.moe_io * micro * tokens
        return memory, compute, ar, a2a, pipe, w * p.tp * p.dp, batch * self.kv_read_seq, kv_memory, attention, io

    def time(self, batch: int, tokens: int = 1) -> float:
        return self.total(self.parts(batch, tokens))

    def total(self, parts: tuple[float, ...]) -> float:
        """The step's time from its `parts` (`time`; `StepTime.total_s` is the same sum)."""
        memory, compute, ar, a2a, pipe, _, _, kv_memory, attention, io = parts
        # The weight GEMMs and the attention kernels run one after the other, each bound by its own
        # memory or compute; they do not overlap.
        gemm = memory - kv_memory
        if compute - attention > gemm:
            gemm = compute - attention
        attn = kv_memory if kv_memory > attention else attention
        return gemm + attn + ar + a2a + pipe + self.overhead + io

    def step(self, batch: int) -> StepTime:
        return step_time(batch, self.parts(batch), self.overhead)


def step_time(batch: int, parts: tuple[float, ...], overhead: float) -> StepTime:
    """The StepTime of a step of `batch` sequences from its `StepModel.parts` (one query token each)."""
    memory, compute, ar, a2a, pipe, w, kv, kv_memory, attention, io = parts
    return StepTime(
        batch=batch,
        memory_s=memory,
        compute_s=compute,
        allreduce_s=ar,
        overhead_s=overhead,
        weight_read_gb=w / GB,
        kv_read_gb=kv / GB,
        alltoall_s=a2a,
        pipeline_s=pipe,
        kv_memory_s=kv_memory,
        attention_s=attention,
        moe_io_s=io,
    )


# StepModels by (architecture, GPU, precision, plan, efficiency, KV bytes), for `step_model`: the
# objects are kept with their entry, so their ids cannot be reused while it stands.
_MODELS: dict[tuple, tuple[Architecture, Gpu, Efficiency, StepModel]] = {}
REUSED_MAX = 20_000
_reuse = 0  # > 0 inside `reusing()`
# Every per-replica cache `reusing()` empties on the way out (the prefill's registers its own).
REUSED_CACHES: list[dict] = [_MODELS]


def reuse_on() -> bool:
    """Inside `reusing()`: per-replica terms may be kept and reused."""
    return _reuse > 0


def reused(cache: dict, key: tuple, arch: Architecture, gpu: Gpu, eff: Efficiency) -> Any:
    """What `keep` stored under `key` (ids of the architecture, GPU and efficiency, and the rest of
    the replica's shape) for these very objects, else None: an id is reused once its object is
    freed, so the entry holds the objects and is checked against them."""
    hit = cache.get(key)
    if hit is not None and hit[0] is arch and hit[1] is gpu and hit[2] is eff:
        return hit[3]
    return None


def keep(cache: dict, key: tuple, arch: Architecture, gpu: Gpu, eff: Efficiency, value: Any) -> None:
    """Store a per-replica value for `reused`; a cache past REUSED_MAX entries starts again."""
    if len(cache) >= REUSED_MAX:
        cache.clear()
    cache[key] = (arch, gpu, eff, value)


@contextmanager
def reusing() -> Iterator[None]:
    """Within it, `step_model` and the prefill reuse, per replica, the terms that depend on neither
    the tokens nor the context; emptied on the way out. Only around work that sizes the same
    replicas at many token profiles and changes no fitted factor meanwhile (traffic classes): the
    calibration fit rewrites the kernel tables in place between two sizings."""
    global _reuse
    _reuse += 1
    try:
        yield
    finally:
        _reuse -= 1
        if not _reuse:
            for cache in REUSED_CACHES:
                cache.clear()


def step_model(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    plan: Plan,
    context: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
    kv_bytes: float = 2.0,
) -> StepModel:
    """`StepModel(...)`; inside `reusing()`, built once per replica and moved to each mean context
    (`StepModel.at`): a workload with 100 traffic classes sizes each replica at 100 token profiles,
    and all but three of the step model's terms are the same at every one."""
    if not _reuse:
        return StepModel(arch, gpu, precision, plan, context, eff, kv_bytes)
    key = (id(arch), id(gpu), precision, plan, id(eff), kv_bytes)
    hit = reused(_MODELS, key, arch, gpu, eff)
    if hit is not None:
        return hit.at(arch, context, kv_bytes)  # type: ignore[no-any-return]
    model = StepModel(arch, gpu, precision, plan, context, eff, kv_bytes)
    keep(_MODELS, key, arch, gpu, eff, model.at(arch, context, kv_bytes))
    return model
