"""Enumerate every way to serve a workload, cost it, check constraints, score and rank."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from . import __version__, scoring
from .catalog import Catalog
from .catalog.schema import ApiProvider, GpuCloud, GpuOffer, Model, Offering, OnPrem
from .errors import InputError
from .pricing import ApiCost, price_api
from .report import (
    SCHEMA_VERSION,
    CatalogInfo,
    OptionOut,
    Recommendation,
    Report,
    Saving,
    Scores,
    SelfHostingOut,
    ToolInfo,
    WorkloadSummary,
    construct,
)
from .sizing import DEFAULT_EFFICIENCY, Efficiency, Sizing, size, supports, tp_candidates
from .units import money
from .workload import HOURS_PER_MONTH, SECONDS_PER_MONTH, Workload

SORTS = ("overall", "cost", "privacy", "lock-in", "quality")
# Every field is passed to model_construct explicitly: resolving pydantic defaults per object
# (it inspects default factories) cost more than the rest of building an option.
SIMILAR_QUALITY = 5.0  # index points within which two models count as of similar quality
DEFAULT_STALE_DAYS = 90


_UNSCORED = construct(Scores, cost=0.0, privacy=0.0, lock_in=0.0, quality=0.0, overall=0.0)


@dataclass
class Settings:
    profile: str = "balanced"
    weights: str | None = None
    sort: str = "overall"
    today: dt.date | None = None
    stale_days: int = DEFAULT_STALE_DAYS
    models: list[str] | None = None
    providers: list[str] | None = None
    deployment: str | None = None  # "api" | "self-hosted"
    workload_source: str = "workload"
    efficiency: Efficiency = DEFAULT_EFFICIENCY


@dataclass
class Detail:
    """Everything behind one option, for `explain`."""

    model: Model
    api: ApiCost | None = None
    provider: ApiProvider | None = None
    offering: Offering | None = None
    sizing: Sizing | None = None
    candidates: list[dict[str, Any]] = field(default_factory=list)
    hosting: dict[str, Any] = field(default_factory=dict)


@dataclass
class Result:
    report: Report
    details: dict[str, Detail]
    all_options: list[OptionOut]
    stale_summary: str | None = None  # the catalogue-wide stale-price warning, if any


# ------------------------------------------------------------------ self-hosting prices


@dataclass(frozen=True)
class Instance:
    holds: int  # replicas per instance
    gpus: int
    hourly: float  # USD per instance-hour
    name: str


def _instances(offers: list[tuple[GpuOffer, float]], tp: int) -> list[Instance]:
    out = []
    for offer, price in offers:
        for count in offer.gpu_counts:
            if count >= tp:
                out.append(Instance(count // tp, count, count * price, offer.instance or ""))
    return out


class Packer:
    """The cheapest way to hold N replicas in a cloud's rentable instances (one instance menu).

    Large counts are mostly the instance with the best price per replica; an exact table covers
    the remainder (fewer than five of those instances' worth), so any N costs a few operations.
    """

    def __init__(self, instances: tuple[Instance, ...]) -> None:
        self.instances = instances
        self.best = min(instances, key=lambda i: i.hourly / i.holds) if instances else None
        size = 5 * self.best.holds if self.best else 0
        # table[n]: (USD/hour, GPUs, instance names) of the cheapest cover of n replicas.
        table: list[tuple[float, int, tuple[str, ...]]] = [(0.0, 0, ())] + [(math.inf, 0, ())] * size
        for k in range(1, size + 1):
            for inst in instances:
                prev = table[max(0, k - inst.holds)]
                cand = (prev[0] + inst.hourly, prev[1] + inst.gpus, (*prev[2], inst.name))
                if cand[0] < table[k][0] - 1e-12:
                    table[k] = cand
        self.table = table

    def _split(self, replicas: int) -> tuple[int, int]:
        assert self.best is not None
        bulk = max(0, replicas // self.best.holds - 4)
        return bulk, replicas - bulk * self.best.holds

    def hourly(self, replicas: int) -> float:
        """USD per hour for `replicas` replicas (inf when nothing can be rented)."""
        if self.best is None:
            return math.inf
        bulk, rest = self._split(replicas)
        return self.table[rest][0] + bulk * self.best.hourly

    def hourly_many(self, replicas: list[int]) -> list[float]:
        """`hourly` for many counts at once (a sweep prices thousands of points)."""
        best = self.best
        if best is None:
            return [math.inf] * len(replicas)
        h, unit, table = best.holds, best.hourly, self.table
        out = []
        for r in replicas:
            bulk = r // h - 4
            if bulk < 0:
                bulk = 0
            out.append(table[r - bulk * h][0] + bulk * unit)
        return out

    def plan(self, replicas: int) -> tuple[float, int, dict[str, int]]:
        """(USD/hour, GPUs billed, instance counts by name). Counts, not a list of names: at a
        billion requests a day a list would hold a million entries per option."""
        if self.best is None:
            return (math.inf, 0, {})
        bulk, rest = self._split(replicas)
        cost, gpus, names = self.table[rest]
        counts: dict[str, int] = {self.best.name: bulk} if bulk else {}
        for name in names:
            counts[name] = counts.get(name, 0) + 1
        return (cost + bulk * self.best.hourly, gpus + bulk * self.best.gpus, counts)


@lru_cache(maxsize=4096)
def packer(instances: tuple[Instance, ...]) -> Packer:
    return Packer(instances)


def cheapest_packing(instances: tuple[Instance, ...], replicas: int) -> tuple[float, int, dict[str, int]]:
    """Cheapest set of instances holding `replicas` replicas: (USD/hour, GPUs billed, counts)."""
    return packer(instances).plan(replicas)


def onprem_hourly(on_prem: OnPrem, gpu_id: str, power_w: float) -> tuple[float, dict[str, float]] | None:
    entry = next((g for g in on_prem.gpus if g.gpu == gpu_id), None)
    if entry is None:
        return None
    hardware = entry.purchase_price / (on_prem.amortisation_years * 8760.0)
    power = power_w / 1000.0 * (1.0 + on_prem.server_power_overhead) * on_prem.pue * on_prem.electricity_usd_per_kwh
    hosting = on_prem.hosting_usd_per_gpu_month / HOURS_PER_MONTH
    parts = {"hardware": hardware, "power": power, "hosting": hosting}
    return hardware + power + hosting, parts


# ------------------------------------------------------------------ the engine


class Engine:
    def __init__(self, catalog: Catalog, workload: Workload, settings: Settings | None = None):
        self.cat, self.wl = catalog, workload
        self.st = settings or Settings()
        self.today = self.st.today or dt.date.today()
        self.weights = scoring.weights_for(self.st.profile, self.st.weights)
        if self.st.sort not in SORTS:
            raise InputError.one(f"unknown sort '{self.st.sort}'; expected one of {', '.join(SORTS)}", field="--sort")
        self._sizing_cache: dict[tuple, Sizing] = {}
        self._plan_cache: dict[tuple[str, str], list[tuple[str, Sizing, bool]]] = {}
        self._constraint_cache: dict[tuple[str, bool], tuple[list[str], list[str]]] = {}
        # Facts the scores and the report need, kept as data rather than re-read from messages.
        self._expiring: set[str] = set()  # models that shut down within the horizon
        self._stale: set[str] = set()  # options priced from an entry older than stale_days
        self.best_quality = max((m.quality.index for m in catalog.all_models() if m.quality), default=100.0)

    # ---------------------------------------------------------------- enumeration
    def _model_filter(self) -> set[str] | None:
        if not self.st.models:
            return None
        return {self.cat.model(m).id for m in self.st.models}

    def _provider_filter(self) -> set[str] | None:
        if not self.st.providers:
            return None
        return {self.cat.provider(p).id for p in self.st.providers}

    def run(self) -> Result:
        models = self._model_filter()
        providers = self._provider_filter()
        options: list[OptionOut] = []
        details: dict[str, Detail] = {}
        if self.st.deployment not in (None, "api", "self-hosted"):
            raise InputError.one("expected 'api' or 'self-hosted'", field="--deployment")
        if self.st.deployment in (None, "api"):
            for provider in self.cat.providers_file.api_providers:
                if providers is not None and provider.id not in providers:
                    continue
                for offering in provider.offerings:
                    if models is not None and offering.model not in models:
                        continue
                    opt, det = self._api_option(provider, offering)
                    options.append(opt)
                    details[opt.id] = det
        if self.st.deployment in (None, "self-hosted"):
            for model in self.cat.all_models():
                if not model.open_weights or (models is not None and model.id not in models):
                    continue
                for cloud in self.cat.providers_file.gpu_clouds:
                    if providers is not None and cloud.id not in providers:
                        continue
                    by_gpu: dict[str, list[GpuOffer]] = {}
                    for offer in cloud.offers:
                        by_gpu.setdefault(offer.gpu, []).append(offer)
                    for gpu_id, offers in by_gpu.items():
                        opt, det = self._self_option(model, cloud, gpu_id, offers)
                        options.append(opt)
                        details[opt.id] = det
                op = self.cat.on_prem
                if op is not None and (providers is None or op.id in providers):
                    for entry in op.gpus:
                        opt, det = self._self_option(model, op, entry.gpu, [])
                        options.append(opt)
                        details[opt.id] = det
        self._score(options, details)
        return self._report(options, details)

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
            return self._api_option(provider, offering)
        if not model.open_weights:
            raise InputError.one(f"{model.id} is closed; it cannot be self-hosted", field="option")
        gpu = self.cat.gpu(gpu_part)
        op = self.cat.on_prem
        if op is not None and host_part.strip().lower() == op.id:
            if not any(g.gpu == gpu.id for g in op.gpus):
                raise InputError.one(f"no on-prem purchase price for {gpu.id}", field="option")
            return self._self_option(model, op, gpu.id, [])
        cloud = self.cat.gpu_cloud(host_part)
        offers = [o for o in cloud.offers if o.gpu == gpu.id]
        if not offers:
            raise InputError.one(
                f"{cloud.id} has no {gpu.id} offer; it offers " + ", ".join(sorted({o.gpu for o in cloud.offers})),
                field="option",
            )
        return self._self_option(model, cloud, gpu.id, offers)

    def with_workload(self, workload: Workload) -> Engine:
        """Same catalogue and settings, new workload; keeps the sizing cache when it still holds."""
        same_shape = (
            workload.traffic.input_tokens == self.wl.traffic.input_tokens
            and workload.traffic.output_tokens == self.wl.traffic.output_tokens
            and workload.traffic.cached_input_share == self.wl.traffic.cached_input_share
            and workload.traffic.context_tokens_value == self.wl.traffic.context_tokens_value
            and workload.latency == self.wl.latency
        )
        other = Engine(self.cat, workload, self.st)
        if same_shape:
            other._sizing_cache = self._sizing_cache
            other._plan_cache = self._plan_cache
        return other

    # ---------------------------------------------------------------- API options
    def _api_option(self, provider: ApiProvider, offering: Offering) -> tuple[OptionOut, Detail]:
        model = self.cat.model(offering.model)
        wl = self.wl
        cost = price_api(provider, offering, wl)
        violations: list[str] = []
        warnings: list[str] = []
        reasons: list[str] = []
        self._common_constraints(model, violations, warnings, provider=provider)
        p = provider.privacy
        if not wl.privacy.allow_third_party:
            violations.append(
                f"privacy: prompts would be processed by {provider.name}; the workload forbids "
                "third parties (privacy.allow_third_party: false)"
            )
        missing = [r for r in wl.privacy.residency if not self._region_ok(r, p.residency, offering.regions)]
        if missing:
            violations.append(f"residency: {provider.name} cannot keep processing in {', '.join(missing)}")
        if wl.privacy.sensitivity == "regulated" and p.zero_retention == "none":
            violations.append(
                f"privacy: regulated data needs zero data retention; {provider.name} offers none "
                f"(retains {p.retention_days} days)"
            )
        elif wl.privacy.sensitivity == "regulated" and p.zero_retention == "on-approval":
            warnings.append(f"{provider.name} zero data retention needs the provider's approval")
        if p.trains_on_data and wl.privacy.sensitivity != "public":
            violations.append(
                f"privacy: {provider.name} may train on prompts; the workload's data is {wl.privacy.sensitivity}"
            )
        window = min(model.context_window, offering.context_window or model.context_window)
        if wl.traffic.context_tokens_value > window:
            violations.append(
                f"context: {wl.traffic.context_tokens_value:,.0f}-token requests exceed the {window:,}-token window"
            )
        max_out = offering.max_output_tokens or model.max_output_tokens
        if max_out and wl.traffic.output_tokens > max_out:
            violations.append(f"output: {wl.traffic.output_tokens:,.0f} output tokens exceed the {max_out:,} limit")
        lat = wl.latency
        speed = offering.speed
        tps = speed.output_tokens_per_s if speed else None
        ttft = speed.ttft_ms if speed else None
        if lat.min_output_tokens_per_s is not None:
            if tps is None:
                warnings.append(
                    f"latency: no published speed for {offering.model} at {provider.id}; "
                    "the tokens/s target was not checked"
                )
            elif tps < lat.min_output_tokens_per_s:
                violations.append(f"latency: {tps:g} tokens/s per stream is below {lat.min_output_tokens_per_s:g}")
        if lat.max_ttft_ms is not None and ttft is not None and ttft > lat.max_ttft_ms:
            violations.append(f"latency: time to first token {ttft:g} ms exceeds {lat.max_ttft_ms:g} ms")
        stale = self._age_if_stale(offering.as_of)
        if stale:
            warnings.append(f"price of {offering.model} at {provider.id} is {stale} days old (as of {offering.as_of})")
            self._stale.add(f"{model.id}@{provider.id}")
        out = construct(
            OptionOut,
            id=f"{model.id}@{provider.id}",
            model=model.id,
            model_name=model.name,
            open_weights=model.open_weights,
            deployment="api",
            provider=provider.id,
            licence=model.licence,
            quality_index=model.quality.index if model.quality else None,
            monthly_cost=cost.monthly_cost,
            cost_per_million_tokens=self._per_million(cost.monthly_cost),
            cost_breakdown=dict(cost.breakdown),
            unit_prices=cost.unit_prices,
            self_hosting=None,
            feasible=not violations,
            violations=violations,
            warnings=warnings,
            scores=_UNSCORED,
            reasons=reasons,
            rank=None,
        )
        return out, Detail(model=model, api=cost, provider=provider, offering=offering)

    @staticmethod
    def _region_ok(region: str, residency: list[str], offering_regions: list[str]) -> bool:
        region = region.lower()
        pool = {r.lower() for r in residency}
        if region not in pool:
            return False
        return not offering_regions or region in {r.lower() for r in offering_regions} or "global" in offering_regions

    def _per_million(self, monthly: float) -> float:
        tokens = self.wl.tokens_per_month
        return round(monthly / tokens * 1e6, 6) if tokens else 0.0

    def _age_if_stale(self, as_of: dt.date) -> int | None:
        age = (self.today - as_of).days
        return age if age > self.st.stale_days else None

    def _common_constraints(
        self, model: Model, violations: list[str], warnings: list[str], provider: Any = None
    ) -> None:
        # The same for every option of a model (hundreds of self-hosted ones): compute once.
        key = (model.id, provider is None)
        if key not in self._constraint_cache:
            v: list[str] = []
            w: list[str] = []
            self._model_constraints(model, v, w, provider)
            self._constraint_cache[key] = (v, w)
        v, w = self._constraint_cache[key]
        violations.extend(v)
        warnings.extend(w)

    def _model_constraints(
        self, model: Model, violations: list[str], warnings: list[str], provider: Any = None
    ) -> None:
        wl = self.wl
        lic = self.cat.licence(model.licence)
        if lic.mau_limit is not None and wl.licence.monthly_active_users > lic.mau_limit:
            violations.append(
                f"licence: {lic.name} needs a separate licence above {lic.mau_limit:,} monthly "
                f"active users (workload: {wl.licence.monthly_active_users:,})"
            )
        if wl.licence.commercial and not lic.commercial_use:
            violations.append(f"licence: {lic.name} does not permit commercial use")
        if lic.eu_multimodal_exclusion and wl.licence.eu_company and set(model.modalities) - {"text"}:
            violations.append(f"licence: {lic.name} grants no rights for multimodal models to EU-domiciled companies")
        if model.context_window < wl.traffic.context_tokens_value and provider is None:
            violations.append(
                f"context: {wl.traffic.context_tokens_value:,.0f}-token requests exceed the "
                f"{model.context_window:,}-token window"
            )
        q = model.quality.index if model.quality else None
        if wl.quality.min_score > 0:
            if q is None:
                violations.append("quality: no quality index in the catalogue")
            elif q < wl.quality.min_score:
                violations.append(f"quality: index {q:g} is below the floor {wl.quality.min_score:g}")
        if model.shutdown_date is not None:
            if model.shutdown_date <= self.today:
                violations.append(f"lifecycle: {model.name} was shut down on {model.shutdown_date}")
            else:
                horizon_end = self.today + dt.timedelta(days=round(wl.horizon_months * 30.4375))
                if model.shutdown_date <= horizon_end:
                    days = (model.shutdown_date - self.today).days
                    self._expiring.add(model.id)
                    warnings.append(
                        f"lifecycle: {model.name} shuts down on {model.shutdown_date} "
                        f"(in {days} days, inside the {wl.horizon_months:g}-month horizon)"
                    )
        elif model.deprecation_date is not None and model.deprecation_date <= self.today:
            warnings.append(f"lifecycle: {model.name} is deprecated since {model.deprecation_date}")

    # ---------------------------------------------------------------- self-hosted options
    def sizing(self, model: Model, gpu_id: str, precision: str, tp: int) -> Sizing:
        """The cached sizing of one replica of `tp` GPUs for this workload's shape."""
        key = (model.id, gpu_id, precision, tp)
        hit = self._sizing_cache.get(key)
        if hit is None:
            t, lat = self.wl.traffic, self.wl.latency
            max_tpot = 1000.0 / lat.min_output_tokens_per_s if lat.min_output_tokens_per_s else None
            assert model.architecture is not None
            hit = size(
                model.id,
                model.architecture,
                self.cat.gpu(gpu_id),
                precision,
                tp,
                t.input_tokens,
                t.output_tokens,
                max_tpot_ms=max_tpot,
                cached_share=t.cached_input_share,
                context_tokens=t.context_tokens_value,
                eff=self.st.efficiency,
            )
            self._sizing_cache[key] = hit
        return hit

    def precisions_for(self, model: Model) -> list[str]:
        arch = model.architecture
        assert arch is not None
        allowed = set(self.wl.self_hosting.precisions) | {arch.native_precision}
        return [p for p in arch.precisions if p in allowed] or [arch.native_precision]

    def _plans(self, model: Model, gpu_id: str) -> list[tuple[str, Sizing, bool]]:
        """Per precision: the smallest GPU count that fits and meets the latency targets."""
        key = (model.id, gpu_id)
        if key not in self._plan_cache:
            self._plan_cache[key] = self._make_plans(model, gpu_id)
        return self._plan_cache[key]

    def _make_plans(self, model: Model, gpu_id: str) -> list[tuple[str, Sizing, bool]]:
        gpu = self.cat.gpu(gpu_id)
        assert model.architecture is not None
        max_ttft = self.wl.latency.max_ttft_ms
        plans = []
        for precision in self.precisions_for(model):
            if not supports(gpu, precision):
                continue
            fallback = None
            chosen = None
            for tp in tp_candidates(gpu, model.architecture):
                s = self.sizing(model, gpu_id, precision, tp)
                if not s.fits:
                    continue
                ok = s.meets_tpot and (max_ttft is None or s.ttft_ms <= max_ttft)
                if ok:
                    chosen = (precision, s, True)
                    break
                fallback = (precision, s, False)
            if chosen or fallback:
                plans.append(chosen or fallback)  # type: ignore[arg-type]
        return plans

    def _self_option(
        self, model: Model, host: GpuCloud | OnPrem, gpu_id: str, offers: list[GpuOffer]
    ) -> tuple[OptionOut, Detail]:
        wl = self.wl
        gpu = self.cat.gpu(gpu_id)
        on_prem = isinstance(host, OnPrem)
        violations: list[str] = []
        warnings: list[str] = []
        self._common_constraints(model, violations, warnings)
        if wl.privacy.residency and not on_prem:
            regions = {r.lower() for o in offers for r in o.regions} | {r.lower() for r in host.regions}
            missing = [r for r in wl.privacy.residency if r.lower() not in regions]
            if missing:
                violations.append(f"residency: {host.name} lists no {gpu.name} region in {', '.join(missing)}")
        mult = wl.self_hosting.gpu_price_multiplier
        onprem_parts: dict[str, float] | None = None
        if on_prem:
            hp = onprem_hourly(host, gpu_id, gpu.power_w)  # type: ignore[arg-type]
            assert hp is not None
            # Bought GPUs come in any count; a validated GpuOffer per option would cost time.
            priced = [
                (
                    GpuOffer.model_construct(
                        gpu=gpu_id, gpu_counts=[1, 2, 4, 8], instance="owned", hourly_price=hp[0] * mult
                    ),
                    hp[0] * mult,
                )
            ]
            onprem_parts = {k: v * mult for k, v in hp[1].items()}
            price_kind = "on-prem"
            entry = next(g for g in host.gpus if g.gpu == gpu_id)  # type: ignore[union-attr]
            price_source, price_as_of = entry.source, entry.as_of
        else:
            reserved = wl.self_hosting.reserved
            priced = []
            for o in offers:
                base = o.reserved_hourly_price if reserved and o.reserved_hourly_price else o.hourly_price
                priced.append((o, base * host.price_multiplier * mult))
            price_kind = "reserved" if reserved and any(o.reserved_hourly_price for o in offers) else "on-demand"
            cheapest = min(offers, key=lambda o: o.hourly_price)
            price_source, price_as_of = cheapest.source, cheapest.as_of
            stale = self._age_if_stale(cheapest.as_of)
            if stale:
                warnings.append(f"price of {gpu.name} at {host.id} is {stale} days old (as of {cheapest.as_of})")
                self._stale.add(f"{model.id}@{host.id}:{gpu_id}")

        plans = self._plans(model, gpu_id)
        t = wl.traffic
        peak_rps = wl.requests_per_month / SECONDS_PER_MONTH * t.peak_factor
        best: dict[str, Any] | None = None
        candidates = []
        # The rentable instance choices per (precision, GPUs per replica), kept so that a sweep
        # can re-pack other replica counts without repeating the pricing rules.
        packings: dict[tuple[str, int], tuple[Instance, ...]] = {}
        for precision, s, ok in plans:
            cap = s.requests_per_s * wl.self_hosting.utilisation_cap
            replicas = max(1, math.ceil(peak_rps / cap - 1e-9))
            inst = tuple(_instances(priced, s.gpus))
            packings[(precision, s.gpus)] = inst
            hourly, billed, names = cheapest_packing(inst, replicas)
            if not math.isfinite(hourly):
                continue
            gpu_cost = hourly * HOURS_PER_MONTH
            cand = {
                "precision": precision,
                "sizing": s,
                "meets_latency": ok,
                "replicas": replicas,
                "billed_gpus": billed,
                "hourly_total": hourly,
                "gpu_cost": gpu_cost,
                "instances": names,
            }
            candidates.append({k: v for k, v in cand.items() if k != "sizing"} | {"gpus_per_replica": s.gpus})
            key = (not ok, gpu_cost, s.gpus)
            if best is None or key < (not best["meets_latency"], best["gpu_cost"], best["sizing"].gpus):
                best = cand
        ops = wl.operations
        operations = ops.self_hosting_engineers * ops.engineer_cost_per_month
        setup = ops.setup_engineer_months * ops.engineer_cost_per_month / wl.horizon_months
        oid = f"{model.id}@{host.id}:{gpu_id}"
        if best is None:
            need = self._smallest_memory_need(model)
            violations.append(
                f"capacity: does not fit on one node of {gpu.max_gpus_per_node}× {gpu.name} at "
                f"{'/'.join(self.precisions_for(model))}" + (f" (weights alone {need:.0f} GB)" if need else "")
            )
            out = self._self_out(
                oid,
                model,
                host,
                gpu_id,
                None,
                violations,
                warnings,
                {"gpus": 0.0, "operations": round(operations, 6), "setup": round(setup, 6)},
                None,
            )
            return out, Detail(model=model, candidates=candidates, hosting={"host": host})
        s = best["sizing"]
        if not best["meets_latency"]:
            lat = wl.latency
            if lat.min_output_tokens_per_s and not s.meets_tpot:
                violations.append(
                    f"latency: at most {s.per_stream_tokens_per_s:.1f} tokens/s per stream on up to "
                    f"{s.gpus}× {gpu.name}; the workload needs {lat.min_output_tokens_per_s:g}"
                )
            if lat.max_ttft_ms and s.ttft_ms > lat.max_ttft_ms:
                violations.append(f"latency: time to first token {s.ttft_ms:,.0f} ms exceeds {lat.max_ttft_ms:g} ms")
        replicas = best["replicas"]
        billed = best["billed_gpus"]
        per_gpu_hour = best["hourly_total"] / billed if billed else 0.0
        breakdown = {
            "gpus": round(best["gpu_cost"], 6),
            "operations": round(operations, 6),
            "setup": round(setup, 6),
        }
        sh = construct(
            SelfHostingOut,
            cloud=host.id,
            gpu=gpu_id,
            precision=best["precision"],
            gpus_per_replica=s.gpus,
            replicas=replicas,
            total_gpus=replicas * s.gpus,
            billed_gpus=billed,
            gpu_hourly_price=round(per_gpu_hour, 6),
            gpu_price_kind=price_kind,  # type: ignore[arg-type]
            output_tokens_per_s_per_replica=s.output_tokens_per_s,
            requests_per_s_per_replica=round(s.requests_per_s, 6),
            peak_requests_per_s=round(peak_rps, 6),
            utilisation_at_peak=round(peak_rps / (replicas * s.requests_per_s), 4),
            concurrency=s.concurrency,
            max_concurrency=s.max_concurrency,
            ttft_ms=s.ttft_ms,
            tpot_ms=s.tpot_ms,
            decode_step_ms=s.decode_step_ms,
            per_stream_tokens_per_s=s.per_stream_tokens_per_s,
            weights_gb=s.weights_gb,
            kv_cache_gb_per_sequence=s.kv_cache_gb_per_sequence,
            price_source=price_source,
            price_as_of=price_as_of.isoformat(),
            on_prem={k: round(v, 6) for k, v in onprem_parts.items()} if onprem_parts else None,
        )
        out = self._self_out(oid, model, host, gpu_id, sh, violations, warnings, breakdown, s)
        det = Detail(
            model=model,
            sizing=s,
            candidates=candidates,
            hosting={
                "peak_rps": peak_rps,
                "instances": best["instances"],
                "packings": packings,
                "operations": operations,
                "setup": setup,
                "onprem_parts": onprem_parts,
                "host": host,
            },
        )
        return out, det

    def _smallest_memory_need(self, model: Model) -> float:
        from .sizing import weight_bytes

        assert model.architecture is not None
        return min(weight_bytes(model.architecture, p) for p in self.precisions_for(model)) / 1e9

    def _self_out(
        self,
        oid: str,
        model: Model,
        host: Any,
        gpu_id: str,
        sh: SelfHostingOut | None,
        violations: list[str],
        warnings: list[str],
        breakdown: dict[str, float],
        s: Sizing | None,
    ) -> OptionOut:
        total = round(sum(breakdown.values()), 6)
        return construct(
            OptionOut,
            id=oid,
            model=model.id,
            model_name=model.name,
            open_weights=True,
            deployment="self-hosted",
            provider=host.id,
            licence=model.licence,
            quality_index=model.quality.index if model.quality else None,
            monthly_cost=total,
            cost_per_million_tokens=self._per_million(total),
            cost_breakdown=breakdown,
            unit_prices=None,
            self_hosting=sh,
            feasible=not violations,
            violations=violations,
            warnings=warnings,
            scores=_UNSCORED,
            reasons=[],
            rank=None,
        )

    # ---------------------------------------------------------------- scoring and report
    def _score(self, options: list[OptionOut], details: dict[str, Detail]) -> None:
        feasible = [o.monthly_cost for o in options if o.feasible and o.monthly_cost > 0]
        cheapest = (
            min(feasible) if feasible else min((o.monthly_cost for o in options if o.monthly_cost > 0), default=1.0)
        )
        serving: dict[str, int] = {}
        for m in self.cat.all_models():
            serving[m.id] = len(self.cat.providers_serving(m.id))
        for o in options:
            det = details[o.id]
            reasons: list[str] = []
            cost = scoring.cost_score(o.monthly_cost, cheapest)
            ratio = o.monthly_cost / cheapest if cheapest else 1.0
            reasons.append(
                "cost: the cheapest feasible option"
                if ratio <= 1.0001
                else f"cost: {ratio:,.1f}× the cheapest feasible option"
            )
            privacy = scoring.privacy_score(det.provider, isinstance(det.hosting.get("host"), OnPrem), reasons)
            lic = self.cat.licence(det.model.licence)
            lock = scoring.lock_in_score(
                det.model,
                lic,
                o.deployment == "self-hosted",
                serving.get(o.model, 0),
                bool(det.offering and det.offering.fine_tuning),
                reasons,
            )
            quality = scoring.quality_score(o.quality_index, self.best_quality)
            reasons.append(
                f"quality: index {o.quality_index:g}"
                if o.quality_index is not None
                else "quality: no index in the catalogue"
            )
            parts = {"cost": cost, "privacy": privacy, "lock_in": lock, "quality": quality}
            penalty = scoring.LIFECYCLE_PENALTY if o.model in self._expiring else 0.0
            if penalty:
                reasons.append(f"overall: −{penalty:g} because the model shuts down within the horizon")
            o.scores = construct(
                Scores,
                **{k: round(v, 1) for k, v in parts.items()},
                overall=round(scoring.overall(parts, self.weights, penalty), 1),
            )
            o.reasons = reasons

    def _sort_key(self, o: OptionOut) -> tuple:
        s = o.scores
        key = {
            "overall": -s.overall,
            "cost": o.monthly_cost,
            "privacy": -s.privacy,
            "lock-in": s.lock_in,
            "quality": -s.quality,
        }[self.st.sort]
        return (not o.feasible, key, o.monthly_cost, o.id)

    def _report(self, options: list[OptionOut], details: dict[str, Detail]) -> Result:
        ranked = sorted(options, key=self._sort_key)
        for i, o in enumerate(ranked, 1):
            o.rank = i if o.feasible else None
        feasible = [o for o in ranked if o.feasible]
        by_overall = sorted(feasible, key=lambda o: (-o.scores.overall, o.monthly_cost, o.id))
        rec = self._recommend(by_overall) if by_overall else None
        warnings: list[str] = []
        if not feasible:
            warnings.append("no option meets every constraint; see --all for the violations")
        if rec is not None:
            top = next(o for o in options if o.id == rec.id)
            warnings.extend(top.warnings)
        stale_summary = None
        stale = [o for o in options if o.id in self._stale]
        if stale:
            stale_summary = (
                f"{len(stale)} of {len(options)} options use prices older than "
                f"{self.st.stale_days} days; refresh the catalogue (docs/catalogue.md)"
            )
            warnings.append(stale_summary)
        wl = self.wl
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
            ),
            profile=self.st.profile if not self.st.weights else "custom",
            weights=self.weights,
            sort=self.st.sort,
            recommended=rec.id if rec else None,
            recommendation=rec,
            warnings=warnings,
            options=ranked,
        )
        return Result(report=report, details=details, all_options=ranked, stale_summary=stale_summary)

    def _recommend(self, by_overall: list[OptionOut]) -> Recommendation:
        best = by_overall[0]
        runner = by_overall[1] if len(by_overall) > 1 else None
        other = next((o for o in by_overall if o.open_weights != best.open_weights), None)
        saving = self._saving(by_overall)
        parts = [
            f"{best.id} scores {best.scores.overall:g} overall: {money(best.monthly_cost)} a month "
            f"({money(best.cost_per_million_tokens)} per million tokens), privacy {best.scores.privacy:g}, "
            f"lock-in {best.scores.lock_in:g}, quality {best.scores.quality:g}."
        ]
        if runner is not None:
            wins, loses = [], []
            for key, label, better in (
                ("cost", "cost", best.monthly_cost < runner.monthly_cost - 0.005),
                ("privacy", "privacy", best.scores.privacy > runner.scores.privacy),
                ("lock_in", "lock-in", best.scores.lock_in < runner.scores.lock_in),
                ("quality", "quality", best.scores.quality > runner.scores.quality),
            ):
                same = getattr(best.scores, key) == getattr(runner.scores, key)
                if key == "cost":
                    same = abs(best.monthly_cost - runner.monthly_cost) < 0.005
                if not same:
                    (wins if better else loses).append(label)
            kind = "closed" if best.open_weights else "open-weight"
            also = f", also the best {kind} option" if runner is other else ""
            txt = (
                f"Against the runner-up {runner.id} (overall {runner.scores.overall:g}, "
                f"{money(runner.monthly_cost)}/month{also})"
            )
            if wins:
                txt += f" it wins on {', '.join(wins)}"
            if loses:
                txt += ("; " if wins else " it ") + f"gives up {', '.join(loses)}"
            parts.append(txt + ".")
        if other is None:
            kind = "closed" if best.open_weights else "open-weight"
            parts.append(f"No {kind} option meets every constraint (see --all for why).")
        elif other is not runner:
            kind = "closed" if best.open_weights else "open-weight"
            parts.append(
                f"The best {kind} option is {other.id} (overall {other.scores.overall:g}, "
                f"{money(other.monthly_cost)}/month)."
            )
        if saving is not None:
            verb = "less" if saving.saving_pct >= 0 else "more"
            parts.append(
                f"For similar quality, {saving.open_option} costs {abs(saving.saving_pct):.0f}% {verb} "
                f"than {saving.closed_option} ({money(saving.open_monthly_cost)} vs "
                f"{money(saving.closed_monthly_cost)} a month)."
            )
        return Recommendation.model_construct(
            id=best.id,
            why=" ".join(parts),
            runner_up=runner.id if runner else None,
            best_other_kind=other.id if other else None,
            saving=saving,
        )

    def _saving(self, by_overall: list[OptionOut]) -> Saving | None:
        opens = [o for o in by_overall if o.open_weights and o.quality_index is not None]
        closed = [o for o in by_overall if not o.open_weights and o.quality_index is not None]
        if not opens or not closed:
            return None
        o = opens[0]
        q = o.quality_index or 0.0
        # Prefer closed models that are not about to shut down: they are the real alternative.
        lasting = [c for c in closed if c.model not in self._expiring]
        closed = lasting or closed
        similar = [c for c in closed if abs((c.quality_index or 0) - q) <= SIMILAR_QUALITY]
        if similar:
            c = min(similar, key=lambda c: (c.monthly_cost, c.id))
        else:
            c = min(closed, key=lambda c: (abs((c.quality_index or 0) - q), c.monthly_cost, c.id))
        pct = (1 - o.monthly_cost / c.monthly_cost) * 100 if c.monthly_cost > 0 else 0.0
        return Saving.model_construct(
            open_option=o.id,
            closed_option=c.id,
            open_monthly_cost=o.monthly_cost,
            closed_monthly_cost=c.monthly_cost,
            saving_pct=round(pct, 1),
            quality_gap=round(q - (c.quality_index or 0), 1),
        )


def compare(catalog: Catalog, workload: Workload, settings: Settings | None = None) -> Result:
    """Price, size, check, score and rank every option for a workload."""
    return Engine(catalog, workload, settings).run()


def best_per_model(options: list[OptionOut]) -> list[OptionOut]:
    """The first (best-ranked) option of each model, keeping the order."""
    seen: set[str] = set()
    out = []
    for o in options:
        if o.model not in seen:
            seen.add(o.model)
            out.append(o)
    return out


__all__ = ["Engine", "Result", "Settings", "compare"]
