"""The sizing terms `explain` shows for a self-hosted option: plan, true cache per token, and the
network terms of a multi-node step. Pure data; the explain module formats it."""

from __future__ import annotations

from ...catalog.architecture import Architecture
from ...catalog.schema import Gpu
from .attention import kv_bytes_per_token
from .deploy import Sizing
from .layout import KV_DTYPE_BYTES


def plan_trace(s: Sizing, arch: Architecture, gpu: Gpu) -> list[tuple[str, str, object, str]]:
    """(group, name, value, formula) rows in the order explain prints them."""
    rows: list[tuple[str, str, object, str]] = [
        (
            "sizing",
            "parallel plan",
            {"nodes": s.nodes, "tp": s.tp, "dp": s.dp, "ep": s.ep, "pp": s.pp, "gpus": s.gpus},
            f"{s.plan}: GPUs = TP × DP × PP over whole nodes of {gpu.max_gpus_per_node}; "
            "EP GPUs hold the routed experts (docs/methodology.md §3.8)",
        ),
        (
            "memory",
            "weights per GPU (GB)",
            round(s.memory.weights_per_gpu_gb, 3),
            "(non-expert weights + (TP − 1) × projections whole on every TP rank) / (TP × PP)"
            " + routed experts / (EP, or TP × PP)",
        ),
        (
            "memory",
            "cache per token (kB, true)",
            round(
                kv_bytes_per_token(arch, s.input_tokens + s.output_tokens, KV_DTYPE_BYTES[s.kv_cache_dtype]) / 1e3, 2
            ),
            f"cache of one {s.input_tokens + s.output_tokens:,.0f}-token sequence / its tokens: windowed layers "
            "hold at most the window, linear-attention layers a fixed state, MLA one latent",
        ),
    ]
    step = s.step
    if s.ep > 1:
        rows.append(
            (
                "decode",
                "all-to-all (ms per step)",
                round(step.get("alltoall_ms", 0.0), 3),
                "MoE layers × (2 × latency + batch × k × hidden × 3 bytes / GPUs × (share to other nodes / "
                f"(NIC {gpu.network_gbit_s or 0:g} Gb/s × 0.85) + share inside / NVLink))",
            )
        )
    if s.pp > 1:
        rows.append(
            (
                "decode",
                "pipeline hand-offs (ms per step)",
                round(step.get("pipeline_ms", 0.0), 3),
                "(PP − 1) × (latency + micro-batch × hidden × 2 bytes / (NIC × 0.85))",
            )
        )
    return rows
