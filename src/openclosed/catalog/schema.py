"""Pydantic models for the two catalogue files.

`data/models.yaml` holds licences and models; `data/providers.yaml` holds GPU types, API
providers with their offerings, GPU clouds with their offers, and on-premises assumptions.
Every price, spec and policy carries `source` and `as_of` so that a result can always say where
a number came from and how old it is.
An open model's architecture is its own module (`architecture.py`); the strict and sourced
bases are in `base.py`.
"""

# Annotations are evaluated as written, not postponed (no `from __future__ import annotations`): pydantic
# would otherwise `eval` every annotation string at class creation, a few ms of each start-up.
# Forward references are quoted.
import datetime as dt
from typing import Literal

from ..modelbase import Field, field_validator, model_validator
from .architecture import Architecture
from .base import Id, Sourced, Strict

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
        "default in src/openclosed/api/speed.py)",
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
    def _consistent(self) -> "Reasoning":
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
    def _open_has_architecture(self) -> "Model":
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
    caveat: str | None = Field(
        default=None,
        min_length=1,
        description="a condition of the provider's that the fleet priced here may not meet (e.g. larger "
        "configurations for tuned models); shown as a warning on every option priced with these prices",
    )

    @model_validator(mode="after")
    def _positive(self) -> "DedicatedPrices":
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
    def _complete(self) -> "FineTuning":
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
        description="false (the default): no fine-tuning offer recorded here; true: can be tuned, not priced in the "
        "catalogue; an object: "
        "methods, training price and how tuned models are served",
    )

    @model_validator(mode="after")
    def _lifecycle_sourced(self) -> "Offering":
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
    def _some_price(self) -> "OnPremGpu":
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
