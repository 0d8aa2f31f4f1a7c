"""The Report: the one result every renderer draws from (JSON contract, schema version 1).

Field names here are a public contract (docs/json.md, docs/schemas/report.schema.json): add
fields freely, never rename or remove one without bumping SCHEMA_VERSION.
"""

# Annotations are evaluated as written, not postponed (no `from __future__ import annotations`): pydantic
# would otherwise `eval` every annotation string at class creation, a few ms of each start-up.
# Forward references are quoted.
from typing import Literal, TypeVar

from .modelbase import BaseModel, ConfigDict, Field, slot_setter

SCHEMA_VERSION = 1
_M = TypeVar("_M", bound=BaseModel)


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)


class ToolInfo(_Out):
    name: str = "openclosed"
    version: str


class CatalogInfo(_Out):
    as_of: str = Field(description="the catalogue files' own date")
    models: int
    providers: int
    gpus: int
    sources: list[str] = Field(default_factory=list)
    newest_as_of: str | None = Field(
        default=None, description="the newest as_of of any entry in the catalogue (entries re-checked since as_of)"
    )


class LatencyEcho(_Out):
    max_ttft_ms: float | None
    min_output_tokens_per_s: float | None


class PrivacyEcho(_Out):
    sensitivity: str
    allow_third_party: bool
    residency: list[str]


class LicenceEcho(_Out):
    commercial: bool
    monthly_active_users: int
    eu_company: bool


class QualityEcho(_Out):
    min_score: float


class BudgetEcho(_Out):
    max_monthly_cost: float | None = None
    max_cost_per_million: float | None = None
    max_increase_pct: float | None = None
    max_capex: float | None = None


class SelfHostingEcho(_Out):
    precisions: list[str]


class TrafficEcho(_Out):
    reasoning: str | None = None


class WorkloadSummary(_Out):
    name: str
    requests_per_month: float
    input_tokens: float
    output_tokens: float
    input_tokens_per_month: float
    output_tokens_per_month: float
    tokens_per_month: float
    peak_to_average: float
    cached_input_share: float
    batch_share: float
    context_tokens: float
    source: str = Field(description="file path, preset name, or 'flags'")
    # Every constraint applied, under the workload file's own keys (docs/json.md).
    latency: LatencyEcho | None = None
    privacy: PrivacyEcho | None = None
    licence: LicenceEcho | None = None
    quality: QualityEcho | None = None
    budget: BudgetEcho | None = None
    horizon_months: float | None = None
    self_hosting: SelfHostingEcho | None = None
    traffic: TrafficEcho | None = Field(
        default=None, description="traffic.reasoning, where the workload has it; null otherwise"
    )


class UnitPricesOut(_Out):
    input: float
    cached_input: float
    cache_write: float
    output: float
    request_fee: float
    batch_discount: float
    long_context_tier: bool
    source: str
    as_of: str


class SelfHostingOut(_Out):
    cloud: str
    gpu: str
    precision: str
    gpus_per_replica: int
    replicas: int
    total_gpus: int
    billed_gpus: int = Field(description="GPUs paid for, after rounding up to rentable sizes")
    gpu_hourly_price: float = Field(description="USD per GPU-hour actually charged")
    gpu_price_kind: Literal["on-demand", "reserved", "spot", "on-prem"]
    pricing: Literal["on-demand", "1y", "3y", "spot", "owned"] = Field(
        description="how the interactive (or only) fleet is paid for"
    )
    batch_replicas: int = Field(description="replicas that run only inside the batch window (0: none)")
    batch_pricing: Literal["on-demand", "1y", "3y", "spot", "owned"] | None = Field(
        description="how the batch replicas are paid for; null without batch replicas"
    )
    gpu_hours_per_month: float = Field(description="GPU-hours billed a month, interactive and batch")
    nodes_in_fleet: int = Field(description="nodes of up to 8 GPUs (the GPU's node size) billed, for operations")
    operations_engineers: float = Field(description="engineers the fleet takes: base + per node")
    output_tokens_per_s_per_replica: float
    requests_per_s_per_replica: float
    peak_requests_per_s: float
    utilisation_at_peak: float
    concurrency: int
    max_concurrency: int
    ttft_ms: float
    tpot_ms: float
    decode_step_ms: float
    per_stream_tokens_per_s: float
    weights_gb: float
    kv_cache_gb_per_sequence: float
    price_source: str
    price_as_of: str
    on_prem: dict[str, float] | None = None
    nodes: int = Field(default=1, description="nodes one replica spans (whole nodes beyond one)")
    tp: int = Field(default=1, description="tensor-parallel degree inside a node")
    ep: int = Field(default=1, description="expert-parallel degree (1: none)")
    pp: int = Field(default=1, description="pipeline stages (1: none)")
    region: str | None = Field(default=None, description="cloud region whose price applies (null: list price)")
    purchase: Literal["new", "used"] | None = Field(
        default=None, description="owned servers: bought new or used (null: rented GPUs)"
    )
    write_off_years: float | None = Field(
        default=None, description="owned servers: years over which the purchase is written off"
    )
    residual_value: float | None = Field(
        default=None, description="owned servers: share of the purchase price recovered at the end of the write-off"
    )


class ApiSpeedOut(_Out):
    """Measured speed of an API offering, TTFT scaled to the workload's prompt (src/openclosed/api/speed.py)."""

    output_tokens_per_s: float | None = Field(description="median output tokens/s per stream; null: none published")
    ttft_ms: float | None = Field(
        description="time to first token at the workload's prompt length; null: none published"
    )
    source: str | None
    as_of: str | None
    prompt_tokens: int | None = Field(default=None, description="prompt length the TTFT was measured at")
    measured_ttft_ms: float | None = Field(default=None, description="the published TTFT before scaling")
    basis: Literal["provider", "model", "estimate"] | None = Field(
        default=None,
        description="provider: measured on this offering's endpoint; model: the model's per-model figure "
        "(no figure of the provider's own); estimate: a tuned model on the provider's dedicated fleet, the "
        "priced replica's sizing estimate; null: none published",
    )
    unchecked: bool = Field(
        default=False, description="a latency target was set and the figure it needs is not published"
    )


class Scores(_Out):
    cost: float
    privacy: float
    lock_in: float
    quality: float
    overall: float


class OptionOut(_Out):
    id: str
    model: str
    model_name: str
    open_weights: bool
    deployment: Literal["api", "self-hosted"]
    provider: str
    licence: str
    quality_index: float | None
    quality_estimated: bool = Field(
        default=False, description="true when quality_index is an estimate, not a published value"
    )
    monthly_cost: float | None = Field(
        description="USD a month; null when the option cannot run at all (does not fit, no usable "
        "precision, shut down). An option ruled out only by a constraint keeps its real cost."
    )
    monthly_cost_low: float | None = Field(
        default=None, description="10th percentile of the sampled monthly cost (docs/methodology.md)"
    )
    monthly_cost_high: float | None = Field(default=None, description="90th percentile of the sampled monthly cost")
    cost_per_million_tokens: float | None
    capex: float = Field(
        default=0.0,
        description="USD paid up front: owned servers, their network and installation; 0 for APIs and rented GPUs",
    )
    cost_breakdown: dict[str, float]
    unit_prices: UnitPricesOut | None
    self_hosting: SelfHostingOut | None
    api_speed: ApiSpeedOut | None = Field(default=None, description="API options: measured speed and TTFT")
    feasible: bool
    violations: list[str]
    warnings: list[str] = Field(default_factory=list)
    scores: Scores
    reasons: list[str]
    rank: int | None = Field(default=None, description="position in the list the command outputs (1..n)")
    rank_among_all: int | None = Field(
        default=None,
        description="position among every feasible option of the comparison, before filtering to the list shown",
    )
    reasoning: str | None = Field(
        default=None,
        description="reasoning mode priced: none | low | medium | high (none: the model does not reason); "
        "quality_index is the index in this mode",
    )
    reasoning_tokens_per_request: float = Field(
        default=0.0,
        description="hidden reasoning tokens per request priced (API: billed at the output price) or decoded "
        "(self-hosted) besides output_tokens",
    )
    customisation: str | None = Field(
        default=None,
        description="the fine-tuning method priced (lora, full); null when the workload does not customise "
        "or the option cannot price it (its violations say why)",
    )


class Saving(_Out):
    open_option: str
    closed_option: str
    open_monthly_cost: float
    closed_monthly_cost: float
    saving_pct: float = Field(description="1 - open/closed, percent; negative when open costs more")
    quality_gap: float = Field(description="open quality index minus closed quality index")


class Recommendation(_Out):
    id: str
    why: str
    runner_up: str | None
    best_other_kind: str | None
    saving: Saving | None


class RoutedClass(_Out):
    name: str
    share: float = Field(description="share of the workload's requests")
    requests_per_month: float
    recommended: str | None = Field(
        description="the option recommended for this class alone; null when none is feasible"
    )
    monthly_cost: float | None = Field(description="this class's part of the routed total")
    runner_up: str | None = None
    shared_fleet: str | None = Field(
        default=None, description="the self-hosted option whose replicas this class shares with other classes"
    )
    alone_monthly_cost: float | None = Field(
        default=None, description="the recommended option's cost for this class alone"
    )


class SharedFleet(_Out):
    option: str
    classes: list[str]
    precision: str
    gpus_per_replica: int
    replicas: int
    monthly_cost: float = Field(description="one fleet sized for the classes' combined peak")
    separate_monthly_cost: float = Field(description="the same classes on separate fleets")


class Routing(_Out):
    classes: list[RoutedClass]
    monthly_cost: float | None = Field(description="the routed total: every class on its recommended option")
    single_option: str | None = Field(description="the option recommended when one option must serve every class")
    single_option_monthly_cost: float | None
    saving: float | None = Field(default=None, description="single_option_monthly_cost - monthly_cost")
    saving_pct: float | None = Field(default=None, description="saving / single_option_monthly_cost, percent")
    cheapest_single_option: str | None = None
    cheapest_single_option_monthly_cost: float | None = None
    shared_fleets: list[SharedFleet] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)
    capex: float | None = Field(
        default=None,
        description="USD paid up front for the routed plan: the sum of each class's recommended option's capex "
        "(as bought for that class alone)",
    )


class CurrentSpendOut(_Out):
    monthly_cost: float = Field(description="USD a month the workload costs today")
    source: str = Field(description="'export', 'catalogue', or the workload file's own words")


class Report(_Out):
    schema_version: int = SCHEMA_VERSION
    tool: ToolInfo
    currency: Literal["USD"] = "USD"
    generated_for: str = Field(description="the date used for lifecycle and staleness checks")
    catalog: CatalogInfo
    workload: WorkloadSummary
    profile: str
    weights: dict[str, float]
    sort: str
    recommended: str | None
    recommendation_kind: Literal["single", "routed"] | None = Field(
        default="single",
        description="which advice the report gives: 'single' (the recommended option serves every request) "
        "or 'routed' (with traffic classes, each class on its own option: the routed total is lower than "
        "the recommended option's cost); null when nothing is recommended",
    )
    recommendation: Recommendation | None
    recommendation_confidence: float | None = Field(
        default=None, description="0..1: share of sampled scenarios in which the recommended option stays first"
    )
    warnings: list[str]
    options: list[OptionOut]
    routing: Routing | None = Field(default=None, description="per traffic class; null without traffic.classes")
    current_spend: CurrentSpendOut | None = Field(
        default=None, description="what the workload costs today (the workload file's current_spend); never an option"
    )


def construct(cls: type[_M], **values: object) -> _M:
    """Build a model from trusted values without validation, faster than `model_construct`.

    Every field must be given, except fields whose default is a plain constant (new optional
    fields of the JSON contract), which take it. The engine builds thousands of these per run
    from values it has already checked; `model_construct` spends most of its time resolving
    defaults.
    """
    names, defaults, given = _shape(cls)
    if len(values) != len(names):
        values = {**defaults, **values}
    if tuple(values) == names:
        data = values  # given in field order (most callers): a fresh dict, kept as it is
    else:
        try:
            data = {k: values[k] for k in names}
        except KeyError:
            data = {}
    if len(data) != len(names) or len(values) != len(names):
        missing = sorted(set(names) - set(values))
        extra = sorted(set(values) - set(names))
        raise TypeError(f"{cls.__name__}: missing {missing}, unexpected {extra}")
    obj = cls.__new__(cls)
    _set(obj, "__dict__", data)
    # Every field is given, so every instance's fields-set holds every name: one set per class
    # serves them all (pydantic only ever adds a field's name to it, which it already holds).
    _set_fields(obj, given)
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def adopt(cls: type[_M], data: dict[str, object]) -> _M:
    """`construct` for a dict that already holds every field in the model's order (a copy of
    another instance's `__dict__` with some values changed): the dict becomes the instance's."""
    obj = cls.__new__(cls)
    _set(obj, "__dict__", data)
    _set_fields(obj, _shape(cls)[2])
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


_set = object.__setattr__


_set_fields = slot_setter("__pydantic_fields_set__")
_set_extra = slot_setter("__pydantic_extra__")
_set_private = slot_setter("__pydantic_private__")
_SHAPES: dict[type, tuple[tuple[str, ...], dict[str, object], set[str]]] = {}


def _shape(cls: type[BaseModel]) -> tuple[tuple[str, ...], dict[str, object], set[str]]:
    """The model's field names in order, the fields whose default is a plain constant, and the
    fields-set its instances share."""
    hit = _SHAPES.get(cls)
    if hit is None:
        fields = cls.__pydantic_fields__  # not model_fields: that may complete a deferred schema
        defaults = {
            name: f.default
            for name, f in fields.items()
            if f.default_factory is None and isinstance(f.default, (type(None), bool, int, float, str))
        }
        hit = _SHAPES[cls] = (tuple(fields), defaults, set(fields))
    return hit


def to_plain(value: object) -> object:
    """Models to plain dicts and lists, in field order, without pydantic's serializer.

    The engine builds its outputs with `model_construct` (no validation) and this walks them
    directly, which spares building serialisation schemas on every run (tens of milliseconds
    of start-up); the JSON is the same as `model_dump(mode="json")` for these models.
    """
    if isinstance(value, BaseModel):
        return {k: to_plain(v) for k, v in value.__dict__.items()}
    if isinstance(value, dict):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()  # type: ignore[attr-defined]
    if hasattr(value, "value") and not isinstance(value, (int, float, str, bool)):
        return value.value  # enums
    return value
