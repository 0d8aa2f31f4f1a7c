"""What a model stores and reads: weight bytes by precision, KV cache and recurrent state by layout.

Pure functions of the architecture (no GPU, no time). Formulas in docs/methodology.md
("Memory" and "Attention layouts").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...catalog.architecture import Architecture, Mixer, Mlp
from .groups import heads_of, is_moe, layout_of

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
# Recurrent state of linear-attention layers is kept in fp32 (SGLang's --mamba-ssm-dtype default,
# vLLM's mamba_ssm_cache_dtype for Qwen3-Next); the short-convolution state in the model's bf16.
STATE_BYTES = 4.0
CONV_BYTES = 2.0
# DeepSeek-V3.2's indexer caches one fp8 key of index_head_dim per token and layer plus an fp32
# scale per 128 elements (deepseek-ai/DeepSeek-V3.2-Exp inference/model.py).
INDEX_BYTES_PER_DIM = 1.0 + 4.0 / 128


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


def _per_arch(store: dict[tuple[int, Any], tuple[Architecture, Any]], fn: Any, arch: Architecture, arg: Any) -> Any:
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


def _bounded(store: dict[tuple[int, Any], tuple[Architecture, Any]], fn: Any, arch: Architecture, arg: Any) -> Any:
    if len(store) > _BOUNDED_MAX:
        store.clear()
    return _per_arch(store, fn, arch, arg)


def shape_of(arch: Architecture) -> Shape:
    return _per_arch(_SHAPES, _shape, arch, None)  # type: ignore[no-any-return]


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
    return _per_arch(_SPLITS, _split_bytes, arch, precision)  # type: ignore[no-any-return]


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
    return _per_arch(_REPLICATED, _replicated_params, arch, None)  # type: ignore[no-any-return]


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


def index_flops_per_token(arch: Architecture, context: float) -> float:
    """The indexers' share of attention_flops_per_token: scoring every cached key, on every
    tensor-parallel rank in full (the indexer is replicated, not split by heads)."""
    return sum(_index_flops(m, context) * count for m, count in layout_of(arch).mixers)


def prefill_index_flops(arch: Architecture, tokens: float) -> float:
    """The indexers' share of prefill_attention_flops (each query scores the keys before it)."""
    return index_flops_per_token(arch, tokens) * tokens / 2.0


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
    return _per_arch(_SETS, _expert_sets, arch, precision)  # type: ignore[no-any-return]


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


# ------------------------------------------------------------------ KV cache and recurrent state


@dataclass(frozen=True, eq=False, repr=False)
class KvPart:
    """The per-token cache of the layers whose KV splits the same number of ways under tensor
    parallelism: bytes per token of context, and (bytes per token, window) of windowed layers."""

    split: int
    per_token: float
    windows: tuple[tuple[float, int], ...] = ()

    def stored(self, tokens: float) -> float:
        if not self.windows:
            return self.per_token * tokens + 0
        if len(self.windows) == 1:
            w, n = self.windows[0]
            return self.per_token * tokens + w * min(n, tokens)
        return self.per_token * tokens + sum(w * min(n, tokens) for w, n in self.windows)


@dataclass(frozen=True, eq=False, repr=False)
class CacheParts:
    """One sequence's cache, split by how it shards under tensor parallelism.

    `kv` grows with the context (bytes per token summed over layers, by how many ranks can split
    it: the KV heads of attention, 1 for MLA's latent or a single KV head); `fixed` does not
    (recurrent and convolution state of linear layers), and splits over `state_split` ranks.
    """

    kv: tuple[KvPart, ...]
    fixed: float
    state_split: int

    @property
    def per_token_full(self) -> float:
        return sum(p.per_token for p in self.kv)

    @property
    def kv_split(self) -> int:
        return min((p.split for p in self.kv), default=1)

    def stored(self, tokens: float) -> float:
        if len(self.kv) == 1:  # one part (most models): no generator, this runs per plan
            return self.kv[0].stored(tokens) + self.fixed
        return sum(p.stored(tokens) for p in self.kv) + self.fixed

    def per_gpu(self, tokens: float, tp: int) -> float:
        if len(self.kv) == 1:
            p = self.kv[0]
            kv = p.stored(tokens) / min(tp, p.split)
        else:
            kv = sum(p.stored(tokens) / min(tp, p.split) for p in self.kv)
        return kv + self.fixed / min(tp, self.state_split)


_PARTS: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def cache_parts(arch: Architecture, kv_bytes: float) -> CacheParts:
    """One sequence's cache parts, memoised per architecture."""
    return _per_arch(_PARTS, _cache_parts, arch, kv_bytes)  # type: ignore[no-any-return]


def _mla_token_bytes(m: Mixer, kv_bytes: float) -> float:
    assert m.kv_lora_rank is not None and m.qk_rope_head_dim is not None
    return (m.kv_lora_rank + m.qk_rope_head_dim) * kv_bytes


def _attention_token_bytes(m: Mixer, kv_bytes: float) -> float:
    """K and V of one token in one layer (one tensor when K = V)."""
    assert m.kv_heads is not None and m.head_dim is not None
    return (1.0 if m.shared_kv else 2.0) * m.kv_heads * m.head_dim * kv_bytes


def _index_token_bytes(m: Mixer, kv_bytes: float) -> float:
    """The indexer's cached key per token: DeepSeek's fp8 key with its scales; a block indexer's
    key in the cache's element size."""
    sp = m.sparse
    if sp is None or sp.index_head_dim is None:
        return 0.0
    return sp.index_head_dim * (INDEX_BYTES_PER_DIM if sp.kind != "block" else kv_bytes)


def _state_bytes(m: Mixer) -> tuple[float, int]:
    """(recurrent plus convolution state bytes of one layer, ranks the state splits over)."""
    assert m.value_heads and m.key_head_dim and m.value_head_dim and m.key_heads
    state = m.value_heads * m.key_head_dim * m.value_head_dim * STATE_BYTES
    if m.variant == "mamba2":
        # Mamba-2: the convolution runs over x (heads × head dim) and the B and C projections
        # (groups × state size each).
        conv_dim = m.value_heads * m.value_head_dim + 2 * m.key_heads * m.key_head_dim
    else:
        conv_dim = 2 * m.key_heads * m.key_head_dim + m.value_heads * m.value_head_dim
    conv = max(m.conv_kernel - 1, 0) * conv_dim * CONV_BYTES
    return state + conv, m.key_heads


def _cache_parts(arch: Architecture, kv_bytes: float) -> CacheParts:
    parts: dict[int, tuple[float, list[tuple[float, int]]]] = {}
    fixed = 0.0
    state_split = 1
    for m, count in layout_of(arch).mixers:
        if m.kind == "linear":
            b, state_split = _state_bytes(m)
            fixed += count * b
            continue
        if m.kind == "mla":
            # One compressed latent plus the decoupled RoPE key per token and layer, stored once.
            split, token = 1, count * _mla_token_bytes(m, kv_bytes) + count * _index_token_bytes(m, kv_bytes)
            window: tuple[float, int] | None = None
        else:
            assert m.kv_heads is not None
            split = m.kv_heads
            per_layer = _attention_token_bytes(m, kv_bytes)
            sp = m.sparse
            if sp is not None and sp.kind == "compressed":
                # Compressed entries, one per `compression_ratio` tokens (and the indexer's key of
                # each), beside an uncompressed window of recent tokens.
                assert sp.compression_ratio is not None
                token = count * (per_layer + _index_token_bytes(m, kv_bytes)) / sp.compression_ratio
                window = (count * per_layer, m.window) if m.window else None
            elif m.window:
                token, window = 0.0, (per_layer * count, m.window)
            else:
                token, window = per_layer * count + count * _index_token_bytes(m, kv_bytes), None
        prev_token, prev_windows = parts.get(split, (0.0, []))
        parts[split] = (prev_token + token, prev_windows + ([window] if window else []))
    kv = tuple(KvPart(split, token, tuple(windows)) for split, (token, windows) in parts.items())
    return CacheParts(kv, fixed, state_split)


def kv_bytes_per_sequence(arch: Architecture, tokens: float, kv_bytes: float) -> float:
    """Cache bytes of one sequence of `tokens` tokens (KV plus any fixed state), all layers and GPUs."""
    return cache_parts(arch, kv_bytes).stored(tokens)


def kv_bytes_per_token(arch: Architecture, context: float, kv_bytes: float) -> float:
    """True cache bytes per token of a `context`-token sequence (windowed layers and fixed state
    spread over the context): what `explain` shows instead of the full-attention figure."""
    return kv_bytes_per_sequence(arch, context, kv_bytes) / max(context, 1.0)


def kv_divisor(arch: Architecture, tp: int) -> int:
    """How many ways one sequence's KV is split across tensor-parallel ranks (the least-split part:
    MLA's latent and a single KV head are replicated on every rank)."""
    return min(tp, cache_parts(arch, 2.0).kv_split)


def chunk_read(context: float, chunk: int) -> float:
    """Tokens a query attends to under chunked attention at `context` tokens: the whole context
    inside the first chunk, and half a chunk on average after it (a query sees only the tokens of
    its own chunk, and the position within the chunk is uniform over a long decode)."""
    return context if context <= chunk else chunk / 2.0


def _window_read(m: Mixer, context: float) -> float:
    assert m.window is not None
    return chunk_read(context, m.window) if m.window_kind == "chunked" else min(m.window, context)


def _block_read(m: Mixer, context: float) -> float:
    sp = m.sparse
    assert sp is not None and sp.block_size is not None and sp.top_k_blocks is not None
    return min(context, (sp.top_k_blocks + sp.local_blocks) * sp.block_size)


_READS: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def kv_read_bytes(arch: Architecture, context: float, kv_bytes: float, tp: int = 1) -> float:
    """Cache bytes one decode step reads for one sequence at `context` tokens, per GPU of a
    `tp`-way tensor-parallel group (tp=1: the whole sequence).

    Sparse attention reads the entries it selects, and its indexer's keys of all; compressed
    attention reads the compressed entries (the selected ones when an indexer selects) and the
    window; linear-attention state is read and written back every step.
    """
    return _bounded(_READS, _kv_read_bytes, arch, (context, kv_bytes, tp))  # type: ignore[no-any-return]


def _kv_read_bytes(arch: Architecture, arg: tuple[float, float, int]) -> float:
    context, kv_bytes, tp = arg
    by_split: dict[int, float] = {}
    fixed = 0.0
    state_split = 1
    for m, count in layout_of(arch).mixers:
        if m.kind == "linear":
            b, state_split = _state_bytes(m)
            fixed += count * b
            continue
        sp = m.sparse
        index = count * _index_token_bytes(m, kv_bytes)
        if m.kind == "mla":
            split = 1
            latent = count * _mla_token_bytes(m, kv_bytes)
            if sp is not None and sp.index_topk is not None:
                read = latent * min(sp.index_topk, context) + index * context
            else:
                read = latent * context
        else:
            assert m.kv_heads is not None
            split = m.kv_heads
            per_layer = count * _attention_token_bytes(m, kv_bytes)
            if sp is not None and sp.kind == "compressed":
                assert sp.compression_ratio is not None
                entries = context / sp.compression_ratio
                chosen = min(sp.index_topk, entries) if sp.index_topk is not None else entries
                read = per_layer * chosen + index * entries + (per_layer * min(m.window, context) if m.window else 0.0)
            elif sp is not None and sp.kind == "block":
                read = per_layer * _block_read(m, context) + index * context
            elif sp is not None:
                assert sp.index_topk is not None
                read = per_layer * min(sp.index_topk, context) + index * context
            elif m.window:
                read = per_layer * _window_read(m, context)
            else:
                read = per_layer * context
        by_split[split] = by_split.get(split, 0.0) + read
    kv = sum(b / min(tp, split) for split, b in by_split.items())
    return kv + 2.0 * fixed / min(tp, state_split)


def _attended(m: Mixer, context: float) -> float:
    """Tokens (or compressed entries) a query at `context` attends to in one layer of `m`."""
    sp = m.sparse
    if sp is not None and sp.kind == "compressed":
        assert sp.compression_ratio is not None
        entries = context / sp.compression_ratio
        chosen = min(sp.index_topk, entries) if sp.index_topk is not None else entries
        return chosen + (min(m.window, context) if m.window else 0.0)
    if sp is not None and sp.kind == "block":
        return _block_read(m, context)
    if sp is not None and sp.index_topk is not None:
        return min(sp.index_topk, context)
    if m.window:
        return _window_read(m, context)
    return context


def _index_flops(m: Mixer, context: float) -> float:
    """FLOPs of the indexer scoring the cached keys for one query in one layer."""
    sp = m.sparse
    if sp is None or sp.index_heads is None or sp.index_head_dim is None:
        return 0.0
    scored = context / sp.compression_ratio if sp.kind == "compressed" and sp.compression_ratio else context
    return 2.0 * sp.index_heads * sp.index_head_dim * scored


_FLOPS: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def attention_flops_per_token(arch: Architecture, context: float, decode: bool = True) -> float:
    """Attention FLOPs of one decoded token at `context` tokens (QK and PV over what it attends to),
    plus the indexers' scoring and the recurrent update of linear layers."""
    return _bounded(_FLOPS, _attention_flops_per_token, arch, (context, decode))  # type: ignore[no-any-return]


def _attention_flops_per_token(arch: Architecture, arg: tuple[float, bool]) -> float:
    context, decode = arg
    total = 0.0
    for m, count in layout_of(arch).mixers:
        if m.kind == "linear":
            assert m.value_heads and m.key_head_dim and m.value_head_dim
            total += 4.0 * m.value_heads * m.key_head_dim * m.value_head_dim * count
            continue
        heads_dims = heads_of(arch, m) * attn_dims(m, decode)
        total += 4.0 * heads_dims * count * _attended(m, context) + _index_flops(m, context) * count
    return total


def _capped_sum(tokens: float, k: float) -> float:
    """Sum over a prompt's queries of min(position, k): tokens²/2 up to k, then k per query."""
    return tokens * tokens / 2.0 if tokens <= k else k * k / 2.0 + (tokens - k) * k


def _prefill_attended(m: Mixer, tokens: float) -> float | None:
    """Sum over the prompt's queries of what each attends to, where a selection, a compression or
    a chunk caps it (None: every query sees the tokens before it, or its sliding window)."""
    sp = m.sparse
    if sp is not None and sp.kind == "compressed":
        assert sp.compression_ratio is not None
        r = sp.compression_ratio
        entries = tokens * tokens / (2.0 * r) if sp.index_topk is None else _capped_sum(tokens, sp.index_topk * r) / r
        return entries + (_capped_sum(tokens, m.window) if m.window else 0.0)
    if sp is not None:
        return _capped_sum(tokens, _attended(m, float("inf")))
    if m.window and m.window_kind == "chunked":
        full, rest = divmod(tokens, m.window)
        return full * m.window * m.window / 2.0 + rest * rest / 2.0
    return None


_PREFILL: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def prefill_attention_flops(arch: Architecture, tokens: float) -> float:
    """Causal attention FLOPs of a `tokens`-token prompt (each query sees the tokens before it)."""
    if tokens <= 0:
        return 0.0
    return _bounded(_PREFILL, _prefill_attention_flops, arch, tokens)  # type: ignore[no-any-return]


def _prefill_attention_flops(arch: Architecture, tokens: float) -> float:
    total = 0.0
    for m, count in layout_of(arch).mixers:
        attended = _prefill_attended(m, tokens) if m.kind != "linear" else None
        if attended is None:
            continue
        heads_dims = heads_of(arch, m) * attn_dims(m, False)
        index = _index_flops(m, tokens) * tokens / 2.0 * count
        total += 4.0 * heads_dims * count * attended + index
    # The rest: every query sees the tokens before it (on average half the prompt).
    plain = tokens * _plain_flops_per_token(arch, tokens) / 2.0
    return total + plain


def _plain_flops_per_token(arch: Architecture, context: float) -> float:
    """attention_flops_per_token over the mixers whose prefill is not capped by a selection or a
    chunk (full, sliding window, linear)."""
    total = 0.0
    for m, count in layout_of(arch).mixers:
        if m.kind == "linear":
            assert m.value_heads and m.key_head_dim and m.value_head_dim
            total += 4.0 * m.value_heads * m.key_head_dim * m.value_head_dim * count
            continue
        if _prefill_attended(m, 1.0) is not None:
            continue
        heads_dims = heads_of(arch, m) * attn_dims(m, False)
        total += 4.0 * heads_dims * count * _attended(m, context) + _index_flops(m, context) * count
    return total


def attn_dims(m: Mixer, decode: bool = True) -> float:
    """Mean of the QK and PV head dimensions. MLA decodes in the absorbed form, attending over the
    latent (QK over kv_lora_rank + rope, PV over kv_lora_rank); its prefill runs as ordinary
    multi-head attention over the decompressed heads."""
    if m.kind == "mla" and decode:
        assert m.kv_lora_rank is not None and m.qk_rope_head_dim is not None
        return (2 * m.kv_lora_rank + m.qk_rope_head_dim) / 2.0
    if m.kind == "mla":
        assert m.qk_rope_head_dim is not None
        qk = (m.qk_nope_head_dim or 128) + m.qk_rope_head_dim
        return (qk + (m.v_head_dim or 128)) / 2.0
    assert m.head_dim is not None
    return float(m.head_dim)
