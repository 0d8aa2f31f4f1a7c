"""Sizing families: an architecture kind on a GPU generation.

The calibration set (data/calibration.yaml) measures the estimator per family, and the held-out
error of a family sets the spread of every self-hosted option in it (decide/uncertainty.py).
Every self-hosted option maps to exactly one family: `family(arch, gpu_id)`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..catalog.architecture import Architecture

# A GPU generation is a microarchitecture and its serving stack, not one board: the H100 and H200
# share Hopper's kernels, the MI300X and MI325X CDNA3's. GPUs not listed are their own generation.
GENERATION: dict[str, str] = {
    "h100-sxm": "hopper",
    "h100-pcie": "hopper",
    "h100-nvl": "hopper",
    "h200": "hopper",
    "gh200": "hopper",
    "b200": "blackwell",
    "b300": "blackwell",
    "gb200": "blackwell",
    "gb300": "blackwell",
    "a100-80gb": "ampere",
    "a100-40gb": "ampere",
    "a10g": "ampere",
    "l40s": "ada",
    "l4": "ada",
    "mi300x": "cdna3",
    "mi325x": "cdna3",
    "mi355x": "cdna4",
}
KINDS = ("dense", "moe", "mla", "sparse", "hybrid")


def generation(gpu_id: str) -> str:
    return GENERATION.get(gpu_id, gpu_id)


def kind(arch: Architecture) -> str:
    """dense | moe (GQA or sliding-window attention) | mla | sparse (sparse or compressed attention
    on MLA or GQA: DeepSeek-V3.2, GLM-5, DeepSeek V4, MiniMax M3) | hybrid (linear-attention or
    Mamba layers beside full attention: Qwen3-Next, Qwen3.5, Nemotron 3)."""
    from .sizing.groups import is_moe, layout_of

    mixers = [m for m, _ in layout_of(arch).mixers]
    if any(m.sparse is not None for m in mixers):
        return "sparse"
    if any(m.kind == "linear" for m in mixers):
        return "hybrid"
    if any(m.kind == "mla" for m in mixers):
        return "mla"
    return "moe" if is_moe(arch) else "dense"


def family(arch: Architecture, gpu_id: str) -> tuple[str, str]:
    # The sampled uncertainty asks for every self-hosted option (about 1,100 a compare) and
    # `kind` walks the layer layout each time (14 ms a run): it is remembered per architecture
    # object, which is kept in the entry so that its id cannot be reused while the entry lives.
    hit = _KIND_MEMO.get(id(arch))
    if hit is None or hit[0] is not arch:
        if len(_KIND_MEMO) >= 4096:
            _KIND_MEMO.clear()
        hit = _KIND_MEMO[id(arch)] = (arch, kind(arch))
    return hit[1], generation(gpu_id)


_KIND_MEMO: dict[int, tuple[Architecture, str]] = {}
