"""An open model's architecture, from its published config: sizes, layers, attention and MLP, as
one pattern or a list of layer groups (each with its token mixer and MLP). Memory, KV cache and
the decode step are derived from it (`selfhost/sizing`)."""

# Annotations are evaluated as written, not postponed (no `from __future__ import annotations`): pydantic
# would otherwise `eval` every annotation string at class creation, a few ms of each start-up.
# Forward references are quoted.
from typing import Literal

from ..modelbase import Field, model_validator
from .base import Sourced, Strict


class Mla(Strict):
    kv_lora_rank: int = Field(gt=0)
    qk_rope_head_dim: int = Field(gt=0)
    q_lora_rank: int | None = None
    qk_nope_head_dim: int | None = None
    v_head_dim: int | None = None


class Moe(Strict):
    experts: int = Field(gt=1)
    experts_per_token: int = Field(gt=0)
    shared_experts: int = Field(default=0, ge=0)
    moe_intermediate_size: int = Field(gt=0, description="FFN width of one routed expert")
    moe_layers: int = Field(gt=0, description="layers whose FFN is a mixture of experts")

    @model_validator(mode="after")
    def _k_le_e(self) -> "Moe":
        if self.experts_per_token > self.experts:
            raise ValueError("experts_per_token must not exceed experts")
        return self


class LinearAttention(Strict):
    """Linear-attention layers (e.g. Gated DeltaNet in Qwen3-Next / Qwen3.5): a fixed recurrent state
    per sequence instead of a KV cache that grows with context."""

    kind: Literal["gated-deltanet", "lightning", "other"] = "gated-deltanet"
    layers: int = Field(gt=0, description="layers with linear attention")
    key_heads: int = Field(gt=0)
    value_heads: int = Field(gt=0)
    key_head_dim: int = Field(gt=0)
    value_head_dim: int = Field(gt=0)
    conv_kernel: int = Field(default=4, ge=0, description="short causal convolution width (its state is cached too)")


class SparseAttention(Strict):
    """DeepSeek Sparse Attention: decode attends to a fixed top-k of cached tokens chosen by a
    lightweight indexer that itself reads a small per-token key cache."""

    kind: Literal["dsa"] = "dsa"
    index_topk: int = Field(gt=0, description="cached tokens each query attends to")
    index_heads: int = Field(gt=0)
    index_head_dim: int = Field(gt=0)


class SparseSpec(Strict):
    """Which cached tokens a query reads: a top-k of tokens chosen by an indexer (DeepSeek Sparse
    Attention), a top-k of fixed-size blocks (MiniMax M3's block-sparse attention), or compressed
    entries each standing for `compression_ratio` tokens, optionally with an indexer choosing a top-k
    of them (DeepSeek V4's compressed attention)."""

    kind: Literal["dsa", "block", "compressed"]
    index_heads: int | None = Field(default=None, gt=0, description="indexer query heads")
    index_head_dim: int | None = Field(default=None, gt=0, description="width of the indexer's cached key")
    index_topk: int | None = Field(
        default=None, gt=0, description="entries each query attends to (dsa: tokens; compressed: compressed entries)"
    )
    block_size: int | None = Field(default=None, gt=0, description="tokens per block (block)")
    top_k_blocks: int | None = Field(default=None, gt=0, description="blocks each query attends to (block)")
    local_blocks: int = Field(default=0, ge=0, description="most recent blocks always attended (block)")
    compression_ratio: int | None = Field(default=None, gt=1, description="tokens per cached entry (compressed)")

    @model_validator(mode="after")
    def _complete(self) -> "SparseSpec":
        if (self.index_heads is None) != (self.index_head_dim is None):
            raise ValueError("an indexer needs index_heads and index_head_dim together")
        if self.kind != "block" and (self.index_heads is None) != (self.index_topk is None):
            raise ValueError("an indexer that picks entries needs index_topk (and index_heads, index_head_dim)")
        if self.kind == "dsa" and self.index_topk is None:
            raise ValueError("sparse kind 'dsa' needs index_heads, index_head_dim and index_topk")
        if self.kind == "block" and (self.block_size is None or self.top_k_blocks is None):
            raise ValueError("sparse kind 'block' needs block_size and top_k_blocks")
        if self.kind == "compressed" and self.compression_ratio is None:
            raise ValueError("sparse kind 'compressed' needs compression_ratio")
        return self


class Mixer(Strict):
    """The token mixer of a layer group and its shape.

    `attention`: full attention (MHA, GQA, MQA: `kv_heads` of `head_dim`; `shared_kv` when one cached
    tensor serves as both K and V), optionally over a `window` (sliding, or chunked: attention within
    fixed chunks), optionally sparse or compressed. `mla`: multi-head latent attention (one latent
    per token), optionally sparse. `linear`: a fixed recurrent state per sequence (Gated DeltaNet,
    Mamba-2) instead of a cache that grows with the context.
    """

    kind: Literal["attention", "mla", "linear"]
    heads: int | None = Field(default=None, gt=0, description="query heads; default the architecture's attention_heads")
    kv_heads: int | None = Field(default=None, gt=0)
    head_dim: int | None = Field(default=None, gt=0)
    shared_kv: bool = Field(default=False, description="one cached tensor is both key and value (K = V)")
    sinks: bool = Field(
        default=False, description="learned attention sinks: a per-head bias in the softmax denominator (gpt-oss)"
    )
    window: int | None = Field(default=None, gt=0, description="tokens of the sliding window or the chunk")
    window_kind: Literal["sliding", "chunked"] = "sliding"
    kv_lora_rank: int | None = Field(default=None, gt=0, description="mla: latent width")
    qk_rope_head_dim: int | None = Field(default=None, gt=0, description="mla: decoupled RoPE key width")
    q_lora_rank: int | None = None
    qk_nope_head_dim: int | None = None
    v_head_dim: int | None = None
    variant: Literal["gated-deltanet", "mamba2", "lightning", "other"] | None = Field(
        default=None, description="linear: the recurrence"
    )
    key_heads: int | None = Field(default=None, gt=0, description="linear: key heads (mamba2: groups)")
    value_heads: int | None = Field(default=None, gt=0, description="linear: value heads (mamba2: heads)")
    key_head_dim: int | None = Field(default=None, gt=0, description="linear: key width (mamba2: state size)")
    value_head_dim: int | None = Field(default=None, gt=0, description="linear: value width (mamba2: head dim)")
    conv_kernel: int = Field(
        default=4, ge=0, description="linear: short causal convolution width (its state is cached)"
    )
    sparse: SparseSpec | None = None

    @model_validator(mode="after")
    def _shape(self) -> "Mixer":
        if self.kind == "attention":
            if self.kv_heads is None or self.head_dim is None:
                raise ValueError("mixer kind 'attention' needs kv_heads and head_dim")
            if self.heads is not None and self.heads % self.kv_heads:
                raise ValueError("heads must be a multiple of kv_heads")
        elif self.kind == "mla":
            if self.kv_lora_rank is None or self.qk_rope_head_dim is None:
                raise ValueError("mixer kind 'mla' needs kv_lora_rank and qk_rope_head_dim")
        else:
            needed = (self.variant, self.key_heads, self.value_heads, self.key_head_dim, self.value_head_dim)
            if any(v is None for v in needed):
                raise ValueError(
                    "mixer kind 'linear' needs variant, key_heads, value_heads, key_head_dim and value_head_dim"
                )
        if self.window is not None and self.kind != "attention":
            raise ValueError("a window applies to mixer kind 'attention' only")
        if self.sparse is not None and self.kind == "linear":
            raise ValueError("sparse attention applies to mixer kinds 'attention' and 'mla'")
        return self


class Mlp(Strict):
    """The MLP of a layer group: dense, or a mixture of experts."""

    kind: Literal["dense", "moe"]
    width: int = Field(gt=0, description="FFN width (for moe: one routed expert's width)")
    gated: bool = Field(default=True, description="gate, up and down matrices (SwiGLU); false: up and down (relu2)")
    experts: int | None = Field(default=None, gt=1)
    active_experts: int | None = Field(default=None, gt=0, description="routed experts per token")
    shared_experts: int = Field(default=0, ge=0)
    shared_width: int | None = Field(default=None, gt=0, description="width of the shared expert(s); default width")
    latent: int | None = Field(
        default=None, gt=0, description="routed experts work in this latent width instead of the hidden size"
    )
    expert_precision: Literal["bf16", "fp8", "mxfp4", "nvfp4", "int4"] | None = Field(
        default=None, description="precision the routed experts are published in, where it differs from the rest"
    )

    @model_validator(mode="after")
    def _moe(self) -> "Mlp":
        if self.kind == "moe":
            if self.experts is None or self.active_experts is None:
                raise ValueError("mlp kind 'moe' needs experts and active_experts")
            if self.active_experts > self.experts:
                raise ValueError("active_experts must not exceed experts")
        elif self.experts is not None or self.active_experts is not None:
            raise ValueError("a dense mlp has no experts")
        return self


class LayerGroup(Strict):
    """`count` layers with the same token mixer and MLP (either may be null: a layer without it)."""

    count: int = Field(gt=0)
    mixer: Mixer | None = None
    mlp: Mlp | None = None


# Fields of the single-pattern form; an entry with layer_groups describes its layers there instead.
LEGACY_LAYOUT = (
    "attention",
    "kv_heads",
    "head_dim",
    "intermediate_size",
    "sliding_window",
    "full_attention_layers",
    "linear_attention",
    "sparse_attention",
    "mla",
    "moe",
)


class Architecture(Sourced):
    total_params_b: float = Field(gt=0, description="all parameters, billions")
    active_params_b: float = Field(gt=0, description="parameters used per token, billions")
    layers: int = Field(gt=0, description="all layers (with layer_groups: the sum of their counts)")
    hidden_size: int = Field(gt=0)
    attention_heads: int = Field(gt=0, description="query heads (tensor parallelism must divide them)")
    kv_heads: int | None = Field(default=None, gt=0)
    head_dim: int | None = Field(default=None, gt=0)
    intermediate_size: int | None = Field(
        default=None, gt=0, description="dense FFN width (first dense layers for MoE)"
    )
    vocab_size: int = Field(gt=0)
    tie_word_embeddings: bool = False
    attention: Literal["gqa", "mla", "hybrid-swa", "hybrid-linear"] | None = None
    sliding_window: int | None = Field(default=None, gt=0)
    full_attention_layers: int | None = Field(
        default=None, ge=0, description="layers with global attention (hybrid-swa and hybrid-linear)"
    )
    linear_attention: LinearAttention | None = None
    sparse_attention: SparseAttention | None = None
    mla: Mla | None = None
    moe: Moe | None = None
    layer_groups: list[LayerGroup] | None = Field(
        default=None,
        description="the layers as groups of one token mixer and one MLP; without it the single-pattern "
        "fields above describe every layer",
    )
    native_precision: Literal["bf16", "fp8", "mxfp4", "nvfp4", "int4"] = "bf16"
    precisions: list[Literal["bf16", "fp8", "int8", "int4", "mxfp4", "nvfp4"]] = Field(
        default_factory=lambda: ["bf16", "fp8", "int8", "int4"],
        description="weight precisions the model is commonly served at",
    )
    mtp_layers: int = Field(
        default=0,
        ge=0,
        description="multi-token-prediction layers shipped with the weights (config num_nextn_predict_layers); "
        "speculative: mtp needs at least one",
    )

    @model_validator(mode="after")
    def _consistent(self) -> "Architecture":
        if self.active_params_b > self.total_params_b:
            raise ValueError("active_params_b must not exceed total_params_b")
        if self.layer_groups is not None:
            return self._groups_consistent()
        missing = [f for f in ("attention", "kv_heads", "head_dim", "intermediate_size") if getattr(self, f) is None]
        if missing:
            raise ValueError(f"without layer_groups an architecture needs {', '.join(missing)}")
        assert self.kv_heads is not None
        if self.attention == "mla" and self.mla is None:
            raise ValueError("attention 'mla' needs an 'mla' block")
        if self.attention == "hybrid-swa" and (self.sliding_window is None or self.full_attention_layers is None):
            raise ValueError("attention 'hybrid-swa' needs sliding_window and full_attention_layers")
        if self.attention == "hybrid-linear" and (self.linear_attention is None or self.full_attention_layers is None):
            raise ValueError("attention 'hybrid-linear' needs a linear_attention block and full_attention_layers")
        if self.full_attention_layers is not None and self.full_attention_layers > self.layers:
            raise ValueError("full_attention_layers must not exceed layers")
        if self.moe is not None and self.moe.moe_layers > self.layers:
            raise ValueError("moe.moe_layers must not exceed layers")
        if self.attention_heads % self.kv_heads:
            raise ValueError("attention_heads must be a multiple of kv_heads")
        return self

    def _groups_consistent(self) -> "Architecture":
        assert self.layer_groups is not None
        mixed = [f for f in LEGACY_LAYOUT if getattr(self, f) is not None]
        if mixed:
            raise ValueError(f"with layer_groups, describe the layers there, not in {', '.join(mixed)}")
        if not self.layer_groups:
            raise ValueError("layer_groups must not be empty")
        total = sum(g.count for g in self.layer_groups)
        if total != self.layers:
            raise ValueError(f"layers is {self.layers} but the layer_groups count {total}")
        for g in self.layer_groups:
            m = g.mixer
            if m is not None and m.kind == "attention" and m.heads is None and self.attention_heads % (m.kv_heads or 1):
                raise ValueError("attention_heads must be a multiple of each group's kv_heads")
        return self
