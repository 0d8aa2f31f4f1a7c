"""Self-hosting an open model: sizing → plans per precision → instance prices → replicas → monthly cost.

A self-hosted option is priced through its cost curve (`cost_curves.SelfCurve`): the plans that
fit, each a GPU count per replica with its capacity and rentable instance menu, plus fixed
operations and setup costs. The option's cost is the curve at the workload's peak rate.

It is longer than most modules because sizing plans, GPU prices and the option's assembly are
the steps of one option; each step is a function that reads alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..catalog.schema import GpuCloud, GpuOffer, OnPrem
from ..decide import constraints
from ..evaluation import UNSCORED, Context, Detail
from ..report import OptionOut, SelfHostingOut, construct
from ..workload.customisation import active
from . import owned
from .cost_curves import Fleet, Plan, SelfCurve
from .gpu_prices import gpu_hourly
from .packing import Instance, instances
from .sizing import Plan as SizingPlan
from .sizing import Sizing, plan_replica, size, supports, works
from .sizing.step import step_overhead_s
from .training import self_tuning

if TYPE_CHECKING:
    from ..catalog.schema import Model


# ------------------------------------------------------------------ sizing and plans
def ttft_target(ctx: Context, model: Model, gpu: Any) -> float | None:
    """The TTFT target for the search over replica sizes, in ms. When the hidden tokens times a
    decode step's fixed overhead alone exceed it, no replica meets it: the search then stops at the
    smallest replica that meets the other targets (the option is ruled out on latency either way)."""
    max_ttft = ctx.wl.latency.max_ttft_ms
    hidden = ctx.reasoning(model).hidden_tokens
    assert model.architecture is not None
    if max_ttft is not None and hidden * step_overhead_s(model.architecture, gpu, ctx.st.efficiency) * 1e3 > max_ttft:
        return None
    return max_ttft


def sizing(ctx: Context, model: Model, gpu_id: str, precision: str, tp: int | SizingPlan) -> Sizing:
    """The cached sizing of one replica (`tp` GPUs in one group, or a multi-node Plan) for this
    workload's shape."""
    key = (model.id, gpu_id, precision, tp)
    hit = ctx.sizing_cache.get(key)
    if hit is None:
        t, lat = ctx.wl.traffic, ctx.wl.latency
        gpu = ctx.cat.gpu(gpu_id)
        max_tpot = 1000.0 / lat.min_output_tokens_per_s if lat.min_output_tokens_per_s else None
        assert model.architecture is not None
        hit = size(
            model.id,
            model.architecture,
            gpu,
            precision,
            tp,
            t.input_tokens,
            t.output_tokens,
            max_tpot_ms=max_tpot,
            cached_share=t.cached_input_share,
            context_tokens=t.context_tokens_value,
            eff=ctx.st.efficiency,
            kv_cache_dtype=ctx.wl.self_hosting.kv_cache_dtype,
            speculative=ctx.wl.self_hosting.speculative,
            decode_tokens=ctx.reasoning(model).decoded(t.output_tokens),
        )
        ctx.sizing_cache[key] = hit
    return hit


def precisions_for(ctx: Context, model: Model) -> list[str]:
    """The model's published precisions that the workload accepts (`self_hosting.precisions`): an
    excluded precision never comes back, not even the native one (issue 22); may be empty."""
    arch = model.architecture
    assert arch is not None
    allowed = set(ctx.wl.self_hosting.precisions)
    return [p for p in arch.precisions if p in allowed]


def precision_violation(ctx: Context, model: Model) -> str:
    """Why a model none of whose checkpoints is at an accepted precision is ruled out."""
    arch = model.architecture
    assert arch is not None
    return (
        f"precision: {model.name} is published only at {', '.join(arch.precisions)}; the workload accepts "
        f"{', '.join(ctx.wl.self_hosting.precisions)} (self_hosting.precisions)"
    )


def plans(ctx: Context, model: Model, gpu_id: str) -> list[tuple[str, Sizing, bool]]:
    """Per precision the replica to run: the smallest GPU count (up to MAX_NODES whole nodes where
    the GPU has an inter-node network) that fits and meets the latency targets, else the smallest
    that fits; with whether it meets them. Precisions that cannot run at all are recorded with
    their reason in `ctx.unfit` for the capacity message."""
    key = (model.id, gpu_id)
    hit = ctx.plan_cache.get(key)
    if hit is not None:
        return hit
    gpu = ctx.cat.gpu(gpu_id)
    arch = model.architecture
    assert arch is not None
    t, lat = ctx.wl.traffic, ctx.wl.latency
    max_tpot = 1000.0 / lat.min_output_tokens_per_s if lat.min_output_tokens_per_s else None
    max_ttft = ttft_target(ctx, model, gpu)
    allowed = tuple(precisions_for(ctx, model))
    decoded = ctx.reasoning(model).decoded(t.output_tokens)
    # Sizing depends only on the catalogue entry and the request's shape: engines run one after
    # another in a process (a sweep, routing, sensitivity, the tests) reuse it.
    shape = (
        id(ctx.cat),
        model.id,
        gpu_id,
        allowed,
        t.input_tokens,
        t.output_tokens,
        decoded,
        t.cached_input_share,
        t.context_tokens_value,
        max_tpot,
        lat.max_ttft_ms,
        repr(ctx.st.efficiency),
        ctx.wl.self_hosting.kv_cache_dtype,
        ctx.wl.self_hosting.speculative,
    )
    memo = _PLAN_MEMO.get(shape)
    if memo is not None and memo[0] is ctx.cat:
        out, reasons = memo[1], memo[2]
        for precision, s, _ in out:
            ctx.sizing_cache[(model.id, gpu_id, precision, s.plan_obj)] = s
        ctx.plan_cache[key] = out
        ctx.unfit[key] = reasons
        return out
    out = []
    reasons = []
    for precision in allowed:
        if not supports(gpu, precision):
            reasons.append(f"{precision}: {gpu.name} has no {precision} support")
            continue

        def plan(tpot: float | None, ttft: float | None, precision: str = precision) -> Sizing:
            return plan_replica(
                model.id,
                arch,
                gpu,
                precision,
                t.input_tokens,
                t.output_tokens,
                max_tpot_ms=tpot,
                max_ttft_ms=ttft,
                cached_share=t.cached_input_share,
                context_tokens=t.context_tokens_value,
                eff=ctx.st.efficiency,
                kv_cache_dtype=ctx.wl.self_hosting.kv_cache_dtype,
                speculative=ctx.wl.self_hosting.speculative,
                decode_tokens=decoded,
            )

        hidden = decoded - t.output_tokens
        s = plan(max_tpot, None if hidden else max_ttft)
        if hidden and max_ttft is not None and s.fits and not works(s, max_ttft):
            # The first visible token comes after the hidden tokens: a smaller batch decodes them
            # faster. Give them what the target leaves after the first token of the smallest
            # replica (its prefill and queue) and search again; if that fails too, the option is
            # ruled out on latency and costed at the per-stream target's batch.
            room = max_ttft - (s.ttft_ms - hidden * s.tpot_ms)
            if room > 0:
                cap = room / hidden
                again = plan(min(cap, max_tpot) if max_tpot else cap, max_ttft)
                s = again if works(again, max_ttft) else s
        if s.fits:
            ctx.sizing_cache[(model.id, gpu_id, precision, s.plan_obj)] = s
            out.append((precision, s, works(s, lat.max_ttft_ms)))
        else:
            reasons.append(f"{precision}: {s.reason}")
    ctx.plan_cache[key] = out
    ctx.unfit[key] = reasons
    if len(_PLAN_MEMO) > _PLAN_MEMO_MAX:
        _PLAN_MEMO.clear()
    # The catalogue is kept with the entry: its id cannot be reused by another while it is held.
    _PLAN_MEMO[shape] = (ctx.cat, out, reasons)
    return out


_PLAN_MEMO: dict[tuple, tuple[Any, list[tuple[str, Sizing, bool]], list[str]]] = {}
_PLAN_MEMO_MAX = 20_000


def _smallest_memory_need(ctx: Context, model: Model) -> float:
    from .sizing import weight_bytes

    assert model.architecture is not None
    return min((weight_bytes(model.architecture, p) for p in precisions_for(ctx, model)), default=0.0) / 1e9


# ------------------------------------------------------------------ prices
def _spot_prices(ctx: Context, host: GpuCloud | OnPrem, offers: list[GpuOffer]) -> list[tuple[GpuOffer, float]]:
    """Offers with a published spot price in a region the workload allows, at that price (none
    on-prem: owned GPUs)."""
    if isinstance(host, OnPrem):
        return []
    wl = ctx.wl
    sh = wl.self_hosting
    out = []
    for o in offers:
        gp = gpu_hourly(o, host, sh.region, wl.privacy.residency, "none", True, wl.horizon_months)
        if gp is not None and gp.pricing_kind == "spot":
            out.append((o, gp.usd_per_gpu_hour * sh.gpu_price_multiplier))
    return out


def fleet(ctx: Context, host: GpuCloud | OnPrem, node_gpus: int) -> Fleet:
    """The workload's fleet rules (schedule, batch window, availability, spot, operations)."""
    wl = ctx.wl
    t, sh, ops = wl.traffic, wl.self_hosting, wl.operations
    spot = "all" if sh.spot == "all" else ("batch" if sh.spot else "off")
    if isinstance(host, OnPrem):
        spot = "off"  # owned GPUs are not interruptible capacity
    setup = round(ops.setup_engineer_months * ops.engineer_cost_per_month / wl.horizon_months, 6)
    # Owned servers add a 24/7 on-call rotation and datacentre work (selfhost/owned.py).
    own_base, own_per_node = owned.operations_terms(host, wl) if isinstance(host, OnPrem) else (0.0, 0.0)
    return Fleet(
        hours_per_day=t.hours_per_day,
        scale_to_zero=sh.scale_to_zero and not isinstance(host, OnPrem),
        batch_share=t.batch_share,
        batch_window_hours=t.batch_window_hours,
        min_replicas=wl.min_replicas,
        spot=spot,
        engineer_cost=ops.engineer_cost_per_month,
        ops_base=ops.self_hosting_engineers + own_base,
        ops_per_node=ops.engineers_per_node + own_per_node,
        node_gpus=node_gpus,
        setup=setup,
        owned=isinstance(host, OnPrem),
    )


@dataclass
class GpuPricing:
    """What one option pays per GPU-hour and why: the priced offers and the price that applies."""

    priced: list[tuple[GpuOffer, float]]  # offers with their USD per GPU-hour (multipliers applied)
    kind: str  # gpu_price_kind: on-demand | reserved | spot | on-prem
    pricing: str  # on-demand | 1y | 3y | spot | owned
    region: str | None
    source: str
    as_of: Any
    onprem_parts: dict[str, float] | None = None
    warnings: list[str] = field(default_factory=list)
    areas: tuple[str, ...] = ()  # residency areas the price that applies is stated for (empty: unknown)


@lru_cache(maxsize=1024)
def _owned_offer(gpu_id: str, per_server: int, hourly: float) -> GpuOffer:
    """Owned GPUs as an offer of whole servers. Built without validation and once per price:
    resolving the model's default factories cost more than pricing the option."""
    return GpuOffer.model_construct(gpu=gpu_id, gpu_counts=[per_server], instance="owned server", hourly_price=hourly)


def _gpu_prices(
    ctx: Context, oid: str, host: GpuCloud | OnPrem, gpu_id: str, offers: list[GpuOffer]
) -> GpuPricing | None:
    """The GPU-hour prices one option pays (None: no offer is priced in a region the workload allows)."""
    wl = ctx.wl
    gpu = ctx.cat.gpu(gpu_id)
    mult = wl.self_hosting.gpu_price_multiplier
    if isinstance(host, OnPrem):
        terms = owned.terms(host, wl)
        hp = owned.onprem_hourly(host, gpu_id, gpu.power_w, terms)
        got = owned.price_of(host, gpu_id, terms.purchase)
        if hp is None or got is None:
            return None  # no price of that kind: `_host_gpu` says why
        offer = _owned_offer(gpu_id, host.gpus_per_server, hp[0] * mult)
        parts = {k: v * mult for k, v in hp[1].items()}
        # A purchase price ages like a rental price: the same staleness warning.
        stale = constraints.stale_price(ctx, oid, f"{gpu.name} servers ({terms.purchase})", got[2])
        return GpuPricing([(offer, hp[0] * mult)], "on-prem", "owned", None, got[1], got[2], parts, stale)
    sh = wl.self_hosting
    priced = []
    best = None
    for residency in (wl.privacy.residency, []):
        # Outside the allowed regions an option is ruled out by residency but keeps its real cost.
        for o in offers:
            gp = gpu_hourly(o, host, sh.region, residency, sh.commitment_value, False, wl.horizon_months)
            if gp is None:
                continue
            priced.append((o, gp.usd_per_gpu_hour * mult))
            if best is None or gp.usd_per_gpu_hour < best.usd_per_gpu_hour:
                best = gp
        if best is not None or not residency or sh.region:
            break
    if best is None:
        return None
    kind = "reserved" if best.pricing_kind in ("1y", "3y") else best.pricing_kind
    stale = constraints.stale_price(ctx, oid, f"{gpu.name} at {host.id}", best.as_of)
    return GpuPricing(priced, kind, best.pricing_kind, best.region, best.source, best.as_of, None, stale, best.areas)


@dataclass
class _HostGpu:
    """What every model's option on one GPU at one host shares: prices, spot prices, fleet rules,
    and the host's own violations and warnings (the catalogue has about 40 models per GPU)."""

    pricing: GpuPricing | None
    spot_priced: list[tuple[GpuOffer, float]]
    fleet: Fleet
    violations: list[str]
    warnings: list[str]
    menus: dict[int, tuple[tuple[Instance, ...], tuple[Instance, ...] | None]] = field(default_factory=dict)

    def menu(self, gpus: int, node_gpus: int) -> tuple[tuple[Instance, ...], tuple[Instance, ...] | None]:
        """The rentable instance shapes for a replica of `gpus` GPUs, on demand and on spot."""
        hit = self.menus.get(gpus)
        if hit is None:
            priced = self.pricing.priced if self.pricing is not None else []
            inst = tuple(instances(priced, gpus, node_gpus))
            spot = tuple(instances(self.spot_priced, gpus, node_gpus)) if self.spot_priced else None
            hit = self.menus[gpus] = (inst, spot)
        return hit


def _host_gpu(ctx: Context, oid: str, host: GpuCloud | OnPrem, gpu_id: str, offers: list[GpuOffer]) -> _HostGpu:
    key = (host.id, gpu_id)
    hit = ctx.host_cache.get(key)
    if hit is not None:
        if hit.pricing is not None and hit.pricing.warnings:
            # The stale-price warning is the host's; the option is recorded as stale by its own id.
            constraints.stale_price(ctx, oid, "", hit.pricing.as_of)
        return hit
    wl = ctx.wl
    gpu = ctx.cat.gpu(gpu_id)
    violations: list[str] = []
    pricing = _gpu_prices(ctx, oid, host, gpu_id, offers)
    if wl.privacy.residency and not isinstance(host, OnPrem) and pricing is not None:
        # The region the option is priced in decides, not the cloud's regions for other GPUs.
        violations += constraints.self_residency(ctx, host.name, gpu, pricing.region, pricing.areas)
    if isinstance(host, GpuCloud) and host.tenancy == "marketplace":
        violations += constraints.self_marketplace(ctx, host.name)
    if pricing is None and isinstance(host, OnPrem):
        violations.append(owned.not_offered(gpu.name, wl.self_hosting.on_prem.purchase))
    spot_priced = _spot_prices(ctx, host, offers)
    fl = fleet(ctx, host, gpu.max_gpus_per_node)
    warnings = _spot_warnings(fl, host, gpu.name, spot_priced) if fl.spot != "off" else []
    hit = ctx.host_cache[key] = _HostGpu(pricing, spot_priced, fl, violations, warnings)
    return hit


def _no_price(host: str, gpu: str, region: str | None, commitment: str) -> str:
    """Why nothing is priced: the region named has no price, or the cloud publishes none of the
    kind the workload asks for (an offer with only committed prices, or only spot)."""
    what = {"1y": "1-year committed", "3y": "3-year committed"}.get(commitment, "on-demand")
    if region:
        return f"region: {host} has no {what} {gpu} price in {region}"
    return f"price: {host} publishes no {what} {gpu} price"


# ------------------------------------------------------------------ the option
def self_option(
    ctx: Context, model: Model, host: GpuCloud | OnPrem, gpu_id: str, offers: list[GpuOffer]
) -> tuple[OptionOut, Detail]:
    wl = ctx.wl
    gpu = ctx.cat.gpu(gpu_id)
    oid = f"{model.id}@{host.id}:{gpu_id}"
    mv, mw = constraints.model_constraints(ctx, model, api=False)
    hg = _host_gpu(ctx, oid, host, gpu_id, offers)
    violations = [*mv, *hg.violations]
    pricing = hg.pricing
    if pricing is None:
        # Owned servers with no purchase price of that kind are said by `_host_gpu`.
        if not isinstance(host, OnPrem):
            violations.append(_no_price(host.name, gpu.name, wl.self_hosting.region, wl.self_hosting.commitment_value))
        pricing = GpuPricing([], "on-demand", "on-demand", wl.self_hosting.region, "", None)
    warnings = [*mw, *pricing.warnings, *hg.warnings]
    price_kind, onprem_parts = pricing.kind, pricing.onprem_parts

    rpm = wl.requests_per_month
    peak_i = wl.traffic.peak_rps(rpm)  # the interactive share's peak (the sweep passes the same)
    fl = hg.fleet
    tuning = _tuning(ctx, model, gpu, pricing)
    if tuning is not None:
        violations += tuning.violations
        fl = replace(fl, training=tuning.monthly)
    capacity = tuning.capacity if tuning is not None else 1.0
    # The rentable instance choices per (precision, GPUs per replica), kept for `explain`.
    packings: dict[tuple[str, int], tuple[Instance, ...]] = {}
    curve_plans: list[Plan] = []
    for precision, s, ok in plans(ctx, model, gpu_id):
        inst, spot_inst = hg.menu(s.gpus, gpu.max_gpus_per_node)
        packings[(precision, s.gpus)] = inst
        plan = Plan(
            s.requests_per_s * wl.self_hosting.utilisation_cap * capacity,
            inst,
            ok,
            s.gpus,
            precision,
            s,
            full=s.requests_per_s * capacity,
            spot_instances=spot_inst,
        )
        if plan.packer.best is not None:
            curve_plans.append(plan)
    curve = SelfCurve(curve_plans, fl)
    quotes = curve.quotes(rpm, peak_i)
    candidates = _candidates(curve_plans, quotes)
    chosen = curve.best(quotes)
    if chosen is None:
        violations += _unfit(ctx, model, host, gpu, gpu_id, pricing)
        out = _self_out(ctx, oid, model, host, None, violations, warnings, None)
        return out, Detail(model=model, candidates=candidates, hosting={"host": host}, curve=curve)
    plan = curve_plans[chosen.plan]
    s = plan.sizing
    assert s is not None
    if not plan.ok:
        violations += constraints.self_latency(ctx, s, gpu)
    replicas = chosen.replicas
    billed = chosen.billed_gpus + chosen.batch_gpus
    gpu_hours = chosen.billed_gpus * fl.active_hours + chosen.batch_gpus * fl.batch_hours
    per_gpu_hour = (chosen.gpu_cost + chosen.batch_cost) / gpu_hours if gpu_hours else 0.0
    breakdown = chosen.parts(fl.setup)
    if tuning is not None and tuning.run is not None:
        breakdown["training"] = fl.training
    capex = (
        owned.capex(host, gpu_id, billed, wl.self_hosting.on_prem.purchase, wl.self_hosting.gpu_price_multiplier)
        if isinstance(host, OnPrem)
        else 0.0
    )
    provisioned = max(peak_i, fl.average_rps(rpm)) if not chosen.batch_replicas else peak_i
    pk = plan.spot_packer if chosen.spot else plan.packer
    inst_plan = pk.plan_spread(replicas, fl.min_replicas)[2] if replicas else {}
    pricing_kind = "owned" if isinstance(host, OnPrem) else "spot" if chosen.spot else pricing.pricing
    sh = construct(
        SelfHostingOut,
        cloud=host.id,
        gpu=gpu_id,
        precision=plan.precision,
        gpus_per_replica=s.gpus,
        replicas=replicas,
        total_gpus=replicas * s.gpus,
        billed_gpus=billed,
        gpu_hourly_price=round(per_gpu_hour, 6),
        gpu_price_kind=price_kind,  # type: ignore[arg-type]
        pricing=pricing_kind,
        batch_replicas=chosen.batch_replicas,
        batch_pricing=(
            ("spot" if fl.spot != "off" and plan.has_spot else pricing_kind) if chosen.batch_replicas else None
        ),
        gpu_hours_per_month=round(gpu_hours, 3),
        nodes_in_fleet=fl.nodes(billed),
        operations_engineers=round(fl.engineers(billed), 4),
        output_tokens_per_s_per_replica=s.output_tokens_per_s,
        requests_per_s_per_replica=round(s.requests_per_s, 6),
        peak_requests_per_s=round(provisioned, 6),
        utilisation_at_peak=round(provisioned / (replicas * s.requests_per_s), 4) if replicas else 0.0,
        concurrency=s.concurrency,
        max_concurrency=s.max_concurrency,
        ttft_ms=s.ttft_ms,
        tpot_ms=s.tpot_ms,
        decode_step_ms=s.decode_step_ms,
        per_stream_tokens_per_s=s.per_stream_tokens_per_s,
        weights_gb=s.weights_gb,
        kv_cache_gb_per_sequence=s.kv_cache_gb_per_sequence,
        price_source=pricing.source,
        price_as_of=pricing.as_of.isoformat(),
        on_prem={k: round(v, 6) for k, v in onprem_parts.items()} if onprem_parts else None,
        nodes=s.nodes,
        tp=s.tp,
        ep=s.ep,
        pp=s.pp,
        region=pricing.region,
        **_owned_fields(ctx, host),
    )
    out = _self_out(ctx, oid, model, host, sh, violations, warnings, breakdown, capex)
    if tuning is not None and tuning.run is not None:
        # The method priced, and the first run as a one-off amount (not part of the monthly total).
        out.__dict__["customisation"] = tuning.run.method
        breakdown["first_training_run"] = round(tuning.run.cost, 6)
    det = Detail(
        model=model,
        sizing=s,
        candidates=candidates,
        hosting={
            "peak_rps": provisioned,
            "instances": inst_plan,
            "packings": packings,
            "operations": chosen.operations,
            "setup": fl.setup,
            "onprem_parts": onprem_parts,
            "host": host,
            "quote": chosen,
            "fleet": fl,
        },
        curve=curve,
        tuning=tuning,
    )
    return out, det


def _tuning(ctx: Context, model: Model, gpu: Any, pricing: GpuPricing) -> Any:
    """Fine-tuning this option as the workload asks (selfhost/training.py), or None when it does not."""
    custom = active(ctx.wl.customisation)
    if custom is None or model.architecture is None:
        return None
    # Training runs on GPUs of the type the option serves on, at the GPU-hour price it pays
    # (on-prem: the owned GPU's hourly cost of ownership).
    hourly = min((p for _, p in pricing.priced), default=0.0)
    return self_tuning(
        model.architecture, gpu, custom.method, custom.tokens_per_run, custom.runs_per_month, custom.adapters, hourly
    )


def _unfit(
    ctx: Context, model: Model, host: GpuCloud | OnPrem, gpu: Any, gpu_id: str, pricing: GpuPricing
) -> list[str]:
    """Why no plan of this model could be priced on this GPU at this host."""
    out: list[str] = []
    fitting = plans(ctx, model, gpu_id)
    if fitting and pricing.priced:
        # It fits, but no rentable shape holds a replica (e.g. no full-node instance for a multi-node plan).
        sizes = sorted({s.gpus for _, s, _ in fitting})
        out.append(
            f"capacity: {host.name} rents no {gpu.name} instance that holds a replica of "
            f"{'/'.join(str(n) for n in sizes)} GPUs"
        )
    elif not precisions_for(ctx, model):
        out.append(precision_violation(ctx, model))
    elif not fitting:
        need = _smallest_memory_need(ctx, model)
        why = "; ".join(ctx.unfit.get((model.id, gpu_id), []))
        out.append(
            f"capacity: does not fit on {gpu.name} (weights alone {need:.0f} GB): {why}"
            if need
            else f"capacity: does not fit on {gpu.name}: {why}"
        )
    return out


def _candidates(curve_plans: list[Plan], quotes: list[Any]) -> list[dict[str, Any]]:
    """Every plan that could be priced, as `explain` lists the candidates compared."""
    out = []
    for plan, q in zip(curve_plans, quotes, strict=True):
        if q is None:
            continue
        out.append(
            {
                "precision": plan.precision,
                "meets_latency": plan.ok,
                "replicas": q.replicas,
                "batch_replicas": q.batch_replicas,
                "billed_gpus": q.billed_gpus + q.batch_gpus,
                "gpu_cost": q.gpu_cost + q.batch_cost,
                "operations": q.operations,
                "gpus_per_replica": plan.gpus,
            }
        )
    return out


def _owned_fields(ctx: Context, host: GpuCloud | OnPrem) -> dict[str, Any]:
    """The purchase and write-off of owned servers, for the report (null for rented GPUs; every key
    given, in field order, keeps `construct` on its fast path)."""
    if not isinstance(host, OnPrem):
        return {"purchase": None, "write_off_years": None, "residual_value": None}
    t = owned.terms(host, ctx.wl)
    return {"purchase": t.purchase, "write_off_years": round(t.years, 6), "residual_value": t.residual}


def _spot_warnings(fl: Fleet, host: GpuCloud | OnPrem, gpu_name: str, spot_priced: list) -> list[str]:
    out = []
    if not spot_priced:
        out.append(f"spot: no published spot price for {gpu_name} at {host.id}; priced on demand")
    if fl.spot == "all":
        out.append(
            "spot: all replicas run on interruptible capacity; a reclaim interrupts interactive users "
            "(self_hosting.spot: all)"
        )
    return out


def _self_out(
    ctx: Context,
    oid: str,
    model: Model,
    host: Any,
    sh: SelfHostingOut | None,
    violations: list[str],
    warnings: list[str],
    breakdown: dict[str, float] | None,
    capex: float = 0.0,
) -> OptionOut:
    """`breakdown` None: the option cannot run at all (nothing fits), so it has no cost."""
    total = round(sum(breakdown.values()), 6) if breakdown is not None else None
    plan = ctx.reasoning(model)
    return construct(
        OptionOut,
        id=oid,
        model=model.id,
        model_name=model.name,
        open_weights=True,
        deployment="self-hosted",
        provider=host.id,
        licence=model.licence,
        quality_index=plan.quality,
        quality_estimated=plan.quality_estimated,
        monthly_cost=total,
        cost_per_million_tokens=ctx.per_million(total),
        capex=capex,
        cost_breakdown=breakdown if breakdown is not None else {},
        unit_prices=None,
        self_hosting=sh,
        feasible=not violations,
        violations=violations,
        warnings=warnings,
        scores=UNSCORED,
        reasons=[],
        rank=None,
        api_speed=None,
        rank_among_all=None,
        reasoning=plan.mode,
        reasoning_tokens_per_request=plan.hidden_tokens,
    )
