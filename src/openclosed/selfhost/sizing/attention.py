"""The KV cache, recurrent state and attention work of each token mixer, per token and per
sequence: what the cache holds, what a decode step reads of it, and attention's FLOPs at decode and
prefill. Pure functions of the architecture (no GPU, no time); formulas in docs/methodology.md §3.
The weights and parameter counts are `layout.py`'s."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...catalog.architecture import Architecture, Mixer
from .groups import heads_of, layout_of
from .layout import per_arch, per_arch_bounded

# Recurrent state of linear-attention layers is kept in fp32 (SGLang's --mamba-ssm-dtype default,
# vLLM's mamba_ssm_cache_dtype for Qwen3-Next); the short-convolution state in the model's bf16.
STATE_BYTES = 4.0
CONV_BYTES = 2.0
# DeepSeek-V3.2's indexer caches one fp8 key of index_head_dim per token and layer plus an fp32
# scale per 128 elements (deepseek-ai/DeepSeek-V3.2-Exp inference/model.py).
INDEX_BYTES_PER_DIM = 1.0 + 4.0 / 128


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
    return per_arch(_PARTS, _cache_parts, arch, kv_bytes)  # type: ignore[no-any-return]


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
    return per_arch_bounded(_READS, _kv_read_bytes, arch, (context, kv_bytes, tp))  # type: ignore[no-any-return]


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
    return per_arch_bounded(_FLOPS, _attention_flops_per_token, arch, (context, decode))  # type: ignore[no-any-return]


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
    return per_arch_bounded(_PREFILL, _prefill_attention_flops, arch, tokens)  # type: ignore[no-any-return]


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


def index_flops_per_token(arch: Architecture, context: float) -> float:
    """The indexers' share of attention_flops_per_token: scoring every cached key, on every
    tensor-parallel rank in full (the indexer is replicated, not split by heads)."""
    if not per_arch(_INDEXED, _indexed, arch, None):
        return 0.0  # what the sum gives without an indexer (most models; this runs per sizing)
    return sum(_index_flops(m, context) * count for m, count in layout_of(arch).mixers)


_INDEXED: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def _indexed(arch: Architecture, _: None = None) -> bool:
    """Whether any mixer has an indexer (`_index_flops` is 0 for every other)."""
    return any(
        m.sparse is not None and m.sparse.index_heads is not None and m.sparse.index_head_dim is not None
        for m, _ in layout_of(arch).mixers
    )


def prefill_index_flops(arch: Architecture, tokens: float) -> float:
    """The indexers' share of prefill_attention_flops (each query scores the keys before it)."""
    return index_flops_per_token(arch, tokens) * tokens / 2.0
