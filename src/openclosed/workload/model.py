"""The workload: what traffic must be served, under which constraints (schema version 1).

It is longer than most modules because the workload file is one schema: its sections, presets,
validation rules and derived rates are kept together so the file format reads in one place.
"""

# Annotations are evaluated as written, not postponed (no `from __future__ import annotations`): pydantic
# would otherwise `eval` every annotation string at class creation, a few ms of each start-up.
# Forward references are quoted.
from pathlib import Path
from typing import Any, Literal, TypeVar

from ..errors import InputError, Problem
from ..modelbase import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator
from ..yamlio import LineMap, dotted, load_yaml, read_text
from .customisation import Customisation

HOURS_PER_MONTH = 730.0  # 365 * 24 / 12, used for request rates and GPU hours alike
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0
# The smallest request rates accepted (all about one request a month or more): below these the
# engine's per-request and per-token arithmetic divides by almost nothing.
MIN_REQUESTS_PER_MONTH = 1.0
MIN_REQUESTS_PER_DAY = 0.01
MIN_REQUESTS_PER_SECOND = 1e-6
MAX_INPUT_TOKENS = 10_000_000
MAX_OUTPUT_TOKENS = 1_000_000

_M = TypeVar("_M", bound=BaseModel)

Precision = Literal["bf16", "fp8", "int8", "int4", "mxfp4"]
Sensitivity = Literal["public", "internal", "confidential", "regulated"]
Reasoning = Literal["none", "low", "medium", "high"]


def _is_numeric(annotation: Any) -> bool:
    """float, int, their optionals, and integer Literals (a YAML `yes` must not read as 1)."""
    import typing

    if annotation in (int, float):
        return True
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is Literal:
        return any(isinstance(a, int) and not isinstance(a, bool) for a in args)
    return any(_is_numeric(a) for a in args if a is not type(None)) and typing.get_origin(annotation) is not list


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False, defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # pydantic reads True as 1 for a number; YAML reads `yes` as True. Boolean keys keep
        # accepting true/false/yes/no: only fields whose type is a number refuse them.
        if isinstance(value, bool) and info.field_name is not None:
            field = cls.model_fields.get(info.field_name)
            if field is not None and _is_numeric(field.annotation):
                raise ValueError("expected a number, not a boolean")
        return value


def _defaults(model: type[_M]) -> Any:
    """The default factory of a section left out: its defaults without validation (`as_validated`)."""
    return lambda: as_validated(model, {})


def peak_factor(batch_share: float, peak_to_average: float) -> float:
    """Only the interactive share peaks; capacity always covers the average."""
    return max(1.0, (1.0 - batch_share) * peak_to_average)


class Traffic(_Strict):
    # Bounds keep the arithmetic finite: 1e12 requests a month is far beyond any real workload.
    # Minimums keep divisions finite (docs/workload.md, "Ranges"): a rate of 1e-320 requests used to
    # price an option at $0, and a cost per token divided by almost nothing overflowed.
    requests_per_day: float | None = Field(default=None, ge=MIN_REQUESTS_PER_DAY, le=1e11)
    requests_per_month: float | None = Field(default=None, ge=MIN_REQUESTS_PER_MONTH, le=1e12)
    requests_per_second: float | None = Field(default=None, ge=MIN_REQUESTS_PER_SECOND, le=1e6)
    input_tokens: float = Field(ge=1, le=MAX_INPUT_TOKENS, description="mean prompt tokens per request")
    output_tokens: float = Field(ge=1, le=MAX_OUTPUT_TOKENS, description="mean completion tokens")
    cached_input_share: float = Field(default=0.0, ge=0, le=1)
    cache_write_share: float = Field(
        default=0.0, ge=0, le=1, description="share of input tokens written to a prompt cache"
    )
    batch_share: float = Field(default=0.0, ge=0, le=1)
    peak_to_average: float = Field(default=2.0, ge=1, le=1000)
    context_tokens: float | None = Field(
        default=None, ge=1, le=100_000_000, description="longest request; default input + output tokens"
    )
    hours_per_day: float = Field(
        default=24.0,
        gt=0,
        le=24,
        description="the day's requests arrive within these hours; peak_to_average is against their average",
    )
    batch_window_hours: float = Field(
        default=24.0, gt=0, le=24, description="the batch-tolerant share is served within these hours a day"
    )
    uncertainty: float | None = Field(
        default=None,
        ge=0,
        le=3,
        description="how far the volume may be off: one standard deviation of its natural logarithm "
        "(0.2 is about ±20 %); default: see docs/methodology.md, 'How sure the answer is'",
    )
    classes: "list[TrafficClass] | None" = Field(
        default=None, min_length=1, max_length=100, description="split of the requests into classes (routing)"
    )
    reasoning: Reasoning | None = Field(
        default=None,
        description="reasoning mode to price: none | low | medium | high; default each model's default mode "
        "(the catalogue's; docs/methodology.md, 'Reasoning tokens')",
    )
    reasoning_tokens: float | None = Field(
        default=None,
        ge=0,
        le=MAX_OUTPUT_TOKENS,
        description="measured mean hidden (reasoning) tokens per request; overrides the mode's typical count",
    )

    @model_validator(mode="after")
    def _classes_valid(self) -> "Traffic":
        # Shares are of requests, so they must cover every request exactly once.
        if self.classes:
            names = [c.name for c in self.classes]
            dup = sorted({n for n in names if names.count(n) > 1})
            if dup:
                raise ValueError(f"traffic class names must be unique (repeated: {', '.join(dup)})")
            total = sum(c.share for c in self.classes)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(f"traffic class shares must sum to 1 (got {total:.6g})")
        return self

    @model_validator(mode="after")
    def _one_rate(self) -> "Traffic":
        given = [
            k for k in ("requests_per_day", "requests_per_month", "requests_per_second") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of requests_per_day, requests_per_month, requests_per_second"
                + (f" (got {', '.join(given)})" if given else "")
            )
        if self.cached_input_share + self.cache_write_share > 1 + 1e-12:
            raise ValueError("cached_input_share + cache_write_share must not exceed 1")
        return self

    @property
    def requests_per_month_value(self) -> float:
        if self.requests_per_month is not None:
            return self.requests_per_month
        if self.requests_per_day is not None:
            return self.requests_per_day * DAYS_PER_MONTH
        assert self.requests_per_second is not None
        return self.requests_per_second * SECONDS_PER_MONTH

    def peak_rps(self, requests_per_month: float, peak_to_average: float | None = None) -> float:
        """Peak request rate of the interactive share: the active-hours average rate
        (requests per day / hours_per_day) × (1 − batch_share) × peak_to_average."""
        p2a = self.peak_to_average if peak_to_average is None else peak_to_average
        active_seconds = SECONDS_PER_MONTH * self.hours_per_day / 24.0
        return requests_per_month / active_seconds * (1.0 - self.batch_share) * p2a

    @property
    def peak_factor(self) -> float:
        """Peak over average load to provision for (batch-tolerant requests fill the valleys)."""
        return peak_factor(self.batch_share, self.peak_to_average)

    @property
    def context_tokens_value(self) -> float:
        return self.context_tokens or (self.input_tokens + self.output_tokens)


class Latency(_Strict):
    max_ttft_ms: float | None = Field(default=None, ge=1, le=86_400_000)
    min_output_tokens_per_s: float | None = Field(default=None, ge=0.001, le=1_000_000, description="per stream")


class PrivacyNeeds(_Strict):
    sensitivity: Sensitivity = "internal"
    allow_third_party: bool = True
    residency: list[str] = Field(default_factory=list)


class LicenceNeeds(_Strict):
    commercial: bool = True
    monthly_active_users: int = Field(default=0, ge=0, le=100_000_000_000)
    eu_company: bool = Field(default=False, description="the deploying company is domiciled in the EU")


class QualityNeeds(_Strict):
    min_score: float = Field(default=0, ge=0, le=100)


class TrafficClass(_Strict):
    """A share of the requests with its own token profile and needs; unset keys take the workload's."""

    name: str = Field(min_length=1, max_length=100)
    share: float = Field(gt=0, le=1, description="share of the workload's requests")
    input_tokens: float | None = Field(default=None, gt=0, le=10_000_000)
    output_tokens: float | None = Field(default=None, gt=0, le=1_000_000)
    cached_input_share: float | None = Field(default=None, ge=0, le=1)
    cache_write_share: float | None = Field(default=None, ge=0, le=1)
    context_tokens: float | None = Field(default=None, gt=0)
    quality: QualityNeeds | None = None
    latency: Latency | None = None
    reasoning: Reasoning | None = None
    reasoning_tokens: float | None = Field(default=None, ge=0, le=MAX_OUTPUT_TOKENS)


# Traffic names TrafficClass before it is defined (it reuses Latency and QualityNeeds). Nothing
# rebuilds Traffic here: the models defer their build, and the first validation (Workload's, or
# Traffic's own) resolves the name from this module. Building Traffic at import cost about 2-3 ms
# of every start-up for a validator that Workload's own build does not reuse.


class Operations(_Strict):
    engineer_cost_per_month: float = Field(default=15_000, ge=0, le=10_000_000)
    self_hosting_engineers: float = Field(
        default=0.25, ge=0, le=1000, description="base effort of running any self-hosted fleet, in engineers"
    )
    engineers_per_node: float = Field(
        default=0.02,
        ge=0,
        le=100,
        description="added effort per 8-GPU node (failures, patching, capacity): see docs/methodology.md",
    )
    setup_engineer_months: float = Field(
        default=1.0, ge=0, le=1000, description="one-time effort to stand up self-hosting"
    )
    on_prem_engineers: float | None = Field(
        default=None,
        ge=0,
        le=1000,
        description="engineers for the 24/7 on-call and datacentre work of owned servers, on top of the above "
        "(default: the catalogue's on_prem.on_call_engineers + datacentre_engineers_per_server × servers)",
    )


class OnPremNeeds(_Strict):
    """How owned servers are bought and written off (docs/methodology.md, "Owned servers")."""

    write_off: Literal["horizon", "useful_life"] = Field(
        default="horizon",
        description="horizon: the servers are paid off over horizon_months, then sold; useful_life: over the "
        "catalogue's on_prem.amortisation_years",
    )
    residual_value: float | None = Field(
        default=None,
        ge=0,
        le=1,
        description="share of the purchase price recovered at the end of the write-off (default: the catalogue's "
        "on_prem.residual_value at that age)",
    )
    purchase: Literal["new", "used"] = Field(
        default="new", description="new servers with vendor support, or used/refurbished ones"
    )


class SelfHosting(_Strict):
    precisions: list[Precision] = Field(default_factory=lambda: ["bf16", "fp8"], min_length=1)
    utilisation_cap: float = Field(
        default=0.8, ge=0.05, le=1, description="highest share of a replica's capacity used at peak"
    )
    gpu_price_multiplier: float = Field(default=1.0, ge=0.01, le=100)
    reserved: bool = Field(default=False, description="alias of commitment: 1y (kept for old workload files)")
    commitment: Literal["none", "1y", "3y"] = Field(
        default="none",
        description="committed-use GPU prices: 1y or 3y (a term longer than horizon_months is paid in full, "
        "spread over the horizon)",
    )
    region: str | None = Field(
        default=None,
        max_length=64,
        description="cloud region whose GPU prices apply (default: the cheapest region the residency allows)",
    )

    @property
    def commitment_value(self) -> str:
        """`commitment`, with `reserved: true` read as 1y."""
        return "1y" if self.commitment == "none" and self.reserved else self.commitment

    on_prem: OnPremNeeds = Field(default_factory=_defaults(OnPremNeeds))
    min_replicas: int | None = Field(
        default=None,
        ge=1,
        le=100_000,
        description="interactive replicas kept for availability; default 2 (one may fail or be upgraded "
        "while the other serves), 1 when all traffic is batch-tolerant",
    )
    scale_to_zero: bool = Field(
        default=False, description="bill GPUs only for traffic.hours_per_day (no replicas outside active hours)"
    )
    spot: bool | Literal["all"] = Field(
        default=False,
        description="true: the batch-tolerant share on spot GPUs; all: every replica on spot (interruptions "
        "reach users)",
    )
    kv_cache_dtype: Literal["bf16", "fp8"] = Field(
        default="bf16",
        description="element type of the KV cache, whatever the weights' precision (bf16: the serving "
        "engines' default; fp8 halves the cache and must be set in the engine)",
    )
    speculative: Literal["none", "mtp", "eagle"] = Field(
        default="none",
        description="speculative decoding: mtp (the model's own multi-token-prediction layers; none for "
        "a model without them) or eagle (a trained draft head)",
    )


class Budget(_Strict):
    max_monthly_cost: float | None = Field(default=None, ge=0, le=1e15)
    max_cost_per_million: float | None = Field(default=None, ge=0, le=1e15)
    max_increase_pct: float | None = Field(default=None, ge=0, le=1e9)
    max_capex: float | None = Field(
        default=None, ge=0, le=1e15, description="USD paid up front for owned servers, network and installation"
    )


class CurrentSpend(_Strict):
    """What the workload costs today (written by `workload from-usage`; unrelated to `check
    --baseline`): reports show it beside the recommendation, never as an option."""

    monthly_cost: float = Field(ge=0, le=1e15, description="USD a month paid today")
    source: str = Field(
        min_length=1,
        max_length=200,
        description="where the figure comes from: 'export' (the usage export's own cost), 'catalogue' "
        "(catalogue prices of the models in use), or your own words",
    )


# A section left out takes its defaults without validation (`_defaults`): the defaults need no
# validation, and validating them built a validator per section (a few ms of every run).
class Workload(_Strict):
    version: Literal[1] = 1
    name: str = "workload"
    description: str | None = None
    traffic: Traffic
    latency: Latency = Field(default_factory=_defaults(Latency))
    privacy: PrivacyNeeds = Field(default_factory=_defaults(PrivacyNeeds))
    licence: LicenceNeeds = Field(default_factory=_defaults(LicenceNeeds))
    quality: QualityNeeds = Field(default_factory=_defaults(QualityNeeds))
    operations: Operations = Field(default_factory=_defaults(Operations))
    self_hosting: SelfHosting = Field(default_factory=_defaults(SelfHosting))
    budget: Budget = Field(default_factory=_defaults(Budget))
    horizon_months: float = Field(default=12, ge=1, le=240)
    customisation: Customisation | None = Field(
        default=None, description="the model is tuned on your data (docs/workload.md); absent: a base model"
    )
    current_spend: CurrentSpend | None = None

    # ----------------------------------------------------------- derived figures
    @property
    def requests_per_month(self) -> float:
        return self.traffic.requests_per_month_value

    @property
    def min_replicas(self) -> int:
        """Interactive replicas kept for availability (docs/methodology.md, "Minimum replicas")."""
        given = self.self_hosting.min_replicas
        if given is not None:
            return given
        return 1 if self.traffic.batch_share >= 1 else 2

    @property
    def input_tokens_per_month(self) -> float:
        return self.requests_per_month * self.traffic.input_tokens

    @property
    def output_tokens_per_month(self) -> float:
        return self.requests_per_month * self.traffic.output_tokens

    @property
    def tokens_per_month(self) -> float:
        return self.input_tokens_per_month + self.output_tokens_per_month

    def with_requests_per_month(self, rpm: float) -> "Workload":
        traffic = self.traffic.model_copy(
            update={"requests_per_month": rpm, "requests_per_day": None, "requests_per_second": None}
        )
        return self.model_copy(update={"traffic": traffic})


def suggest(name: str, allowed: list[str]) -> str:
    import difflib  # only for the message: a known name never pays its import

    close = difflib.get_close_matches(name, allowed, n=1, cutoff=0.5)
    return f"; did you mean '{close[0]}'?" if close else f"; expected one of {', '.join(allowed)}"


def _model_in(ann: Any) -> type[BaseModel] | None:
    """The model class inside an annotation such as `X`, `X | None` or `list[X] | None`."""
    import typing

    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in typing.get_args(ann):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    cur: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = cur.model_fields.get(part) if hasattr(cur, "model_fields") else None
        if field is None:
            return []
        cur = _model_in(field.annotation)
        if cur is None:
            return []
    return list(cur.model_fields) if cur is not None else []


def problems_from(exc: ValidationError, file: str | None, lines: LineMap | None) -> list[Problem]:
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        line = lines.line_for(loc) if lines is not None else None
        kind = err.get("type", "")
        if kind == "extra_forbidden":
            msg = "unknown key" + suggest(str(loc[-1]), _allowed_keys(Workload, loc))
        elif kind == "missing":
            msg = "required field is missing"
        else:
            msg = err.get("msg", "invalid").removeprefix("Value error, ")
            given = err.get("input")
            if given is not None and not isinstance(given, (dict, list)):
                msg += f" (got {given!r})"
        out.append(Problem(msg, file, line, dotted(loc) or None))
    return out


def workload_from_dict(data: Any, file: str | None = None, lines: LineMap | None = None) -> Workload:
    if not isinstance(data, dict):
        raise InputError.one("expected a mapping with a 'traffic' section", file, 1)
    try:
        return Workload.model_validate(data)
    except ValidationError as exc:
        raise InputError(problems_from(exc, file, lines)) from None


def load_workload(path: str | Path) -> Workload:
    """A workload file, validated (or as validated on an earlier run: workload/validated.py)."""
    from . import validated

    text = read_text(Path(path))
    kept = validated.lookup(text, Workload)
    if kept is not None:
        return kept
    data, lines = load_yaml(text, str(path))
    workload = workload_from_dict(data, str(path), lines)
    validated.keep(text, workload)
    return workload


def as_validated(model: type[_M], data: dict[str, Any]) -> _M:
    """What `model.model_validate(data)` gives for data known to be valid, without pydantic's
    validator: each section becomes its model, a whole number in a float field a float, and each
    model's fields set are the keys given. Only for the presets (`workload/presets.py`), which
    tests/test_workload.py checks against `Workload.model_validate` (values, types, fields set);
    none has traffic classes, a list of models that this does not build.
    Validating one built the workload's validator (about 11 ms) and, as the run's first
    validator, loaded pydantic's plugin machinery (`importlib.metadata`, about 16 ms)."""
    values: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        if name not in data:
            # The defaults filled here: model_construct inspects each default factory's signature
            # (about 0.3 ms each). Ours take no argument.
            if field.default_factory is not None:
                values[name] = field.default_factory()  # type: ignore[call-arg]
            elif not field.is_required():
                values[name] = field.get_default()  # a copy of a mutable default, as validation gives
            continue
        value = data[name]
        inner = _model_in(field.annotation)
        if inner is not None and isinstance(value, dict):
            value = as_validated(inner, value)
        elif type(value) is int and _takes_float(field.annotation):
            value = float(value)
        values[name] = value
    return model.model_construct(_fields_set=set(data), **values)


def _takes_float(annotation: Any) -> bool:
    """float or `float | None`: pydantic turns a whole number given for it into a float."""
    import typing

    return annotation is float or (float in typing.get_args(annotation) and int not in typing.get_args(annotation))


def deep_update(base: dict[str, Any], updates: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in updates.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = deep_update(out[k], v)
        else:
            out[k] = v
    return out


RATE_KEYS = ("requests_per_day", "requests_per_month", "requests_per_second")


def apply_overrides(workload: Workload | None, overrides: dict[str, Any]) -> Workload:
    """Apply flag values given as a nested dict; a new request rate replaces the old one.

    Without a base workload the flags alone make one, every other key at its default."""
    if workload is not None and not overrides:
        return workload
    data = workload.model_dump(exclude_none=True) if workload is not None else {"name": "flags", "traffic": {}}
    traffic = overrides.get("traffic", {})
    if any(k in traffic for k in RATE_KEYS):
        for k in RATE_KEYS:
            data["traffic"].pop(k, None)
    data = deep_update(data, overrides)
    try:
        return Workload.model_validate(data)
    except ValidationError as exc:
        problems = problems_from(exc, None, None)
        for p in problems:
            if p.field:
                p.field = "--" + p.field.split(".")[-1].replace("_", "-")
        raise InputError(problems) from None
