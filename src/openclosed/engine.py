"""The comparison pipeline: enumerate every way to serve a workload, cost it, check it, score and rank.

Each stage lives in its own module and can be read alone:
`api_options` (an API offering as an option), `selfhost` (sizing → plans → packing → monthly
cost), `constraints` (one function per constraint family), `recommend` (scores, order, the
recommendation and its prose). `evaluation` holds what the stages hand each other.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from . import __version__
from .api.options import api_option
from .api.speed import unchecked_summary
from .catalog.dates import newest_as_of
from .catalog.schema import GpuOffer
from .decide.confidence import apply as assess_confidence
from .decide.recommend import by_overall, recommend, score, sort_key
from .errors import InputError
from .evaluation import DEFAULT_STALE_DAYS, SIMILAR_QUALITY, SORTS, Context, Detail, Result, Settings
from .gcpause import paused_gc
from .report import SCHEMA_VERSION, CatalogInfo, OptionOut, Report, ToolInfo, WorkloadSummary
from .selfhost.options import self_option
from .selfhost.owned import onprem_hourly
from .selfhost.packing import Instance, Packer, cheapest_packing, packer
from .selfhost.plans import sizing
from .staleness import price_date, staleness
from .workload.echo import current_spend_of, echo

if TYPE_CHECKING:
    from collections.abc import Callable

    from .catalog import Catalog
    from .catalog.schema import ApiProvider, GpuCloud, Model, Offering, OnPrem
    from .selfhost.sizing import Sizing
    from .staleness import Staleness
    from .workload.model import Workload

    # (model, cloud or on-prem host, GPU id, that host's offers of the GPU): one self-hosted option.
    SelfCandidate = tuple[Model, GpuCloud | OnPrem, str, list[GpuOffer]]


class Engine:
    """One workload against one catalogue: `run()` for every option, `option(id)` for one."""

    def __init__(self, catalog: Catalog, workload: Workload, settings: Settings | None = None):
        self.ctx = Context(catalog, workload, settings)
        self.cat, self.wl, self.st = catalog, workload, self.ctx.st
        self.today = self.ctx.today

    # ---------------------------------------------------------------- enumeration
    def _ids(self, given: list[str] | None, look_up) -> set[str] | None:  # type: ignore[no-untyped-def]
        return None if not given else {look_up(x).id for x in given}

    def run(self) -> Result:
        with paused_gc():
            return self._run()

    def _run(self) -> Result:
        ctx = self.ctx
        api, hosted = self.candidates()
        pairs = [api_option(ctx, provider, offering) for provider, offering in api]
        pairs += [self_option(ctx, model, host, gpu_id, offers) for model, host, gpu_id, offers in hosted]
        options = [o for o, _ in pairs]
        details = {o.id: d for o, d in pairs}
        score(ctx, options, details)
        return self._report(options, details)

    def candidates(self) -> tuple[list[tuple[ApiProvider, Offering]], list[SelfCandidate]]:
        """Every option the settings let `run` evaluate, not yet evaluated: (provider, offering)
        of each API option and (model, host, GPU, offers) of each self-hosted one, in `run`'s
        order. Routing evaluates a traffic class's self-hosted options only where they can matter."""
        cat = self.cat
        models = self._ids(self.st.models, cat.model)
        providers = self._ids(self.st.providers, cat.provider)
        if self.st.deployment not in (None, "api", "self-hosted"):
            raise InputError.one("expected 'api' or 'self-hosted'", field="--deployment")
        api: list[tuple[ApiProvider, Offering]] = []
        hosted: list[SelfCandidate] = []
        if self.st.deployment in (None, "api"):
            for provider in cat.providers_file.api_providers:
                if providers is not None and provider.id not in providers:
                    continue
                for offering in provider.offerings:
                    if models is None or offering.model in models:
                        api.append((provider, offering))
        if self.st.deployment in (None, "self-hosted"):
            for model in cat.all_models():
                if model.open_weights and (models is None or model.id in models):
                    hosted.extend(self._self_candidates(model, providers))
        return api, hosted

    def _self_candidates(self, model: Model, providers: set[str] | None) -> list[SelfCandidate]:
        out: list[SelfCandidate] = []
        for cloud in self.cat.providers_file.gpu_clouds:
            if providers is not None and cloud.id not in providers:
                continue
            by_gpu: dict[str, list[GpuOffer]] = {}
            for offer in cloud.offers:
                by_gpu.setdefault(offer.gpu, []).append(offer)
            for gpu_id, offers in by_gpu.items():
                out.append((model, cloud, gpu_id, offers))
        op = self.cat.on_prem
        if op is not None and (providers is None or op.id in providers):
            for entry in op.gpus:
                out.append((model, op, entry.gpu, []))
        return out

    def option(self, option_id: str) -> tuple[OptionOut, Detail]:
        """Evaluate one option by id (unscored): `MODEL@PROVIDER` or `MODEL@CLOUD:GPU`."""
        model_part, sep, where = option_id.strip().partition("@")
        if not sep or not where:
            raise InputError.one(f"expected MODEL@PROVIDER or MODEL@CLOUD:GPU (got {option_id!r})", field="option")
        model = self.cat.model(model_part)
        host_part, colon, gpu_part = where.partition(":")
        if not colon:
            provider = self.cat.api_provider(host_part)
            offering = next((o for o in provider.offerings if o.model == model.id), None)
            if offering is None:
                raise InputError.one(
                    f"{provider.id} does not serve {model.id}; it serves "
                    + ", ".join(sorted(o.model for o in provider.offerings)[:12]),
                    field="option",
                )
            return api_option(self.ctx, provider, offering)
        if not model.open_weights:
            raise InputError.one(f"{model.id} is closed; it cannot be self-hosted", field="option")
        gpu = self.cat.gpu(gpu_part)
        op = self.cat.on_prem
        if op is not None and host_part.strip().lower() == op.id:
            if not any(g.gpu == gpu.id for g in op.gpus):
                raise InputError.one(f"no on-prem purchase price for {gpu.id}", field="option")
            return self_option(self.ctx, model, op, gpu.id, [])
        cloud = self.cat.gpu_cloud(host_part)
        offers = [o for o in cloud.offers if o.gpu == gpu.id]
        if not offers:
            raise InputError.one(
                f"{cloud.id} has no {gpu.id} offer; it offers " + ", ".join(sorted({o.gpu for o in cloud.offers})),
                field="option",
            )
        return self_option(self.ctx, model, cloud, gpu.id, offers)

    def with_workload(self, workload: Workload) -> Engine:
        """Same catalogue and settings, new workload; keeps the sizing cache when it still holds."""
        t, old = workload.traffic, self.wl.traffic
        same_shape = (
            t.input_tokens == old.input_tokens
            and t.output_tokens == old.output_tokens
            and t.cached_input_share == old.cached_input_share
            and t.context_tokens_value == old.context_tokens_value
            and (t.reasoning, t.reasoning_tokens) == (old.reasoning, old.reasoning_tokens)
            and workload.latency == self.wl.latency
        )
        other = Engine(self.cat, workload, self.st)
        if same_shape:
            other.ctx.sizing_cache = self.ctx.sizing_cache
            other.ctx.plan_cache = self.ctx.plan_cache
        return other

    # ---------------------------------------------------------------- stages exposed for callers
    def sizing(self, model: Model, gpu_id: str, precision: str, tp: int) -> Sizing:
        """The cached sizing of one replica of `tp` GPUs for this workload's shape."""
        return sizing(self.ctx, model, gpu_id, precision, tp)

    # ---------------------------------------------------------------- the report
    def report(self, options: list[OptionOut], details: dict[str, Detail]) -> Result:
        """Rank scored options, recommend one and sample how sure that is: the report of a run
        whose options a caller has changed (routing marks those a traffic class rules out)."""
        with paused_gc():
            return self._report(options, details)

    def _report(self, options: list[OptionOut], details: dict[str, Detail]) -> Result:
        ctx, wl = self.ctx, self.wl
        budget = wl.budget.max_monthly_cost

        def key(o: OptionOut) -> tuple:
            return sort_key(self.st.sort, o, budget)

        unranked: list[OptionOut] = []
        if getattr(self.st, "lean_scores", False):
            # A compare without --all prints feasible options only: the ruled-out ones follow in
            # the order they were evaluated, their scores not worked out (`Settings.lean_scores`).
            unranked = [o for o in options if not o.feasible]
            ranked = sorted([o for o in options if o.feasible], key=key) + unranked
        else:
            ranked = sorted(options, key=key)
        for i, o in enumerate(ranked, 1):
            o.__dict__["rank"] = i if o.feasible else None  # as recommend.score sets scores: no __setattr__
        best_first = by_overall(ranked, budget)
        rec = recommend(ctx, best_first, {o.open_weights for o in options}) if best_first else None
        # --- how sure the answer is (decide/confidence.py): sampled cost ranges on every
        # option, the recommendation's confidence and, when it is a close call, a sentence saying so.
        confidence = assess_confidence(ctx, options, details, rec)
        warnings: list[str] = []
        if not best_first:
            warnings.append("no option meets every constraint; see --all for the violations")
        if rec is not None:
            top = next(o for o in options if o.id == rec.id)
            warnings.extend(top.warnings)
        st = staleness([(o.id, price_date(o)) for o in ranked], self.today, self.st.stale_days)
        if st is not None and unranked:
            st = _oldest_ranked(st, unranked, key)
        stale_summary = st.message if st else None
        if stale_summary:
            warnings.append(stale_summary)
        unchecked = unchecked_summary(len(ctx.latency_unchecked), len(options))
        if unchecked:
            warnings.append(unchecked)
        counts = self.cat.counts()
        report = Report.model_construct(
            schema_version=SCHEMA_VERSION,
            currency="USD",
            tool=ToolInfo.model_construct(name="openclosed", version=__version__),
            generated_for=self.today.isoformat(),
            catalog=CatalogInfo.model_construct(
                as_of=self.cat.as_of.isoformat(),
                models=counts["models"],
                providers=counts["providers"],
                gpus=counts["gpus"],
                sources=self.cat.sources,
                newest_as_of=newest_as_of(self.cat).isoformat(),
            ),
            workload=WorkloadSummary.model_construct(
                name=wl.name,
                requests_per_month=round(wl.requests_per_month, 6),
                input_tokens=wl.traffic.input_tokens,
                output_tokens=wl.traffic.output_tokens,
                input_tokens_per_month=round(wl.input_tokens_per_month, 3),
                output_tokens_per_month=round(wl.output_tokens_per_month, 3),
                tokens_per_month=round(wl.tokens_per_month, 3),
                peak_to_average=wl.traffic.peak_to_average,
                cached_input_share=wl.traffic.cached_input_share,
                batch_share=wl.traffic.batch_share,
                context_tokens=wl.traffic.context_tokens_value,
                source=self.st.workload_source,
                **echo(wl),
            ),
            profile=self.st.profile if not self.st.weights else "custom",
            weights=ctx.weights,
            sort=self.st.sort,
            recommended=rec.id if rec else None,
            recommendation=rec,
            recommendation_confidence=confidence,
            warnings=warnings,
            options=ranked,
            current_spend=current_spend_of(wl),
        )
        return Result(report, details, ranked, stale_summary, self.st.stale_days, unchecked, ctx.ranges)


def _oldest_ranked(st: Staleness, unranked: list[OptionOut], key: Callable[[OptionOut], tuple]) -> Staleness:
    """`st` with its oldest price named as over the fully ranked list: a tie for the oldest goes
    to the best-ranked option, which is a ruled-out one only when no feasible option has that date
    (then those tied are ranked, and only they)."""
    tied = [o for o in unranked if price_date(o) == st.oldest_as_of]
    if not tied or st.oldest_id not in {o.id for o in tied}:
        return st  # a feasible option is the oldest: it comes before every ruled-out one
    return replace(st, oldest_id=min(tied, key=key).id)


def best_per_model(options: list[OptionOut]) -> list[OptionOut]:
    """The first (best-ranked) option of each model, keeping the order."""
    seen: set[str] = set()
    out = []
    for o in options:
        if o.model not in seen:
            seen.add(o.model)
            out.append(o)
    return out


__all__ = [
    "DEFAULT_STALE_DAYS",
    "SIMILAR_QUALITY",
    "SORTS",
    "Detail",
    "Engine",
    "Instance",
    "Packer",
    "Result",
    "Settings",
    "best_per_model",
    "cheapest_packing",
    "onprem_hourly",
    "packer",
]
