"""An architecture as layer groups: what every sizing sum runs over.

An entry with `layer_groups` is used as written; an entry in the single-pattern form (`attention`,
`kv_heads`, `moe`, ...) is read as the groups it stands for. The sums over groups run over the
distinct mixers and MLPs with their layer counts (`Layout`), so that two groups with the same
mixer add their counts before any product (the same numbers as the single-pattern formulas).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...catalog.architecture import Architecture, LayerGroup, Mixer, Mlp


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class Layout:
    """The distinct token mixers and MoE MLPs of an architecture, with how many layers use each."""

    groups: tuple[LayerGroup, ...]
    mixers: tuple[tuple[Mixer, int], ...]
    moes: tuple[tuple[Mlp, int], ...]

    @property
    def moe_layers(self) -> int:
        return sum(n for _, n in self.moes)

    @property
    def max_experts(self) -> int:
        return max((m.experts or 0 for m, _ in self.moes), default=0)

    @property
    def kinds(self) -> tuple[str, ...]:
        return tuple(sorted({m.kind for m, _ in self.mixers}))


def _mixer(kind: str, **kw: Any) -> Mixer:
    # Built without validation: the single-pattern entry was validated as a whole.
    return Mixer.model_construct(kind=kind, **kw)


def _legacy_mixers(arch: Architecture) -> list[tuple[Mixer, int]]:
    """The mixers a single-pattern architecture stands for, with their layer counts."""
    layers = arch.layers
    if arch.attention == "mla":
        assert arch.mla is not None
        sparse = None
        if arch.sparse_attention is not None:
            sa = arch.sparse_attention
            from ...catalog.architecture import SparseSpec

            sparse = SparseSpec.model_construct(
                kind="dsa", index_heads=sa.index_heads, index_head_dim=sa.index_head_dim, index_topk=sa.index_topk
            )
        mla = arch.mla
        return [
            (
                _mixer(
                    "mla",
                    kv_lora_rank=mla.kv_lora_rank,
                    qk_rope_head_dim=mla.qk_rope_head_dim,
                    q_lora_rank=mla.q_lora_rank,
                    qk_nope_head_dim=mla.qk_nope_head_dim,
                    v_head_dim=mla.v_head_dim,
                    sparse=sparse,
                ),
                layers,
            )
        ]
    full = _mixer("attention", kv_heads=arch.kv_heads, head_dim=arch.head_dim)
    if arch.attention == "hybrid-swa":
        assert arch.full_attention_layers is not None
        window = _mixer("attention", kv_heads=arch.kv_heads, head_dim=arch.head_dim, window=arch.sliding_window)
        return [(full, arch.full_attention_layers), (window, layers - arch.full_attention_layers)]
    if arch.attention == "hybrid-linear":
        assert arch.linear_attention is not None and arch.full_attention_layers is not None
        la = arch.linear_attention
        linear = _mixer(
            "linear",
            variant=la.kind,
            key_heads=la.key_heads,
            value_heads=la.value_heads,
            key_head_dim=la.key_head_dim,
            value_head_dim=la.value_head_dim,
            conv_kernel=la.conv_kernel,
        )
        return [(full, arch.full_attention_layers), (linear, la.layers)]
    return [(full, layers)]


def _legacy_groups(arch: Architecture) -> tuple[LayerGroup, ...]:
    """Single-pattern form as groups: mixers in order, MoE layers last (the pairing of mixers and
    MLPs does not enter any sum)."""
    mlps: list[tuple[Mlp, int]] = []
    moe_layers = arch.moe.moe_layers if arch.moe is not None else 0
    if arch.layers - moe_layers:
        dense = Mlp.model_construct(kind="dense", width=arch.intermediate_size)
        mlps.append((dense, arch.layers - moe_layers))
    if arch.moe is not None:
        m = arch.moe
        moe = Mlp.model_construct(
            kind="moe",
            width=m.moe_intermediate_size,
            experts=m.experts,
            active_experts=m.experts_per_token,
            shared_experts=m.shared_experts,
        )
        mlps.append((moe, moe_layers))
    groups: list[LayerGroup] = []
    mixers = [(m, n) for m, n in _legacy_mixers(arch) if n > 0]
    # Walk both lists of (item, count) in step, cutting where either changes.
    i = j = 0
    left_mixer = mixers[0][1] if mixers else 0
    left_mlp = mlps[0][1] if mlps else 0
    while i < len(mixers) and j < len(mlps):
        n = min(left_mixer, left_mlp)
        groups.append(LayerGroup.model_construct(count=n, mixer=mixers[i][0], mlp=mlps[j][0]))
        left_mixer -= n
        left_mlp -= n
        if left_mixer == 0:
            i += 1
            left_mixer = mixers[i][1] if i < len(mixers) else 0
        if left_mlp == 0:
            j += 1
            left_mlp = mlps[j][1] if j < len(mlps) else 0
    return tuple(groups)


def _distinct(items: list[tuple[Any, int]]) -> tuple[tuple[Any, int], ...]:
    """Merge equal items (same fields) and add their counts, keeping first-seen order. Compared
    with `==` (a model's type and fields), not by their repr, which pydantic builds slowly: an
    architecture has a few distinct items at most."""
    out: list[tuple[Any, int]] = []
    for item, n in items:
        for i, (prev, count) in enumerate(out):
            if prev == item:
                out[i] = (prev, count + n)
                break
        else:
            out.append((item, n))
    return tuple(out)


_LAYOUTS: dict[int, tuple[Architecture, Layout]] = {}


def layout_of(arch: Architecture) -> Layout:
    """The architecture's groups and their distinct mixers and MoE MLPs (memoised per object)."""
    hit = _LAYOUTS.get(id(arch))
    if hit is not None and hit[0] is arch:
        return hit[1]
    groups = tuple(arch.layer_groups) if arch.layer_groups is not None else _legacy_groups(arch)
    mixers = _distinct([(g.mixer, g.count) for g in groups if g.mixer is not None])
    moes = _distinct([(g.mlp, g.count) for g in groups if g.mlp is not None and g.mlp.kind == "moe"])
    value = Layout(groups=groups, mixers=mixers, moes=moes)
    _LAYOUTS[id(arch)] = (arch, value)
    return value


def is_moe(arch: Architecture) -> bool:
    return bool(layout_of(arch).moes)


def heads_of(arch: Architecture, m: Mixer) -> int:
    return m.heads or arch.attention_heads


def describe(arch: Architecture) -> str:
    """One line for explain: layers, width and each distinct mixer with its layer count."""
    parts = []
    for m, n in layout_of(arch).mixers:
        if m.kind == "mla":
            text = f"MLA (latent {m.kv_lora_rank} + {m.qk_rope_head_dim})"
        elif m.kind == "linear":
            text = f"{m.variant} state"
        else:
            text = f"{m.kv_heads} KV heads × {m.head_dim}" + (" (K = V)" if m.shared_kv else "")
            if m.window:
                text += f", {m.window_kind} window {m.window:,}"
        sp = m.sparse
        if sp is not None and sp.kind == "compressed":
            text += f", compressed 1:{sp.compression_ratio}"
            text += f" with top-{sp.index_topk} indexer" if sp.index_topk else ""
        elif sp is not None and sp.kind == "block":
            text += f", block-sparse top-{sp.top_k_blocks} of {sp.block_size}-token blocks"
        elif sp is not None:
            text += f", sparse top-{sp.index_topk}"
        parts.append(f"{n} × {text}")
    return (
        f"{arch.layers} layers, hidden {arch.hidden_size}, {arch.attention_heads} heads; "
        + "; ".join(parts)
        + (f"; MoE in {layout_of(arch).moe_layers} layers" if is_moe(arch) else "")
    )


def pattern_label(arch: Architecture) -> str:
    """The line explain prints for the layers: the single-pattern wording where the groups are one
    of the four single patterns (so that such a model reads as before), else each mixer in turn."""
    mixers = layout_of(arch).mixers
    kinds = [(m.kind, bool(m.window), m.window_kind, m.sparse is not None) for m, _ in mixers]
    head = f"{arch.layers} layers, hidden {arch.hidden_size}, {arch.attention_heads} heads, "
    first = mixers[0][0] if mixers else None
    if first is not None and first.kind == "mla" and len(mixers) == 1:
        qk = (first.qk_nope_head_dim or 128) + (first.qk_rope_head_dim or 0)
        return head + f"{arch.attention_heads} KV heads × {qk}, attention mla"
    simple = {
        (("attention", False, "sliding", False),): "gqa",
        (("attention", False, "sliding", False), ("attention", True, "sliding", False)): "hybrid-swa",
        (("attention", False, "sliding", False), ("linear", False, "sliding", False)): "hybrid-linear",
    }.get(tuple(kinds))
    if (
        simple is not None
        and first is not None
        and all(
            m.kv_heads == first.kv_heads and m.head_dim == first.head_dim and not m.shared_kv and m.heads is None
            for m, _ in mixers
            if m.kind == "attention"
        )
    ):
        return head + f"{first.kv_heads} KV heads × {first.head_dim}, attention {simple}"
    return describe(arch)
