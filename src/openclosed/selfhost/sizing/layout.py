"""What a model stores and reads: weight bytes by precision, KV cache and recurrent state by layout.

Pure functions of the architecture (no GPU, no time). Formulas in docs/methodology.md
("Memory" and "Attention layouts").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...catalog.schema import Architecture

GIB = 1024**3
GB = 1e9

# Bytes per weight, scales included. int4: 4 bits plus a 16-bit scale per 32 weights (Kimi K2
# Thinking's compressed-tensors group-32 format; group-128 AWQ/GPTQ is slightly smaller).
# MXFP4: 32-element blocks with an 8-bit shared scale (4.25 bits). NVFP4: 16-element blocks with
# an FP8 scale (4.5 bits) plus one FP32 scale per tensor (negligible).
BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "int8": 1.0, "int4": 0.5625, "mxfp4": 0.53125, "nvfp4": 0.5625}
# KV-cache element size served with each weight precision: fp8 and nvfp4 deployments (TensorRT-LLM,
# vLLM with --kv-cache-dtype fp8, NVIDIA's FP4 checkpoints) keep an fp8 cache; the others bf16.
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


@dataclass(frozen=True)
class Shape:
    """Parameter groups derived from the architecture (all counts are parameters, not bytes)."""

    total: float
    embed: float  # input embedding
    lm_head: float  # 0 when tied to the embedding
    expert_params: float  # one routed expert in one layer
    routed_total: float  # every routed expert in every MoE layer
    dense_rest: float  # everything that is read on every token (attention, dense FFN, shared)
    active: float

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


def shape_of(arch: Architecture) -> Shape:
    return _per_arch(_SHAPES, _shape, arch, None)  # type: ignore[no-any-return]


def _shape(arch: Architecture, _: None = None) -> Shape:
    total = arch.total_params_b * 1e9
    embed = float(arch.vocab_size * arch.hidden_size)
    lm_head = 0.0 if arch.tie_word_embeddings else embed
    if arch.moe is not None:
        expert = 3.0 * arch.hidden_size * arch.moe.moe_intermediate_size  # gate, up, down
        routed = arch.moe.moe_layers * arch.moe.experts * expert
        routed = min(routed, total * 0.99)
    else:
        expert = routed = 0.0
    return Shape(
        total=total,
        embed=embed,
        lm_head=lm_head,
        expert_params=expert,
        routed_total=routed,
        dense_rest=total - routed,
        active=arch.active_params_b * 1e9,
    )


def experts_only(arch: Architecture, precision: str) -> bool:
    """Whether a precision covers only the routed experts, the rest staying in BF16.

    MXFP4 (gpt-oss) and a native INT4 MoE checkpoint (Kimi K2 Thinking: "INT4 weight-only
    quantization to the MoE components") quantise the experts only; a post-hoc INT4 or NVFP4
    quantisation covers every linear layer.
    """
    if arch.moe is None:
        return False
    return precision == "mxfp4" or (precision == "int4" and arch.native_precision == "int4")


_SPLITS: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def split_bytes(arch: Architecture, precision: str) -> tuple[float, float]:
    """(non-expert bytes, routed-expert bytes) of all weights; embeddings and lm_head stay 16-bit."""
    return _per_arch(_SPLITS, _split_bytes, arch, precision)  # type: ignore[no-any-return]


def _split_bytes(arch: Architecture, precision: str) -> tuple[float, float]:
    s = shape_of(arch)
    bpp = BYTES_PER_PARAM[precision]
    routed = s.routed_total * bpp
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


def distinct_experts(experts: int, k: int, batch: float) -> float:
    """Expected distinct experts a batch touches per layer: E·(1 − (1 − k/E)^B)."""
    return experts * (1.0 - (1.0 - k / experts) ** max(batch, 1.0))


def streamed_rest_bytes(arch: Architecture, precision: str) -> float:
    """Non-expert bytes read on every decode step: the input embedding is a row lookup, not a
    stream of the whole matrix (unless tied, when the same matrix is read as the lm_head)."""
    rest, _ = split_bytes(arch, precision)
    s = shape_of(arch)
    return rest - s.embed * 2.0 if s.lm_head else rest


def expert_set_bytes(arch: Architecture, precision: str) -> float:
    """Bytes of one routed expert in every MoE layer."""
    if arch.moe is None:
        return 0.0
    return arch.moe.moe_layers * shape_of(arch).expert_params * BYTES_PER_PARAM[precision]


def weight_read_bytes(arch: Architecture, precision: str, batch: float) -> float:
    """Bytes streamed from memory for one decode step of `batch` tokens."""
    rest = streamed_rest_bytes(arch, precision)
    if arch.moe is None:
        return rest
    touched = distinct_experts(arch.moe.experts, arch.moe.experts_per_token, batch)
    return rest + touched * expert_set_bytes(arch, precision)


# ------------------------------------------------------------------ KV cache and recurrent state


@dataclass(frozen=True)
class CacheParts:
    """One sequence's cache, split by how it shards under tensor parallelism.

    `per_token` grows with the context (bytes per token summed over layers); `fixed` does not
    (recurrent and convolution state of linear-attention layers). `kv_heads` / `state_heads`
    bound how many tensor-parallel ranks can split each part (MLA's latent cannot be split).
    """

    per_token_full: float  # full-attention layers (or MLA latent, or indexer keys)
    per_token_window: float  # sliding-window layers, per token up to the window
    window: int
    fixed: float
    kv_split: int  # most ranks the per-token part divides over (1 for MLA)
    state_split: int

    def stored(self, tokens: float) -> float:
        return self.per_token_full * tokens + self.per_token_window * min(self.window, tokens) + self.fixed

    def per_gpu(self, tokens: float, tp: int) -> float:
        kv = (self.per_token_full * tokens + self.per_token_window * min(self.window, tokens)) / min(tp, self.kv_split)
        return kv + self.fixed / min(tp, self.state_split)


_PARTS: dict[tuple[int, Any], tuple[Architecture, Any]] = {}


def cache_parts(arch: Architecture, kv_bytes: float) -> CacheParts:
    """One sequence's cache parts, memoised per architecture."""
    return _per_arch(_PARTS, _cache_parts, arch, kv_bytes)  # type: ignore[no-any-return]


def _cache_parts(arch: Architecture, kv_bytes: float) -> CacheParts:
    per_layer_token = 2.0 * arch.kv_heads * arch.head_dim * kv_bytes
    if arch.attention == "mla":
        assert arch.mla is not None
        # One compressed latent plus the decoupled RoPE key per token and layer, stored once.
        full = arch.layers * (arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim) * kv_bytes
        if arch.sparse_attention is not None:
            full += arch.layers * arch.sparse_attention.index_head_dim * INDEX_BYTES_PER_DIM
        return CacheParts(full, 0.0, 0, 0.0, 1, 1)
    if arch.attention == "hybrid-swa":
        assert arch.sliding_window is not None and arch.full_attention_layers is not None
        full = arch.full_attention_layers
        return CacheParts(
            per_layer_token * full,
            per_layer_token * (arch.layers - full),
            arch.sliding_window,
            0.0,
            arch.kv_heads,
            1,
        )
    if arch.attention == "hybrid-linear":
        assert arch.linear_attention is not None and arch.full_attention_layers is not None
        la = arch.linear_attention
        state = la.value_heads * la.key_head_dim * la.value_head_dim * STATE_BYTES
        conv_dim = 2 * la.key_heads * la.key_head_dim + la.value_heads * la.value_head_dim
        conv = max(la.conv_kernel - 1, 0) * conv_dim * CONV_BYTES
        return CacheParts(
            per_layer_token * arch.full_attention_layers,
            0.0,
            0,
            la.layers * (state + conv),
            arch.kv_heads,
            la.key_heads,
        )
    return CacheParts(per_layer_token * arch.layers, 0.0, 0, 0.0, arch.kv_heads, 1)


def kv_bytes_per_sequence(arch: Architecture, tokens: float, kv_bytes: float) -> float:
    """Cache bytes of one sequence of `tokens` tokens (KV plus any fixed state), all layers and GPUs."""
    return cache_parts(arch, kv_bytes).stored(tokens)


def kv_bytes_per_token(arch: Architecture, context: float, kv_bytes: float) -> float:
    """True cache bytes per token of a `context`-token sequence (windowed layers and fixed state
    spread over the context): what `explain` shows instead of the full-attention figure."""
    return kv_bytes_per_sequence(arch, context, kv_bytes) / max(context, 1.0)


def kv_divisor(arch: Architecture, tp: int) -> int:
    """How many ways one sequence's KV is split across tensor-parallel ranks."""
    if arch.attention == "mla":
        return 1  # the latent is replicated on every rank (unless attention is data-parallel)
    return min(tp, arch.kv_heads)


def kv_read_bytes(arch: Architecture, context: float, kv_bytes: float, tp: int = 1) -> float:
    """Cache bytes one decode step reads for one sequence at `context` tokens, per GPU of a
    `tp`-way tensor-parallel group (tp=1: the whole sequence).

    Sparse attention (DSA) reads the latent of only top-k tokens but the indexer's keys of all;
    linear-attention state is read and written back every step.
    """
    parts = cache_parts(arch, kv_bytes)
    if arch.sparse_attention is not None and arch.mla is not None:
        dsa = arch.sparse_attention
        latent = arch.layers * (arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim) * kv_bytes
        index = arch.layers * dsa.index_head_dim * INDEX_BYTES_PER_DIM
        return latent * min(dsa.index_topk, context) + index * context
    kv = parts.per_token_full * context + parts.per_token_window * min(parts.window, context)
    return kv / min(tp, parts.kv_split) + 2.0 * parts.fixed / min(tp, parts.state_split)


def attention_flops_per_token(arch: Architecture, context: float, decode: bool = True) -> float:
    """Attention FLOPs of one decoded token at `context` tokens (QK and PV over what it attends to)."""
    heads_dims = arch.attention_heads * attn_dims(arch, decode)
    if arch.attention == "hybrid-swa":
        assert arch.sliding_window is not None and arch.full_attention_layers is not None
        local = arch.layers - arch.full_attention_layers
        return 4.0 * heads_dims * (arch.full_attention_layers * context + local * min(arch.sliding_window, context))
    if arch.attention == "hybrid-linear":
        assert arch.linear_attention is not None and arch.full_attention_layers is not None
        la = arch.linear_attention
        recurrent = 4.0 * la.value_heads * la.key_head_dim * la.value_head_dim * la.layers
        return 4.0 * heads_dims * arch.full_attention_layers * context + recurrent
    if arch.sparse_attention is not None:
        dsa = arch.sparse_attention
        index = 2.0 * dsa.index_heads * dsa.index_head_dim * context * arch.layers
        return 4.0 * heads_dims * arch.layers * min(dsa.index_topk, context) + index
    return 4.0 * heads_dims * arch.layers * context


def prefill_attention_flops(arch: Architecture, tokens: float) -> float:
    """Causal attention FLOPs of a `tokens`-token prompt (each query sees the tokens before it)."""
    if tokens <= 0:
        return 0.0
    if arch.sparse_attention is not None:
        dsa = arch.sparse_attention
        k = dsa.index_topk
        # Queries past the top-k attend to k tokens; the indexer scores every earlier token.
        attended = tokens * tokens / 2.0 if tokens <= k else k * k / 2.0 + (tokens - k) * k
        index = 2.0 * dsa.index_heads * dsa.index_head_dim * tokens * tokens / 2.0 * arch.layers
        return 4.0 * arch.attention_heads * attn_dims(arch, False) * arch.layers * attended + index
    # Every query sees the tokens before it: on average half the prompt.
    return tokens * attention_flops_per_token(arch, tokens, decode=False) / 2.0


def attn_dims(arch: Architecture, decode: bool = True) -> float:
    """Mean of the QK and PV head dimensions. MLA decodes in the absorbed form, attending over the
    latent (QK over kv_lora_rank + rope, PV over kv_lora_rank); its prefill runs as ordinary
    multi-head attention over the decompressed heads."""
    if arch.attention == "mla" and arch.mla is not None and decode:
        return (2 * arch.mla.kv_lora_rank + arch.mla.qk_rope_head_dim) / 2.0
    if arch.attention == "mla" and arch.mla is not None:
        qk = (arch.mla.qk_nope_head_dim or 128) + arch.mla.qk_rope_head_dim
        return (qk + (arch.mla.v_head_dim or 128)) / 2.0
    return float(arch.head_dim)
