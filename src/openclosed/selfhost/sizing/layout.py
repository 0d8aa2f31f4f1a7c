"""What a model's weights hold and a step reads of them: parameter counts, weight bytes by precision,
expert sets, the projections tensor parallelism does not split. The KV cache, state and attention
work per token mixer are `attention.py`'s.

Pure functions of the architecture (no GPU, no time). Formulas in docs/methodology.md ("Memory").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...catalog.architecture import Architecture, Mlp
from .groups import is_moe, layout_of

GIB = 1024**3
GB = 1e9

# Bytes per weight, scales included. int4: 4 bits plus a 16-bit scale per 32 weights (Kimi K2
# Thinking's compressed-tensors group-32 format; group-128 AWQ/GPTQ is slightly smaller).
# MXFP4: 32-element blocks with an 8-bit shared scale (4.25 bits). NVFP4: 16-element blocks with
# an FP8 scale (4.5 bits) plus one FP32 scale per tensor (negligible).
BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5625, "mxfp4": 0.53125, "nvfp4": 0.5625}
# KV-cache element size by the cache's own dtype (the workload's self_hosting.kv_cache_dtype). The
# default is bf16 whatever the weights: vLLM's and SGLang's --kv-cache-dtype default "auto" keeps the
# cache in the model's activation dtype (bf16 for FP8 and FP4 checkpoints too); an fp8 cache is a
# deliberate setting (docs/methodology.md §3.2).
KV_DTYPE_BYTES = {"bf16": 2.0, "fp8": 1.0}
KV_CACHE_DTYPES = tuple(KV_DTYPE_BYTES)
# The cache a deployment of each weight precision kept under the old rule (fp8 and nvfp4 weights, an
# fp8 cache): what the published runs of the calibration set configured (e.g. InferenceMAX's FP8
# DeepSeek-R1 scripts pass --kv-cache-dtype fp8_e4m3), kept for rows that do not state it.
KV_BYTES = {"bf16": 2.0, "fp8": 1.0, "int8": 2.0, "int4": 2.0, "mxfp4": 2.0, "nvfp4": 1.0}


PRECISIONS = tuple(BYTES_PER_PARAM)
FOUR_BIT = ("int4", "mxfp4", "nvfp4")


# ------------------------------------------------------------------ parameter bookkeeping


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class Shape:
    """Parameter groups derived from the architecture (all counts are parameters, not bytes)."""

    total: float
    embed: float  # input embedding
    lm_head: float  # 0 when tied to the embedding
    expert_params: float  # one routed expert in one layer (the first MoE group's)
    routed_total: float  # every routed expert in every MoE layer
    dense_rest: float  # everything that is read on every token (attention, dense FFN, shared)
    active: float
    active_expert_params: float = 0.0  # routed-expert parameters one token runs through, all layers

    @property
    def active_compute(self) -> float:
        """Parameters that do matrix multiplies per token (the embedding lookup is free)."""
        return max(self.active - self.embed, 1.0) if self.lm_head else max(self.active, 1.0)


def per_arch(store: dict[tuple[int, Any], tuple[Architecture, Any]], fn: Any, arch: Architecture, arg: Any) -> Any:
    """fn(arch, arg), memoised per architecture object: a catalogue run asks thousands of times
    for a few dozen architectures. The object is kept with its entry, so its id cannot be
    reused by another while the entry stands."""
    key = (id(arch), arg)
    hit = store.get(key)
    if hit is not None and hit[0] is arch:
        return hit[1]
    value = fn(arch, arg)
    store[key] = (arch, value)
    return value


_SHAPES: dict[tuple[int, Any], tuple[Architecture, Any]] = {}

# Memos keyed by a context length too (kv_read_bytes, attention FLOPs): a sweep over lengths would
# grow them without end, so they are emptied when large (a catalogue run asks a few thousand).
_BOUNDED_MAX = 50_000


def per_arch_bounded(
    store: dict[tuple[int, Any], tuple[Architecture, Any]], fn: Any, arch: Architecture, arg: Any
) -> Any:
    if len(store) > _BOUNDED_MAX:
        store.clear()
    return per_arch(store, fn, arch, arg)


def shape_of(arch: Architecture) -> Shape:
    return per_arch(_SHAPES, _shape, arch, None)  # type: ignore[no-any-return]


def expert_params(arch: Architecture, mlp: Mlp) -> float:
    """Parameters of one routed expert in one layer: gate, up and down (or up and down when not
    gated), over the latent width where the experts work in one."""
    return (3.0 if mlp.gated else 2.0) * (mlp.latent or arch.hidden_size) * mlp.width


def _shape(arch: Architecture, _: None = None) -> Shape:
    total = arch.total_params_b * 1e9
    embed = float(arch.vocab_size * arch.hidden_size)
    lm_head = 0.0 if arch.tie_word_embeddings else embed
    moes = layout_of(arch).moes
    expert = expert_params(arch, moes[0][0]) if moes else 0.0
    routed = 0.0
    active_experts = 0.0
    for mlp, count in moes:
        assert mlp.experts is not None and mlp.active_experts is not None
        e = expert_params(arch, mlp)
        routed += count * mlp.experts * e
        active_experts += count * mlp.active_experts * e
    routed = min(routed, total * 0.99)
    return Shape(
        total=total,
        embed=embed,
        lm_head=lm_head,
        expert_params=expert,
        routed_total=routed,
        dense_rest=total - routed,
        active=arch.active_params_b * 1e9,
        active_expert_params=active_experts,
    )


def experts_only(arch: Architecture, precision: str) -> bool:
    """Whether a precision covers only the routed experts, the rest staying in BF16.

    MXFP4 (gpt-oss) and a native INT4 MoE checkpoint (Kimi K2 Thinking: "INT4 weight-only
    quantisation to the MoE components") quantise the experts only; a post-hoc INT4 or NVFP4
    quantisation covers every linear layer.
    """
    if not is_moe(arch) or _expert_precision(arch) is not None:
        return False
    return precision == "mxfp4" or (precision == "int4" and arch.native_precision == "int4")


def _expert_precision(arch: Architecture) -> str | None:
    return next((m.expert_precision for m, _ in layout_of(arch).moes if m.expert_precision), None)


def expert_bytes_per_param(arch: Architecture, precision: str) -> float:
    """Bytes per routed-expert weight: the serving precision's, or the experts' published precision
    where that is smaller (DeepSeek V4 publishes FP4 experts beside FP8 weights: serving it at FP8
    does not make its experts FP8)."""
    bpp = BYTES_PER_PARAM[precision]
    published = _expert_precision(arch)
    return min(bpp, BYTES_PER_PARAM[published]) if published else bpp


_SPLITS: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def split_bytes(arch: Architecture, precision: str) -> tuple[float, float]:
    """(non-expert bytes, routed-expert bytes) of all weights; embeddings and lm_head stay 16-bit."""
    return per_arch(_SPLITS, _split_bytes, arch, precision)  # type: ignore[no-any-return]


def _split_bytes(arch: Architecture, precision: str) -> tuple[float, float]:
    s = shape_of(arch)
    bpp = BYTES_PER_PARAM[precision]
    routed = s.routed_total * expert_bytes_per_param(arch, precision)
    if precision == "bf16":
        return (s.total - s.routed_total) * 2.0, routed
    if experts_only(arch, precision):
        return (s.total - s.routed_total) * 2.0, routed
    sixteen = s.embed + s.lm_head
    return sixteen * 2.0 + (s.total - s.routed_total - sixteen) * bpp, routed


def weight_bytes(arch: Architecture, precision: str) -> float:
    """Bytes of all weights at a precision."""
    rest, routed = split_bytes(arch, precision)
    return rest + routed


_REPLICATED: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def replicated_params(arch: Architecture) -> float:
    """Parameters every tensor-parallel rank holds and runs whole, not split by heads: MLA's down
    projections into the query and key-value latents (q_a_proj and kv_a_proj_with_mqa, one fused
    ReplicatedLinear in vLLM's and SGLang's DeepSeek model code) and a DSA indexer's projections
    (wq_b, wk, weights_proj: "no tensor parallel, just replicated", vLLM's Indexer)."""
    return per_arch(_REPLICATED, _replicated_params, arch, None)  # type: ignore[no-any-return]


def _replicated_params(arch: Architecture, _: None = None) -> float:
    total = 0.0
    for m, count in layout_of(arch).mixers:
        if m.kind == "mla":
            assert m.kv_lora_rank is not None and m.qk_rope_head_dim is not None
            total += count * arch.hidden_size * ((m.q_lora_rank or 0) + m.kv_lora_rank + m.qk_rope_head_dim)
        sp = m.sparse
        if sp is not None and sp.index_heads is not None and sp.index_head_dim is not None:
            q_in = m.q_lora_rank or arch.hidden_size
            total += count * (
                q_in * sp.index_heads * sp.index_head_dim + arch.hidden_size * (sp.index_head_dim + sp.index_heads)
            )
    return total


def replicated_bytes(arch: Architecture, precision: str) -> float:
    """Bytes of replicated_params, at the precision of the non-expert weights."""
    rep = replicated_params(arch)
    if not rep:
        return 0.0
    return rep * (2.0 if precision == "bf16" or experts_only(arch, precision) else BYTES_PER_PARAM[precision])


def distinct_experts(experts: int, k: int, batch: float) -> float:
    """Expected distinct experts a batch touches per layer: E·(1 − (1 − k/E)^B)."""
    return experts * (1.0 - (1.0 - k / experts) ** max(batch, 1.0))


def streamed_rest_bytes(arch: Architecture, precision: str) -> float:
    """Non-expert bytes read on every decode step: the input embedding is a row lookup, not a
    stream of the whole matrix (unless tied, when the same matrix is read as the lm_head)."""
    rest, _ = split_bytes(arch, precision)
    s = shape_of(arch)
    return rest - s.embed * 2.0 if s.lm_head else rest


_SETS: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def expert_sets(arch: Architecture, precision: str) -> tuple[tuple[int, int, float], ...]:
    """Per distinct MoE MLP: (experts, active experts, bytes of one routed expert in every layer
    of it)."""
    return per_arch(_SETS, _expert_sets, arch, precision)  # type: ignore[no-any-return]


def _expert_sets(arch: Architecture, precision: str) -> tuple[tuple[int, int, float], ...]:
    bpp = expert_bytes_per_param(arch, precision)
    out = []
    for mlp, count in layout_of(arch).moes:
        assert mlp.experts is not None and mlp.active_experts is not None
        out.append((mlp.experts, mlp.active_experts, count * expert_params(arch, mlp) * bpp))
    return tuple(out)


def weight_read_bytes(arch: Architecture, precision: str, batch: float) -> float:
    """Bytes streamed from memory for one decode step of `batch` tokens."""
    rest = streamed_rest_bytes(arch, precision)
    sets = expert_sets(arch, precision)
    if not sets:
        return rest
    return rest + sum(distinct_experts(e, k, batch) * b for e, k, b in sets)
