"""Time model: decode step and prefill of one replica under a parallel plan.

t(B) = max(memory(B), compute(B)) + all-reduce(B) + all-to-all(B) + pipeline(B) + overheads.
Every term is written out in docs/methodology.md; the efficiency factors are the measured values
of its section "Efficiency factors" (with their public sources), the per-family factors in ENGINE_MATURITY below.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...catalog.schema import Architecture, Gpu
from .groups import layout_of
from .layout import (
    GB,
    attention_flops_per_token,
    distinct_experts,
    expert_sets,
    kv_read_bytes,
    prefill_attention_flops,
    shape_of,
    streamed_rest_bytes,
)


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


@dataclass(frozen=True)
class Maturity:
    """How much of the datasheet a vendor's serving stack reaches relative to the NVIDIA-measured
    efficiencies above: `throughput` multiplies MBU and MFU, `overhead` the fixed per-layer and
    per-expert kernel costs."""

    throughput: float
    overhead: float
    evidence: str


# Engine maturity per GPU family (docs/methodology.md, "Vendors are not equal"). The efficiency
# factors above were measured on Hopper; a family whose serving stack reaches a different share of
# its datasheet gets its own factors, each fitted on a set of published rows of one table, never on
# one row. Evidence: InferenceMAX DeepSeek-R1-0528 FP8 at TP8, ISL/OSL 1k/1k and 1k/8k, concurrency
# 4-64 (gminneci/mantile reconcile/sources/inferencemax/raw, 72ff84e). 8×MI300X on SGLang
# v0.5.5.post3 (ROCm 7.0) decodes at 26.6 ms per token at concurrency 4 against 12.1 ms on 8×H200
# (SGLang v0.5.6) although it has 10 % more bandwidth: its fixed per-layer and per-expert kernel
# time is about 2.4× Hopper's and it streams at about 0.9 of Hopper's share of peak. 8×B200 (SGLang
# v0.5.6) runs the same small-batch steps in 8.8 ms, its fixed kernel time about 0.6× Hopper's.
ENGINE_MATURITY: dict[str, Maturity] = {
    "hopper": Maturity(1.0, 1.0, "reference: the efficiency factors were measured on H100"),
    "blackwell": Maturity(
        1.0, 0.6, "InferenceMAX DeepSeek-R1 FP8 8×B200 SGLang v0.5.6, five rows at 1k/1k (concurrency 4-64)"
    ),
    "cdna3": Maturity(
        0.9,
        2.4,
        "InferenceMAX DeepSeek-R1 FP8 8×MI300X SGLang v0.5.5.post3-rocm700, ten rows at 1k/1k and 1k/8k "
        "(concurrency 4-64)",
    ),
}
# GPU id -> family; GPUs not listed take their vendor's default below (no evidence of a difference).
GPU_FAMILY: dict[str, str] = {"b200": "blackwell", "gb200": "blackwell", "mi300x": "cdna3", "mi325x": "cdna3"}
VENDOR_FAMILY: dict[str, str] = {"amd": "cdna3"}


def family_of(gpu: Gpu) -> str:
    return GPU_FAMILY.get(gpu.id) or VENDOR_FAMILY.get(gpu.vendor, "hopper")


def maturity_of(gpu: Gpu) -> Maturity:
    return ENGINE_MATURITY[family_of(gpu)]


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
    return gpu.bandwidth_tb_s * 1e12 * mbu(eff, precision) * maturity_of(gpu).throughput


def achieved_flops(gpu: Gpu, precision: str, eff: Efficiency) -> float:
    f = flops_per_s(gpu, precision) or gpu.bf16_tflops * 1e12
    return f * eff.mfu * maturity_of(gpu).throughput


def nic_bytes_per_s(gpu: Gpu, eff: Efficiency) -> float | None:
    if gpu.network_gbit_s is None:
        return None
    return gpu.network_gbit_s / 8.0 * 1e9 * eff.network_efficiency


def _link_latency(gpu: Gpu, eff: Efficiency) -> float:
    fast = not gpu.interconnect.lower().startswith("pcie")
    return (eff.allreduce_latency_us_fast if fast else eff.allreduce_latency_us_pcie) * 1e-6


def _net_latency(gpu: Gpu, eff: Efficiency) -> float:
    return (gpu.network_latency_us or eff.network_latency_us_default) * 1e-6 + _link_latency(gpu, eff)


@dataclass
class StepTime:
    batch: int
    memory_s: float
    compute_s: float
    allreduce_s: float
    overhead_s: float
    weight_read_gb: float
    kv_read_gb: float
    alltoall_s: float = 0.0
    pipeline_s: float = 0.0

    @property
    def total_s(self) -> float:
        return (
            max(self.memory_s, self.compute_s) + self.allreduce_s + self.alltoall_s + self.pipeline_s + self.overhead_s
        )

    @property
    def bound(self) -> str:
        return "memory" if self.memory_s >= self.compute_s else "compute"


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
        # Per distinct MoE MLP: (experts, active experts, bytes of one expert in all its layers).
        self.experts = expert_sets(arch, precision)
        self.expert_div = plan.ep if plan.ep > 1 else plan.tp * plan.pp
        self.kv_read_gpu = kv_read_bytes(arch, context, kv_bytes, plan.tp) / plan.pp
        self.kv_read_seq = kv_read_bytes(arch, context, kv_bytes)
        self.bw = bandwidth(gpu, precision, eff)
        self.flops_per_seq = 2.0 * s.active_compute + attention_flops_per_token(arch, context)
        self.flops = achieved_flops(gpu, precision, eff)
        overhead = arch.layers * eff.layer_overhead_us * 1e-6
        for mlp, count in lay.moes:
            overhead += count * mlp.active_experts * eff.expert_overhead_us * 1e-6
        self.overhead = overhead * maturity_of(gpu).overhead
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

    def _touched(self, tokens: float) -> float:
        """Bytes of the distinct routed experts `tokens` tokens touch, every MoE layer."""
        if len(self.experts) == 1:  # the usual case, without a generator (this runs per step)
            e, k, b = self.experts[0]
            return distinct_experts(e, k, tokens) * b
        return sum(distinct_experts(e, k, tokens) * b for e, k, b in self.experts)

    def weight_read(self, batch: float) -> float:
        """Weight bytes one GPU reads per micro-step for `batch` tokens seen by its expert shard."""
        if not self.experts:
            return self.rest_bytes
        return self.rest_bytes + self._touched(batch)

    def parts(self, batch: int, tokens: int = 1) -> tuple[float, float, float, float, float, float, float]:
        """The step's terms for `batch` sequences each running `tokens` query tokens (1 in plain
        decoding; the draft plus one when a speculative step verifies drafted tokens: the weights and
        each sequence's cache are read once, the FLOPs and the tokens sent over the links grow)."""
        p = self.plan
        group = batch / p.dp  # sequences of one attention group
        micro = group / p.pp
        expert_tokens = (batch if p.ep > 1 else micro) * tokens  # an expert shard sees every group's tokens
        if not self.experts:
            w = self.rest_bytes / (p.tp)
        else:
            w = self.rest_bytes / p.tp + self._touched(expert_tokens) * (p.pp if p.ep == 1 else 1) / self.expert_div
        kv = micro * self.kv_read_gpu * p.pp
        memory = (w + kv) / self.bw
        compute = micro * tokens * self.flops_per_seq / p.tp / self.flops
        ar = self.ar_fixed + self.ar_per_token * micro * tokens
        a2a = self.a2a_fixed + self.a2a_per_token * batch * tokens
        pipe = self.pp_fixed + self.pp_per_token * micro * tokens
        return memory, compute, ar, a2a, pipe, w * p.tp * p.dp, batch * self.kv_read_seq

    def time(self, batch: int, tokens: int = 1) -> float:
        memory, compute, ar, a2a, pipe, _, _ = self.parts(batch, tokens)
        return (memory if memory > compute else compute) + ar + a2a + pipe + self.overhead

    def step(self, batch: int) -> StepTime:
        memory, compute, ar, a2a, pipe, w, kv = self.parts(batch)
        return StepTime(
            batch=batch,
            memory_s=memory,
            compute_s=compute,
            allreduce_s=ar,
            overhead_s=self.overhead,
            weight_read_gb=w / GB,
            kv_read_gb=kv / GB,
            alltoall_s=a2a,
            pipeline_s=pipe,
        )


def _prefill_flops(arch: Architecture, tokens: float) -> float:
    return 2.0 * shape_of(arch).active_compute * tokens + prefill_attention_flops(arch, tokens)


def prefill_compute_s(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int | Plan,
    tokens: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
) -> float:
    """GPU time the prefill of one prompt adds when batched with running decodes (spread over
    every GPU of the replica)."""
    if tokens <= 0:
        return 0.0
    gpus = tp.gpus if isinstance(tp, Plan) else tp
    return _prefill_flops(arch, tokens) / gpus / achieved_flops(gpu, precision, eff)


def prefill_s(
    arch: Architecture,
    gpu: Gpu,
    precision: str,
    tp: int | Plan,
    tokens: float,
    eff: Efficiency = DEFAULT_EFFICIENCY,
    model: StepModel | None = None,
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
    s = shape_of(arch)
    f = achieved_flops(gpu, precision, eff)
    flops = _prefill_flops(arch, tokens)
    if plan.ep > 1 and s.active_expert_params:
        expert = 2.0 * s.active_expert_params * tokens
        compute = (flops - expert) / plan.tp / f + expert / plan.ep / f
    else:
        compute = flops / plan.tp / f
    if model is None:
        model = StepModel(arch, gpu, precision, plan, 1.0, eff)
    memory = model.weight_read(max(tokens, 1)) / plan.tp / bandwidth(gpu, precision, eff)
    comm = 0.0
    if plan.tp > 1:
        comm += model.ar_fixed + model.ar_per_token * tokens
    if plan.ep > 1:
        comm += model.a2a_fixed + model.a2a_per_token * tokens * plan.gpus / plan.tp
    if plan.pp > 1:
        comm += model.pp_fixed + model.pp_per_token * tokens
    return max(compute, memory) + comm
