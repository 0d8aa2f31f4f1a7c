"""Fine-tuning an open model on your own GPUs, from first principles (docs/methodology.md, "Fine-tuning").

A training run processes `tokens` tokens. Full fine-tuning costs about 6 × active parameters FLOPs
a token (forward 2N, backward 4N); LoRA about 4N: the frozen weights still carry the forward pass and
the activation gradients back through every layer, but get no weight gradients (NVIDIA's NeMo
tables count 4N for LoRA, and measure LoRA 1.39–1.47 times as fast as full tuning on the same GPUs).
GPU-hours = FLOPs / (dense BF16 peak × MFU); the MFU per GPU family and its drop when the run is
split over several GPUs come from published throughput (PUBLISHED_RUNS, checked by the tests).

Memory decides how many GPUs a run takes: full tuning with mixed-precision Adam holds 16 bytes per
parameter (BF16 weights and gradients, FP32 master weights and two moments: the ZeRO paper's 16Ψ);
LoRA holds the frozen BF16 weights (2 bytes per parameter) plus its adapters at 16 bytes per adapter
parameter; both add activations for one micro-batch with checkpointing.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .sizing.groups import heads_of, layout_of

if TYPE_CHECKING:
    from ..catalog.architecture import Architecture
    from ..catalog.schema import Gpu

FLOPS_PER_PARAM_TOKEN = {"full": 6.0, "lora": 4.0}
# Model FLOPs utilisation of one GPU running the whole step (BF16 dense peak), per GPU family, from
# PUBLISHED_RUNS: Hopper 0.405 and 0.435 measured (NeMo Automodel, H100), Ampere 0.381 and 0.329
# (PaddleNLP, A100). Families without a published fine-tuning measurement take Ampere's figure.
MFU_ONE_GPU = {"hopper": 0.42, "blackwell": 0.42, "ampere": 0.36}
MFU_UNMEASURED = 0.36
# A run split over several GPUs (tensor, pipeline or sharded data parallel) loses to communication
# and pipeline bubbles: measured 0.188 and 0.259 on 8 H100s, 0.220 on 4 A100s, about 0.55 × one GPU's.
SHARDED_FACTOR = 0.55
GPU_FAMILY = {
    "h100-sxm": "hopper",
    "h100-pcie": "hopper",
    "h200": "hopper",
    "b200": "blackwell",
    "a100-80gb": "ampere",
    "a100-40gb": "ampere",
}
BYTES_PER_PARAM = {"full": 16.0, "lora": 2.0}  # ZeRO (Rajbhandari et al. 2020): 2 + 2 + 12 bytes with Adam
ADAPTER_BYTES_PER_PARAM = 16.0  # adapters are trained in full: weights, gradients, Adam state
LORA_RANK = 16  # adapters on every projection of attention and MLP (q, k, v, o, gate, up, down)
MICRO_BATCH_TOKENS = 4096  # tokens per GPU per step for the activation estimate (one packed sequence)
ACTIVATION_BYTES_PER_TOKEN_HIDDEN = 34.0  # one layer's activations without checkpointing (Korthikanti et al. 2022)
USABLE_MEMORY = 0.9  # share of a GPU's memory a training run can fill (allocator, CUDA context)
MAX_TRAINING_GPUS = 64  # eight nodes of eight: beyond it a run is not priced
# Serving several LoRA adapters at once (unmerged, batched across adapters): Punica measures about
# 2 ms added per decode step, on steps of ~15–30 ms; capacity × 0.85. One adapter is merged into the
# weights (W + BA, Hu et al. 2021): no serving overhead.
MULTI_LORA_CAPACITY = 0.85


@dataclass(frozen=True)
class TrainingRun:
    """One training run on `gpus` GPUs of one type."""

    method: str
    tokens: float
    flops: float
    mfu: float
    gpus: int
    gpu_hours: float
    memory_gb: float  # what the run holds in GPU memory, all GPUs together
    usd_per_gpu_hour: float

    @property
    def hours(self) -> float:
        return self.gpu_hours / self.gpus

    @property
    def cost(self) -> float:
        return self.gpu_hours * self.usd_per_gpu_hour


def family(gpu_id: str) -> str:
    return GPU_FAMILY.get(gpu_id, "other")


def mfu(gpu_id: str, gpus: int) -> float:
    """Achieved model FLOPs utilisation of a fine-tuning run on `gpus` GPUs of this type."""
    one = MFU_ONE_GPU.get(family(gpu_id), MFU_UNMEASURED)
    return one if gpus <= 1 else one * SHARDED_FACTOR


def adapter_params(arch: Architecture, rank: int = LORA_RANK) -> float:
    """Parameters of one LoRA adapter of rank `rank`: rank × (d_in + d_out) per projection, summed
    over the layer groups. Full attention: q, k, v and o; MLA and linear mixers: q and o (their
    latent and state projections are left frozen, as PEFT's default targets do); a dense MLP: gate,
    up and down (up and down when not gated); an MoE MLP: its shared experts only (routed experts are
    not adapted)."""
    h = arch.hidden_size
    total = 0
    for g in layout_of(arch).groups:
        per = 0
        m = g.mixer
        if m is not None:
            heads = heads_of(arch, m)
            hd = m.head_dim or arch.head_dim or h // heads
            q = heads * hd
            per += (h + q) + (q + h)
            if m.kind == "attention":
                per += 2 * (h + (m.kv_heads or arch.kv_heads or heads) * hd)
        mlp = g.mlp
        if mlp is not None:
            width = mlp.width if mlp.kind == "dense" else (mlp.shared_width or mlp.width) * mlp.shared_experts
            per += (3 if mlp.gated else 2) * (h + width) if width else 0
        total += per * g.count
    return float(rank * total)


def memory_gb(arch: Architecture, method: str) -> float:
    """GB a training run holds: weights (and optimiser state), adapters, one micro-batch's activations."""
    weights = arch.total_params_b * 1e9 * BYTES_PER_PARAM[method]
    adapters = adapter_params(arch) * ADAPTER_BYTES_PER_PARAM if method == "lora" else 0.0
    acts = MICRO_BATCH_TOKENS * arch.hidden_size * (2.0 * arch.layers + ACTIVATION_BYTES_PER_TOKEN_HIDDEN)
    return (weights + adapters + acts) / 1e9


def gpus_needed(arch: Architecture, gpu: Gpu, method: str) -> int:
    usable = gpu.memory_gb * (1.073741824 if gpu.memory_unit == "GiB" else 1.0) * USABLE_MEMORY
    return max(1, math.ceil(memory_gb(arch, method) / usable - 1e-9))


def gpu_hours(arch: Architecture, gpu_id: str, bf16_tflops: float, method: str, tokens: float, gpus: int) -> float:
    flops = FLOPS_PER_PARAM_TOKEN[method] * arch.active_params_b * 1e9 * tokens
    return flops / (bf16_tflops * 1e12 * mfu(gpu_id, gpus)) / 3600.0


def training_run(
    arch: Architecture, gpu: Gpu, method: str, tokens: float, usd_per_gpu_hour: float
) -> TrainingRun | None:
    """The run on the fewest GPUs of this type that hold it; None beyond MAX_TRAINING_GPUS."""
    n = gpus_needed(arch, gpu, method)
    if n > MAX_TRAINING_GPUS:
        return None
    flops = FLOPS_PER_PARAM_TOKEN[method] * arch.active_params_b * 1e9 * tokens
    hours = gpu_hours(arch, gpu.id, gpu.bf16_tflops, method, tokens, n)
    return TrainingRun(method, tokens, flops, mfu(gpu.id, n), n, hours, memory_gb(arch, method), usd_per_gpu_hour)


# Published fine-tuning throughput the estimate is checked against (tests/test_fine_tuning.py, and
# docs/methodology.md, "Fine-tuning"): (what, model's active parameters in billions, method, GPU,
# GPUs, measured tokens per second over all GPUs, source). Each is a run of a known model, method
# and GPU; the time for a token count is tokens / throughput.
PUBLISHED_RUNS: list[tuple[str, float, str, str, int, float, str]] = [
    (
        "Llama 3 8B LoRA, 1 × H100, BF16, 4,096-token packed sequences",
        8.03,
        "lora",
        "h100-sxm",
        1,
        12_472.87,
        "https://github.com/NVIDIA-NeMo/Automodel/blob/main/docs/performance-summary.md (2025-10-02)",
    ),
    (
        "Qwen2.5 7B LoRA, 1 × H100, BF16",
        7.62,
        "lora",
        "h100-sxm",
        1,
        14_110.05,
        "https://github.com/NVIDIA-NeMo/Automodel/blob/main/docs/performance-summary.md (2025-10-02)",
    ),
    (
        "Llama 3 70B LoRA, 8 × H100, BF16 (TP 2, PP 4)",
        70.6,
        "lora",
        "h100-sxm",
        8,
        658.62 * 8,
        "https://github.com/NVIDIA-NeMo/Automodel/blob/main/docs/performance-summary.md (2025-10-02)",
    ),
    (
        "Qwen2.5 32B LoRA, 8 × H100, BF16 (PP 4)",
        32.8,
        "lora",
        "h100-sxm",
        8,
        1_950.93 * 8,
        "https://github.com/NVIDIA-NeMo/Automodel/blob/main/docs/performance-summary.md (2025-10-02)",
    ),
    (
        "LLaMA 7B LoRA, 1 × A100 80GB, FP16, Alpaca (10k examples)",
        6.74,
        "lora",
        "a100-80gb",
        1,
        4_406.23,
        "https://github.com/PaddlePaddle/PaddleNLP/blob/develop/llm/benchmark.md (2023)",
    ),
    (
        "LLaMA 13B LoRA, 1 × A100 80GB, FP16, Alpaca (10k examples)",
        13.0,
        "lora",
        "a100-80gb",
        1,
        1_975.94,
        "https://github.com/PaddlePaddle/PaddleNLP/blob/develop/llm/benchmark.md (2023)",
    ),
    (
        "LLaMA 7B full fine-tuning, 4 × A100 80GB, FP16, sharding 2",
        6.74,
        "full",
        "a100-80gb",
        4,
        6_798.72,
        "https://github.com/PaddlePaddle/PaddleNLP/blob/develop/llm/benchmark.md (2023)",
    ),
]


# Held-out runs: from other sources than PUBLISHED_RUNS (torchtune, XTuner, VectorLM), never
# used to set MFU_ONE_GPU or SHARDED_FACTOR. Same fields as PUBLISHED_RUNS. FP16 mixed precision has the
# same A100 tensor-core peak as BF16, so it maps directly; QLoRA and FP8 runs are left out (docs/methodology.md,
# "Held out"). Single-GPU runs land within ±35 %; runs split over 4–32 A100s with FSDP or ZeRO-3 are faster
# than SHARDED_FACTOR assumes (+34 % to +100 %): the errors are documented and tested, not tuned away.
HELD_OUT_RUNS: list[tuple[str, float, str, str, int, float, str]] = [
    (
        "Llama 3.2 3B full fine-tuning, 1 × A100, BF16, packed 4,096, compile, activation checkpointing",
        3.21,
        "full",
        "a100-80gb",
        1,
        7_210.0,
        "https://github.com/pytorch/torchtune/blob/main/README.md (2024-11-18)",
    ),
    (
        "Llama 3.2 3B LoRA, 1 × A100, BF16, packed 4,096",
        3.21,
        "lora",
        "a100-80gb",
        1,
        8_210.0,
        "https://github.com/pytorch/torchtune/blob/main/README.md (2024-11-18)",
    ),
    (
        "Llama 3.1 70B LoRA, 8 × A100, BF16, FSDP, packed 2,048",
        70.6,
        "lora",
        "a100-80gb",
        8,
        3_497.0,
        "https://github.com/pytorch/torchtune/blob/main/README.md (2024-09-24)",
    ),
    (
        "Llama 3.1 70B full fine-tuning, 8 × A100, BF16, FSDP with optimiser CPU offload, packed 2,048",
        70.6,
        "full",
        "a100-80gb",
        8,
        1_568.0,
        "https://github.com/pytorch/torchtune/blob/main/README.md (2024-09-24)",
    ),
    (
        "Llama 2 7B full fine-tuning, 8 × A100 80GB, FP16, ZeRO, packed 8,192",
        6.74,
        "full",
        "a100-80gb",
        8,
        3_028.3 * 8,
        "https://github.com/InternLM/xtuner/blob/main/docs/zh_cn/legacy/acceleration/benchmark.rst (2024-07-09)",
    ),
    (
        "Yi 34B full fine-tuning, 32 × A100 80GB, FP16, ZeRO, packed 8,192",
        34.4,
        "full",
        "a100-80gb",
        32,
        485.1 * 32,
        "https://github.com/InternLM/xtuner/blob/main/docs/zh_cn/legacy/acceleration/benchmark.rst (2024-07-09)",
    ),
    (
        "Llama 2 70B full fine-tuning, 32 × A100 80GB, FP16, ZeRO, packed 8,192",
        68.98,
        "full",
        "a100-80gb",
        32,
        216.8 * 32,
        "https://github.com/InternLM/xtuner/blob/main/docs/zh_cn/legacy/acceleration/benchmark.rst (2024-07-09)",
    ),
    (
        "Llama 3 8B LoRA, 1 × A100 80GB, BF16 mixed precision, FSDP, 2,048-token context, batch 8",
        8.03,
        "lora",
        "a100-80gb",
        1,
        4_079.28,
        "https://github.com/VectorInstitute/vectorlm/blob/main/docs/reference_throughput.md (2024-05-28)",
    ),
    (
        "Llama 3 8B LoRA, 4 × A100 80GB, BF16 mixed precision, FSDP, 2,048-token context, batch 8",
        8.03,
        "lora",
        "a100-80gb",
        4,
        14_299.47,
        "https://github.com/VectorInstitute/vectorlm/blob/main/docs/reference_throughput.md (2024-05-28)",
    ),
]


@dataclass(frozen=True)
class SelfTuning:
    """Tuning one self-hosted option: the run, its monthly share, serving capacity, or why not."""

    run: TrainingRun | None
    monthly: float  # USD a month of training runs
    capacity: float  # serving capacity factor (several unmerged LoRA adapters)
    adapter_gb: float  # GPU memory of one adapter (BF16)
    violations: tuple[str, ...] = ()


def self_tuning(
    arch: Architecture,
    gpu: Gpu,
    method: str,
    tokens: float,
    runs_per_month: float,
    adapters: int,
    usd_per_gpu_hour: float,
) -> SelfTuning:
    """Train on GPUs of the type the option serves on, at the GPU-hour price the option pays."""
    adapter_gb = adapter_params(arch) * 2.0 / 1e9
    if method == "full" and adapters > 1:
        why = (
            f"customisation: {adapters} fully tuned variants are {adapters} separate models; "
            "compare one workload per variant (one fleet per model is not priced here)"
        )
        return SelfTuning(None, 0.0, 1.0, 0.0, (why,))
    run = training_run(arch, gpu, method, tokens, usd_per_gpu_hour)
    if run is None:
        need = gpus_needed(arch, gpu, method)
        why = (
            f"customisation: {method} fine-tuning needs {memory_gb(arch, method):,.0f} GB, "
            f"{need} × {gpu.name}, over the {MAX_TRAINING_GPUS} GPUs priced for a training run"
        )
        return SelfTuning(None, 0.0, 1.0, adapter_gb, (why,))
    capacity = MULTI_LORA_CAPACITY if method == "lora" and adapters > 1 else 1.0
    return SelfTuning(run, round(run.cost * runs_per_month, 6), capacity, adapter_gb)
