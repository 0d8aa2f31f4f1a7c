"""Pydantic models for the two catalogue files.

`data/models.yaml` holds licences and models; `data/providers.yaml` holds GPU types, API
providers with their offerings, GPU clouds with their offers, and on-premises assumptions.
Every price, spec and policy carries `source` and `as_of` so that a result can always say where
a number came from and how old it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Id = str


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False, defer_build=True)


class Sourced(Strict):
    """A fact with provenance."""

    source: str = Field(min_length=1, description="URL or repository path the fact comes from")
    as_of: dt.date = Field(description="date the source states (or the date it was read)")
    note: str | None = Field(default=None, description="caveats, conflicts and which value was chosen")


# ---------------------------------------------------------------- licences and models


class Licence(Sourced):
    id: Id
    name: str
    kind: Literal["permissive", "custom", "non-commercial", "proprietary"]
    commercial_use: bool
    mau_limit: int | None = Field(
        default=None, description="monthly active users above which a separate licence is needed"
    )
    eu_multimodal_exclusion: bool = Field(
        default=False,
        description="rights not granted to EU-domiciled companies for multimodal models",
    )
    permits: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    restricts: list[str] = Field(default_factory=list)
    url: str | None = None


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
    def _k_le_e(self) -> Moe:
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
    def _complete(self) -> SparseSpec:
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
    def _shape(self) -> Mixer:
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
    def _moe(self) -> Mlp:
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
    def _consistent(self) -> Architecture:
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

    def _groups_consistent(self) -> Architecture:
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


class Quality(Sourced):
    index: float = Field(ge=0, le=100, description="0..100 on the named benchmark aggregate")
    benchmark: str = Field(min_length=1, description="name of the public aggregate")
    estimated: bool = Field(
        default=False, description="true when no published value exists and the index is an estimate (see note)"
    )
    error: float | None = Field(
        default=None, ge=0, le=100, description="stated error of an estimate, index points (one standard deviation)"
    )


class ApiSpeed(Sourced):
    """Measured speed: of one API offering (basis provider), or of a model across its API (basis model)."""

    basis: Literal["provider", "model"] = Field(
        default="provider",
        description="provider: measured on this provider's endpoint; model: one figure for the model "
        "(e.g. Artificial Analysis' per-model median), stored on the model and applied to its "
        "offerings that have no figure of their own",
    )
    output_tokens_per_s: float | None = Field(default=None, gt=0, description="median output tokens/s per stream")
    ttft_ms: float | None = Field(default=None, gt=0, description="median time to first token, ms")
    prompt_tokens: int | None = Field(default=None, gt=0, description="prompt length the TTFT was measured at")
    prefill_tokens_per_s: float | None = Field(
        default=None,
        gt=0,
        description="prompt tokens/s read before the first token, where published (TTFT scaling; "
        "default in src/openclosed/api_speed.py)",
    )


ReasoningLevel = Literal["none", "low", "medium", "high"]


class ReasoningMode(Sourced):
    """One reasoning mode of a model: the hidden tokens a request typically generates in it and the
    quality index measured in it (docs/catalogue.md, "Reasoning modes")."""

    mode: ReasoningLevel
    setting: str | None = Field(
        default=None, max_length=80, description="the benchmark's or provider's name of the setting (xhigh, max)"
    )
    hidden_tokens: float = Field(ge=0, le=1_000_000, description="hidden (reasoning) tokens per request, typical")
    estimated: bool = Field(default=False, description="true when hidden_tokens is an estimate (see note)")
    quality: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="quality index measured in this mode, on one published snapshot with the default mode's",
    )


class Reasoning(Strict):
    """A model's reasoning modes. `default` is the mode its `quality.index` was measured at and the
    one priced when a workload names none."""

    default: ReasoningLevel
    modes: list[ReasoningMode] = Field(min_length=1, max_length=4)

    @model_validator(mode="after")
    def _consistent(self) -> Reasoning:
        names = [m.mode for m in self.modes]
        if len(set(names)) != len(names):
            raise ValueError("reasoning modes must be unique")
        if self.default not in names:
            raise ValueError(f"the default reasoning mode '{self.default}' is not among the modes")
        default = next(m for m in self.modes if m.mode == self.default)
        if any(m.quality is not None for m in self.modes) and default.quality is None:
            raise ValueError("a mode's quality is relative to the default mode's: give the default mode's quality")
        return self

    def mode(self, name: str) -> ReasoningMode | None:
        return next((m for m in self.modes if m.mode == name), None)


class Model(Strict):
    id: Id
    name: str
    vendor: str
    open_weights: bool
    aliases: list[str] = Field(default_factory=list)
    licence: Id
    release_date: dt.date | None = None
    deprecation_date: dt.date | None = None
    shutdown_date: dt.date | None = None
    replacement: Id | None = None
    context_window: int = Field(gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    modalities: list[Literal["text", "image", "audio", "video"]] = Field(default_factory=lambda: ["text"])
    quality: Quality | None = None
    speed: ApiSpeed | None = Field(
        default=None,
        description="per-model API speed (basis: model): applies to offerings without a figure of their own",
    )
    architecture: Architecture | None = None
    source: str = Field(min_length=1)
    as_of: dt.date
    reasoning: Reasoning | None = Field(
        default=None, description="reasoning modes; none: the model does not reason (no hidden tokens)"
    )

    @model_validator(mode="after")
    def _open_has_architecture(self) -> Model:
        if self.open_weights and self.architecture is None:
            raise ValueError("an open-weight model needs its 'architecture'")
        if self.speed is not None and self.speed.basis != "model":
            raise ValueError("a model's speed is a per-model figure: 'basis: model'")
        return self


class ModelsFile(Strict):
    version: Literal[1] = 1
    as_of: dt.date
    licences: list[Licence]
    models: list[Model]


# ---------------------------------------------------------------- GPUs, providers, clouds


class Gpu(Sourced):
    id: Id
    name: str
    vendor: Literal["nvidia", "amd", "intel", "google", "other"]
    aliases: list[str] = Field(default_factory=list)
    memory_gb: float = Field(gt=0, description="memory in the vendor's unit (see memory_unit), e.g. 80 for an H100")
    memory_unit: Literal["GiB", "GB"] = Field(
        default="GiB", description="what the vendor's 'GB' means: HBM parts are binary (GiB), GDDR parts decimal"
    )
    bandwidth_tb_s: float = Field(gt=0)
    bf16_tflops: float = Field(gt=0, description="dense, without 2:4 sparsity")
    fp8_tflops: float | None = Field(default=None, gt=0, description="dense; null if unsupported")
    int8_tops: float | None = Field(default=None, gt=0)
    fp4_tflops: float | None = Field(default=None, gt=0)
    interconnect: str = Field(description="e.g. nvlink4, pcie5, infinity-fabric")
    interconnect_gb_s: float = Field(gt=0, description="per-GPU bandwidth, GB/s, one direction")
    max_gpus_per_node: int = Field(default=8, gt=0)
    network_gbit_s: float | None = Field(
        default=None, gt=0, description="inter-node NIC bandwidth per GPU, Gb/s (e.g. 400 for NDR InfiniBand)"
    )
    network_latency_us: float | None = Field(default=None, gt=0, description="inter-node one-way latency, µs")
    power_w: float = Field(gt=0, description="board power (TDP), watts")


class Privacy(Sourced):
    trains_on_data: bool
    retention_days: int = Field(ge=0, description="default retention of prompts and outputs")
    zero_retention: Literal["self-serve", "on-approval", "none"]
    residency: list[str] = Field(
        default_factory=list, description="regions where processing can be pinned (us, eu, ...)"
    )
    certifications: list[str] = Field(default_factory=list)


class TokenPrices(Strict):
    """USD per million tokens."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)


class LongContextTier(TokenPrices):
    threshold_tokens: int = Field(gt=0, description="prompts above this pay the tier's rates")


class PriceStep(Sourced):
    """A published change of an offering's prices from a date on (an introductory price ending)."""

    starts: dt.date = Field(description="first day the new prices apply")
    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cached_input: float | None = Field(default=None, ge=0)
    cache_write: float | None = Field(default=None, ge=0)


LIFECYCLE_FIELDS = ("deprecation_date", "shutdown_date", "replacement")


class DedicatedPrices(Sourced):
    """What a provider charges per GPU-hour for a dedicated deployment of a tuned model: the API
    option is then priced as a fleet sized like a self-hosted one at these prices."""

    hourly_per_gpu: dict[Id, float] = Field(
        min_length=1, description="USD per GPU-hour, by catalogue GPU id (on demand, billed per second)"
    )

    @model_validator(mode="after")
    def _positive(self) -> DedicatedPrices:
        if any(v <= 0 for v in self.hourly_per_gpu.values()):
            raise ValueError("hourly_per_gpu: prices must be positive")
        return self


class FineTuning(Sourced):
    """How an offering's model can be tuned, at what training price, and how a tuned model is served.

    `serving` says what a tuned model costs to call: `base` (the base model's token prices),
    `tuned_prices` (its own token prices, in `tuned_prices`), `base_plus_hourly` (base token
    prices plus `hourly_fee` USD per hour for each deployed tuned model), `dedicated` (only on
    dedicated deployments, `hourly_fee` USD per hour where published) or `provisioned` (only on
    provisioned capacity). docs/catalogue.md lists each field."""

    methods: list[Literal["lora", "full"]] = Field(
        default_factory=list,
        description="methods offered; empty: the provider does not say how it tunes (its one method)",
    )
    training_per_million: dict[Literal["lora", "full", "any"], float] = Field(
        default_factory=dict,
        description="USD per million training tokens (every epoch counted), per method; `any`: the "
        "provider's one price whatever it does",
    )
    serving: Literal["base", "tuned_prices", "base_plus_hourly", "dedicated", "provisioned"] = "base"
    full_serving: Literal["base", "tuned_prices", "base_plus_hourly", "dedicated", "provisioned"] | None = Field(
        default=None, description="how a fully tuned model is served, where it differs from `serving`"
    )
    tuned_prices: TokenPrices | None = Field(default=None, description="token prices of a tuned model")
    hourly_fee: float | None = Field(
        default=None, ge=0, description="USD per hour per deployed tuned model (base_plus_hourly, dedicated)"
    )
    new_customers: bool = Field(default=True, description="false: no longer open to new customers")
    dedicated: DedicatedPrices | None = Field(
        default=None,
        description="serving: dedicated: the provider's GPU-hour prices, to price a deployment sized to the traffic",
    )

    @model_validator(mode="after")
    def _complete(self) -> FineTuning:
        if any(v < 0 for v in self.training_per_million.values()):
            raise ValueError("training_per_million: prices must not be negative")
        if self.serving == "tuned_prices" and self.tuned_prices is None:
            raise ValueError("serving: tuned_prices needs tuned_prices")
        if self.serving == "base_plus_hourly" and self.hourly_fee is None:
            raise ValueError("serving: base_plus_hourly needs hourly_fee")
        return self


class Offering(Sourced):
    model: Id
    provider_model_id: str | None = None
    deprecation_date: dt.date | None = Field(
        default=None, description="the provider deprecates this offering (a warning from this day)"
    )
    shutdown_date: dt.date | None = Field(
        default=None, description="the provider retires this offering: from this day it cannot be called"
    )
    replacement: Id | None = Field(default=None, description="the model the provider points to instead")
    lifecycle_source: str | None = Field(
        default=None, min_length=1, description="where the lifecycle dates come from (`source` dates the prices)"
    )
    lifecycle_as_of: dt.date | None = Field(default=None, description="the date of lifecycle_source")
    hold: str | None = Field(
        default=None,
        min_length=1,
        description="why the entry deliberately differs from the price packages: an import never overwrites it",
    )
    prices: TokenPrices
    price_steps: list[PriceStep] = Field(
        default_factory=list,
        description="published future price changes; `prices` holds the price in force on `as_of` "
        "(src/openclosed/price_steps.py resolves the price for a date)",
    )
    long_context: LongContextTier | None = None
    batch_discount: float = Field(default=0.0, ge=0, lt=1, description="share taken off in batch")
    request_fee: float = Field(default=0.0, ge=0, description="USD per request")
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    regions: list[str] = Field(default_factory=list)
    speed: ApiSpeed | None = Field(default=None, description="measured output speed and time to first token")
    fine_tuning: bool | FineTuning = Field(
        default=False,
        description="false: cannot be tuned here; true: can be, not priced in the catalogue; an object: "
        "methods, training price and how tuned models are served",
    )

    @model_validator(mode="after")
    def _lifecycle_sourced(self) -> Offering:
        dated = any(getattr(self, f) is not None for f in LIFECYCLE_FIELDS)
        if dated and (self.lifecycle_source is None or self.lifecycle_as_of is None):
            raise ValueError(
                "an offering's deprecation_date, shutdown_date or replacement needs lifecycle_source "
                "and lifecycle_as_of"
            )
        if self.deprecation_date and self.shutdown_date and self.shutdown_date < self.deprecation_date:
            raise ValueError("shutdown_date must not be before deprecation_date")
        return self


class ApiProvider(Strict):
    id: Id
    name: str
    kind: Literal["api"] = "api"
    aliases: list[str] = Field(default_factory=list)
    url: str | None = None
    hq: str | None = None
    price_multiplier: float = Field(
        default=1.0, gt=0, description="applied to every price (a negotiated discount: 0.7)"
    )
    privacy: Privacy
    offerings: list[Offering]


class RegionalGpuPrice(Sourced):
    """One region's prices for a GPU offer, USD per GPU-hour (instance price / GPUs per instance)."""

    region: str = Field(min_length=1, description="the cloud's region id, e.g. us-east-1, europe-west4")
    area: str = Field(min_length=1, description="residency area the region is in (us, eu, uk, apac, ...)")
    hourly_price: float | None = Field(default=None, gt=0, description="on demand; null: not rented on demand")
    committed_1y: float | None = Field(default=None, gt=0, description="1-year commitment, per hour of the term")
    committed_3y: float | None = Field(default=None, gt=0, description="3-year commitment, per hour of the term")
    spot: float | None = Field(default=None, gt=0, description="spot / preemptible, where published")


class GpuOffer(Sourced):
    gpu: Id
    instance: str | None = None
    gpus_per_instance: int = Field(default=1, gt=0)
    gpu_counts: list[int] = Field(default_factory=lambda: [1, 2, 4, 8], description="GPU counts one can rent together")
    hourly_price: float = Field(gt=0, description="USD per GPU-hour, on demand")
    reserved_hourly_price: float | None = Field(default=None, gt=0, description="1-year commitment")
    spot_hourly_price: float | None = Field(
        default=None, gt=0, description="USD per GPU-hour on spot (interruptible) capacity, where published"
    )
    regions: list[str] = Field(default_factory=list)
    regional_prices: list[RegionalGpuPrice] = Field(
        default_factory=list,
        description="per-region on-demand, committed and spot prices (src/openclosed/gpu_prices.py picks one)",
    )


class GpuCloud(Strict):
    id: Id
    name: str
    kind: Literal["gpu-cloud"] = "gpu-cloud"
    tenancy: Literal["own-account", "marketplace"] = Field(
        default="own-account",
        description="own-account: whole machines rented under your own account and contract; "
        "marketplace: GPUs belonging to third-party hosts",
    )
    aliases: list[str] = Field(default_factory=list)
    url: str | None = None
    regions: list[str] = Field(default_factory=list)
    price_multiplier: float = Field(
        default=1.0, gt=0, description="applied to every GPU price (a negotiated discount: 0.7)"
    )
    offers: list[GpuOffer]


class OnPremGpu(Sourced):
    gpu: Id
    purchase_price: float | None = Field(
        default=None,
        gt=0,
        description="USD per GPU of a new server with vendor support, including its share of the server; "
        "null when the GPU is no longer sold new",
    )
    used_purchase_price: float | None = Field(
        default=None, gt=0, description="USD per GPU of a used or refurbished server, server share included"
    )
    used_source: str | None = Field(
        default=None, min_length=1, description="source of the used price (default: source)"
    )
    used_as_of: dt.date | None = Field(default=None, description="date of the used price (default: as_of)")

    @model_validator(mode="after")
    def _some_price(self) -> OnPremGpu:
        if self.purchase_price is None and self.used_purchase_price is None:
            raise ValueError("give purchase_price, used_purchase_price or both")
        return self

    def price(self, purchase: str) -> tuple[float, str, dt.date] | None:
        """(USD per GPU, source, as of) of a new or used server; None when there is none of that kind."""
        if purchase == "used":
            if self.used_purchase_price is None:
                return None
            return self.used_purchase_price, self.used_source or self.source, self.used_as_of or self.as_of
        if self.purchase_price is None:
            return None
        return self.purchase_price, self.source, self.as_of


class ResidualPoint(Strict):
    years: float = Field(gt=0, le=30, description="age of the servers when sold")
    share: float = Field(ge=0, le=1, description="share of the purchase price recovered")


class OnPrem(Sourced):
    id: Id = "on-prem"
    name: str = "On-premises"
    amortisation_years: float = Field(gt=0)
    electricity_usd_per_kwh: float = Field(ge=0)
    pue: float = Field(ge=1, description="power usage effectiveness of the data centre")
    server_power_overhead: float = Field(ge=0, description="extra power of CPUs, memory, fans, as a share of GPU power")
    hosting_usd_per_gpu_month: float = Field(ge=0, description="rack space, network, support")
    gpus_per_server: int = Field(default=8, gt=0, description="GPUs are bought as whole servers of this many")
    network_usd_per_server: float = Field(
        default=0.0, ge=0, description="purchase of the server's share of the network fabric (NICs, switches, cables)"
    )
    residual_value: float | list[ResidualPoint] = Field(
        default=0.0,
        description="share of the purchase price recovered when the servers are sold at the end of the write-off: "
        "one share, or points by age in years (interpolated linearly; 1 at age 0, the last share beyond)",
    )
    on_call_engineers: float = Field(
        default=0.0, ge=0, le=100, description="engineers a 24/7 on-call rotation for owned hardware costs"
    )
    datacentre_engineers_per_server: float = Field(
        default=0.0, ge=0, le=10, description="engineers per owned server for hardware incidents (diagnose, swap, RMA)"
    )
    gpus: list[OnPremGpu]

    @field_validator("residual_value")
    @classmethod
    def _residual_in_range(cls, value: float | list[ResidualPoint]) -> float | list[ResidualPoint]:
        if isinstance(value, float | int) and not 0 <= value <= 1:
            raise ValueError("residual_value must be between 0 and 1")
        if isinstance(value, list):
            if not value:
                raise ValueError("give at least one point")
            ages = [p.years for p in value]
            if ages != sorted(set(ages)):
                raise ValueError("points must be in increasing order of years, each age once")
        return value

    def residual_at(self, years: float) -> float:
        """The share of the purchase price recovered after `years` (the catalogue's default)."""
        rv = self.residual_value
        if not isinstance(rv, list):
            return float(rv)
        prev_y, prev_s = 0.0, 1.0
        for p in rv:
            if years <= p.years:
                return prev_s + (p.share - prev_s) * (years - prev_y) / (p.years - prev_y)
            prev_y, prev_s = p.years, p.share
        return prev_s


class ProvidersFile(Strict):
    version: Literal[1] = 1
    as_of: dt.date
    gpus: list[Gpu]
    api_providers: list[ApiProvider]
    gpu_clouds: list[GpuCloud]
    on_prem: OnPrem | None = None
