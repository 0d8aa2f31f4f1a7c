"""Self-hosting sizing from first principles: memory, decode step, prefill, batch, throughput,
over one GPU, one node or several nodes.

Every formula is written out in docs/methodology.md §3. The efficiency factors are kernel
measurements or were fitted on the calibration rows not held out (data/calibration.yaml,
benchmarks/fit_calibration.py); tests/test_calibration.py and benchmarks/calibration.py give the
error on the held-out rows.

Modules: `layout` (weights, KV cache and state by attention layout), `step` (time model, plans),
`kernels` (kernel terms, GPU generations), `deploy` (one replica: memory, batch, speeds),
`parallel` (plans over nodes and the search for the smallest that works).
"""

from __future__ import annotations

from .attention import CacheParts, cache_parts, kv_bytes_per_sequence, kv_bytes_per_token, kv_divisor, kv_read_bytes
from .deploy import (
    SPEED_FIELDS,
    Memory,
    Sizing,
    largest_usable_bytes,
    max_concurrency,
    memory_bytes,
    memory_plan,
    size,
    tight_usable_bytes,
    usable_bytes,
    weights_per_gpu,
)
from .groups import Layout, describe, is_moe, layout_of, pattern_label
from .layout import (
    BYTES_PER_PARAM,
    FOUR_BIT,
    GB,
    GIB,
    KV_BYTES,
    KV_CACHE_DTYPES,
    KV_DTYPE_BYTES,
    PRECISIONS,
    Shape,
    distinct_experts,
    shape_of,
    split_bytes,
    weight_bytes,
    weight_read_bytes,
)
from .parallel import MAX_NODES, gpu_counts, plan_replica, plans_for, smallest_fit, tp_candidates, works
from .prefill import prefill_compute_s, prefill_s
from .speculative import SPECULATION, SPECULATIVE_METHODS, Speculation, speculation_for
from .step import (
    DEFAULT_EFFICIENCY,
    ENGINE_MATURITY,
    GPU_FAMILY,
    Efficiency,
    Maturity,
    Plan,
    StepModel,
    StepTime,
    family_of,
    flops_per_s,
    maturity_of,
    supports,
)
from .trace import plan_trace

__all__ = [
    "BYTES_PER_PARAM",
    "DEFAULT_EFFICIENCY",
    "ENGINE_MATURITY",
    "FOUR_BIT",
    "GB",
    "GIB",
    "GPU_FAMILY",
    "KV_BYTES",
    "KV_CACHE_DTYPES",
    "KV_DTYPE_BYTES",
    "MAX_NODES",
    "PRECISIONS",
    "SPECULATION",
    "SPECULATIVE_METHODS",
    "SPEED_FIELDS",
    "CacheParts",
    "Efficiency",
    "Layout",
    "Maturity",
    "Memory",
    "Plan",
    "Shape",
    "Sizing",
    "Speculation",
    "StepModel",
    "StepTime",
    "cache_parts",
    "describe",
    "distinct_experts",
    "family_of",
    "flops_per_s",
    "gpu_counts",
    "is_moe",
    "kv_bytes_per_sequence",
    "kv_bytes_per_token",
    "kv_divisor",
    "kv_read_bytes",
    "largest_usable_bytes",
    "layout_of",
    "maturity_of",
    "max_concurrency",
    "memory_bytes",
    "memory_plan",
    "pattern_label",
    "plan_replica",
    "plan_trace",
    "plans_for",
    "prefill_compute_s",
    "prefill_s",
    "shape_of",
    "size",
    "smallest_fit",
    "speculation_for",
    "split_bytes",
    "supports",
    "tight_usable_bytes",
    "tp_candidates",
    "usable_bytes",
    "weight_bytes",
    "weight_read_bytes",
    "weights_per_gpu",
    "works",
]
