"""What the engine's stages hand each other: settings, the evaluation context, per-option details.

This module sits below every stage (API options, self-hosting, constraints, recommendation), so
that they can share these types without importing the engine that calls them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .decide import scoring
from .errors import InputError
from .report import OptionOut, Report, Scores, SelfHostingOut, construct
from .selfhost.sizing import DEFAULT_EFFICIENCY, Efficiency, Sizing
from .workload.reasoning import ReasoningPlan
from .workload.reasoning import resolve as resolve_reasoning

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .api.pricing import ApiCost
    from .catalog import Catalog
    from .catalog.schema import ApiProvider, Model, Offering
    from .workload.model import Workload

SORTS = ("overall", "cost", "privacy", "lock-in", "quality")
SIMILAR_QUALITY = 5.0  # index points within which two models count as of similar quality
DEFAULT_STALE_DAYS = 90

# Every field is passed to the constructor explicitly: resolving pydantic defaults per object
# (it inspects default factories) cost more than the rest of building an option.
UNSCORED = construct(Scores, cost=0.0, privacy=0.0, lock_in=0.0, quality=0.0, overall=0.0)


DEFAULT_SAMPLES = 100
MAX_SAMPLES = 10_000


def default_samples() -> int:
    """Scenarios sampled for cost ranges and confidence: OPENCLOSED_SAMPLES, else 100. (The test
    suite sets a smaller budget, as it does for hypothesis; the uncertainty tests set their own.)"""
    import os

    text = os.environ.get("OPENCLOSED_SAMPLES", "").strip()
    if not text:
        return DEFAULT_SAMPLES
    if not text.isdigit() or int(text) > MAX_SAMPLES:
        raise InputError.one(
            f"expected a whole number from 0 to {MAX_SAMPLES:,} (got {text!r})", field="OPENCLOSED_SAMPLES"
        )
    return int(text)


# A record: nothing compares or prints it, so no generated `==` or repr (each generated method is
# compiled when the module is imported, a start-up cost of every command).
@dataclass(eq=False, repr=False)
class Settings:
    """How a comparison runs and what it shows: profile, weights, sort, date, filters, sampling."""

    profile: str = "balanced"
    weights: str | None = None
    sort: str = "overall"
    today: dt.date | None = None
    stale_days: int = DEFAULT_STALE_DAYS
    unchecked_summary: str | None = None  # the latency-unchecked warning over every option, if any
    models: list[str] | None = None
    providers: list[str] | None = None
    deployment: str | None = None  # "api" | "self-hosted"
    workload_source: str = "workload"
    efficiency: Efficiency = DEFAULT_EFFICIENCY
    # How sure the answer is (uncertainty.py): scenarios sampled per run (0: none) and their seed.
    samples: int = field(default_factory=lambda: default_samples())
    seed: int = 12
    # Cost ranges only for the options a caller asks for (`Result.fill_ranges`), not all of them.
    lazy_ranges: bool = False
    # Self-hosted options' report figures only for the options a caller asks for (`Result.fill_ranges`):
    # until then an option's `self_hosting` is a `selfhost.options.PendingHosting`.
    lean_options: bool = False
    # An option's scores and reasons only when a caller prints it (`Result.fill_ranges`): until
    # then its `scores` is a `decide.recommend.PendingScores` (a compare without `--all`, which
    # prints feasible options only). The ruled-out options then follow the ranked feasible ones
    # in the order they were evaluated, and the stale-price warning over every option may name
    # another of the equally oldest prices (compare replaces it with the one over the options
    # it prints).
    lean_scores: bool = False


# Records that nothing compares, prints or copies: plain classes rather than dataclasses, whose
# generated `__init__` is compiled from source when the module is imported.
class Detail:
    """Everything behind one option, for `explain` and the sweep."""

    def __init__(
        self,
        model: Model,
        api: ApiCost | None = None,
        provider: ApiProvider | None = None,
        offering: Offering | None = None,
        sizing: Sizing | None = None,
        candidates: Sequence[dict[str, Any]] | None = None,
        hosting: dict[str, Any] | None = None,
        curve: Any = None,
        tuning: Any = None,
    ) -> None:
        self.model, self.api, self.provider, self.offering, self.sizing = model, api, provider, offering, sizing
        # The plans compared, for `explain` (a self-hosted option's is `selfhost/options.Candidates`).
        self.candidates: Sequence[dict[str, Any]] = [] if candidates is None else candidates
        self.hosting: dict[str, Any] = {} if hosting is None else hosting
        # The option reduced to its monthly cost as a function of volume (cost_curves): the engine
        # prices the option with it, and a sweep evaluates the same object at other volumes.
        self.curve = curve
        # Fine-tuning as this option prices it (api/fine_tuning.ApiTuning or selfhost/training.TrainingRun).
        self.tuning = tuning


class Result:
    """A comparison: the report, every option with its detail, and the warnings over all options."""

    def __init__(
        self,
        report: Report,
        details: dict[str, Detail],
        all_options: list[OptionOut],
        stale_summary: str | None = None,
        stale_days: int = DEFAULT_STALE_DAYS,
        unchecked_summary: str | None = None,
        ranges: Any = None,
        classes: dict[str, Any] | None = None,
    ) -> None:
        self.report, self.details, self.all_options = report, details, all_options
        self.stale_summary = stale_summary  # the stale-price warning over every option, if any
        self.stale_days = stale_days
        self.unchecked_summary = unchecked_summary  # the latency-unchecked warning over every option, if any
        self.ranges = ranges  # confidence.Ranges, when scenarios were sampled
        self.classes = classes  # traffic class name -> routing.ClassRun (each class compared alone)

    def fill_ranges(self, options: list[OptionOut]) -> None:
        """Set these options' cost ranges (with `Settings.lazy_ranges`; otherwise they are set) and
        build their self-hosting figures (with `Settings.lean_options`) and their scores and
        reasons (with `Settings.lean_scores`): what a command prints."""
        if self.ranges is not None:
            self.ranges.fill(options)
        for o in options:
            sh = o.self_hosting
            if sh is not None and type(sh) is not SelfHostingOut:
                o.__dict__["self_hosting"] = sh.built()  # as scores are written: no `__setattr__`
            sc = o.scores
            if sc is not None and type(sc) is not Scores:
                sc.fill(o)


class Context:
    """One evaluation: the catalogue, the workload, the settings, and what the stages learn.

    The caches and fact sets live here so that a stage never re-derives what another already
    knows (and never reads it back out of a message)."""

    def __init__(self, catalog: Catalog, workload: Workload, settings: Settings | None = None) -> None:
        self.cat, self.wl = catalog, workload
        self.st = settings or Settings()
        self.today = self.st.today or dt.date.today()
        # The weights `overall` uses: the privacy weight follows the data's sensitivity.
        self.weights = scoring.effective_weights(
            scoring.weights_for(self.st.profile, self.st.weights), workload.privacy.sensitivity
        )
        if self.st.sort not in SORTS:
            raise InputError.one(f"unknown sort '{self.st.sort}'; expected one of {', '.join(SORTS)}", field="--sort")
        self.sizing_cache: dict[tuple, Sizing] = {}
        self.plan_cache: dict[tuple[str, str], list[tuple[str, Sizing, bool]]] = {}
        self.unfit: dict[tuple[str, str], list[str]] = {}  # (model, GPU) -> why each precision cannot run
        self.constraint_cache: dict[tuple[str, bool], tuple[list[str], list[str]]] = {}
        self.host_cache: dict[tuple[str, str], Any] = {}  # (host, GPU) -> selfhost.host_prices.HostGpu
        self.expiring: set[str] = set()  # models, and API options (MODEL@PROVIDER), retired within the horizon
        self.shut_down: set[str] = set()  # models already shut down: their API options cannot run
        self.retired: set[str] = set()  # API options (MODEL@PROVIDER) their provider has retired
        self.stale: set[str] = set()  # options priced from an entry older than stale_days
        self.latency_unchecked: set[str] = set()  # API options with a latency target but no published speed
        self.ranges: Any = None  # confidence.Ranges once scenarios are sampled
        # USD a month below which cost differences barely move the cost score; the cost profile
        # counts every dollar (it is asked for the cheapest option).
        cost_only = self.st.profile == "cost" and not self.st.weights
        self.materiality: float | None = (
            None
            if cost_only
            else scoring.materiality(workload.budget.max_monthly_cost, workload.operations.engineer_cost_per_month)
        )
        self.reasoning_cache: dict[str, ReasoningPlan] = {}
        self.fastest_speed: dict[str, tuple[float, str]] = {}  # model -> (output tokens/s, provider)
        # The best quality any model reaches in the mode this workload prices it at.
        self.best_quality = max(
            (q for m in catalog.all_models() if (q := self.reasoning(m).quality) is not None), default=100.0
        )

    def reasoning(self, model: Model) -> ReasoningPlan:
        """The reasoning mode, hidden tokens and quality this workload prices `model` with."""
        hit = self.reasoning_cache.get(model.id)
        if hit is None:
            hit = self.reasoning_cache[model.id] = resolve_reasoning(model, self.wl.traffic)
        return hit

    def per_million(self, monthly: float | None) -> float | None:
        if monthly is None:
            return None
        tokens = self.__dict__.get("_tokens_per_month")
        if tokens is None:  # the workload's, once per run (asked for every option)
            tokens = self.__dict__["_tokens_per_month"] = self.wl.tokens_per_month
        return round(monthly / tokens * 1e6, 6) if tokens else 0.0

    def age_if_stale(self, as_of: dt.date) -> int | None:
        age = (self.today - as_of).days
        return age if age > self.st.stale_days else None
