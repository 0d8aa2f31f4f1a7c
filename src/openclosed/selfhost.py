"""Self-hosting an open model: sizing → plans per precision → instance prices → replicas → monthly cost.

A self-hosted option is priced through its cost curve (`cost_curves.SelfCurve`): the plans that
fit, each a GPU count per replica with its capacity and rentable instance menu, plus fixed
operations and setup costs. The option's cost is the curve at the workload's peak rate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import constraints
from .catalog.schema import GpuCloud, GpuOffer, OnPrem
from .cost_curves import Plan, SelfCurve
from .evaluation import UNSCORED, Context, Detail
from .packing import Instance, cheapest_packing, instances
from .report import OptionOut, SelfHostingOut, construct
from .sizing import Sizing, size, supports, tp_candidates
from .workload import HOURS_PER_MONTH, SECONDS_PER_MONTH

if TYPE_CHECKING:
    from .catalog.schema import Model


def onprem_hourly(on_prem: OnPrem, gpu_id: str, power_w: float) -> tuple[float, dict[str, float]] | None:
    """USD per GPU-hour of an owned GPU: hardware amortised, power with PUE, hosting."""
    entry = next((g for g in on_prem.gpus if g.gpu == gpu_id), None)
    if entry is None:
        return None
    hardware = entry.purchase_price / (on_prem.amortisation_years * 8760.0)
    power = power_w / 1000.0 * (1.0 + on_prem.server_power_overhead) * on_prem.pue * on_prem.electricity_usd_per_kwh
    hosting = on_prem.hosting_usd_per_gpu_month / HOURS_PER_MONTH
    parts = {"hardware": hardware, "power": power, "hosting": hosting}
    return hardware + power + hosting, parts


# ------------------------------------------------------------------ sizing and plans
def sizing(ctx: Context, model: Model, gpu_id: str, precision: str, tp: int) -> Sizing:
    """The cached sizing of one replica of `tp` GPUs for this workload's shape."""
    key = (model.id, gpu_id, precision, tp)
    hit = ctx.sizing_cache.get(key)
    if hit is None:
        t, lat = ctx.wl.traffic, ctx.wl.latency
        max_tpot = 1000.0 / lat.min_output_tokens_per_s if lat.min_output_tokens_per_s else None
        assert model.architecture is not None
        hit = size(
            model.id,
            model.architecture,
            ctx.cat.gpu(gpu_id),
            precision,
            tp,
            t.input_tokens,
            t.output_tokens,
            max_tpot_ms=max_tpot,
            cached_share=t.cached_input_share,
            context_tokens=t.context_tokens_value,
            eff=ctx.st.efficiency,
        )
        ctx.sizing_cache[key] = hit
    return hit


def precisions_for(ctx: Context, model: Model) -> list[str]:
    """The model's usual precisions that the workload accepts (its native one always)."""
    arch = model.architecture
    assert arch is not None
    allowed = set(ctx.wl.self_hosting.precisions) | {arch.native_precision}
    return [p for p in arch.precisions if p in allowed] or [arch.native_precision]


def plans(ctx: Context, model: Model, gpu_id: str) -> list[tuple[str, Sizing, bool]]:
    """Per precision: the smallest GPU count that fits and meets the latency targets (or, when
    none meets them, the largest that fits), with whether it meets them."""
    key = (model.id, gpu_id)
    hit = ctx.plan_cache.get(key)
    if hit is not None:
        return hit
    gpu = ctx.cat.gpu(gpu_id)
    assert model.architecture is not None
    max_ttft = ctx.wl.latency.max_ttft_ms
    out = []
    for precision in precisions_for(ctx, model):
        if not supports(gpu, precision):
            continue
        fallback = None
        chosen = None
        for tp in tp_candidates(gpu, model.architecture):
            s = sizing(ctx, model, gpu_id, precision, tp)
            if not s.fits:
                continue
            ok = s.meets_tpot and (max_ttft is None or s.ttft_ms <= max_ttft)
            if ok:
                chosen = (precision, s, True)
                break
            fallback = (precision, s, False)
        if chosen or fallback:
            out.append(chosen or fallback)  # type: ignore[arg-type]
    ctx.plan_cache[key] = out
    return out


def _smallest_memory_need(ctx: Context, model: Model) -> float:
    from .sizing import weight_bytes

    assert model.architecture is not None
    return min(weight_bytes(model.architecture, p) for p in precisions_for(ctx, model)) / 1e9


# ------------------------------------------------------------------ prices
def _gpu_prices(
    ctx: Context, oid: str, host: GpuCloud | OnPrem, gpu_id: str, offers: list[GpuOffer]
) -> tuple[list[tuple[GpuOffer, float]], str, str, Any, dict[str, float] | None, list[str]]:
    """(offers with their USD per GPU-hour, price kind, source, as_of, on-prem parts, warnings)."""
    wl = ctx.wl
    gpu = ctx.cat.gpu(gpu_id)
    mult = wl.self_hosting.gpu_price_multiplier
    if isinstance(host, OnPrem):
        hp = onprem_hourly(host, gpu_id, gpu.power_w)
        assert hp is not None
        # Bought GPUs come in any count; a validated GpuOffer per option would cost time.
        owned = GpuOffer.model_construct(
            gpu=gpu_id, gpu_counts=[1, 2, 4, 8], instance="owned", hourly_price=hp[0] * mult
        )
        entry = next(g for g in host.gpus if g.gpu == gpu_id)
        parts = {k: v * mult for k, v in hp[1].items()}
        return [(owned, hp[0] * mult)], "on-prem", entry.source, entry.as_of, parts, []
    reserved = wl.self_hosting.reserved
    priced = []
    for o in offers:
        base = o.reserved_hourly_price if reserved and o.reserved_hourly_price else o.hourly_price
        priced.append((o, base * host.price_multiplier * mult))
    kind = "reserved" if reserved and any(o.reserved_hourly_price for o in offers) else "on-demand"
    cheapest = min(offers, key=lambda o: o.hourly_price)
    warnings = constraints.stale_price(ctx, oid, f"{gpu.name} at {host.id}", cheapest.as_of)
    return priced, kind, cheapest.source, cheapest.as_of, None, warnings


# ------------------------------------------------------------------ the option
def self_option(
    ctx: Context, model: Model, host: GpuCloud | OnPrem, gpu_id: str, offers: list[GpuOffer]
) -> tuple[OptionOut, Detail]:
    wl = ctx.wl
    gpu = ctx.cat.gpu(gpu_id)
    oid = f"{model.id}@{host.id}:{gpu_id}"
    mv, mw = constraints.model_constraints(ctx, model, api=False)
    violations, warnings = list(mv), list(mw)
    if wl.privacy.residency and not isinstance(host, OnPrem):
        regions = {r.lower() for o in offers for r in o.regions} | {r.lower() for r in host.regions}
        violations += constraints.self_residency(ctx, host.name, gpu, regions)
    priced, price_kind, price_source, price_as_of, onprem_parts, stale = _gpu_prices(ctx, oid, host, gpu_id, offers)
    warnings += stale

    peak_rps = wl.requests_per_month / SECONDS_PER_MONTH * wl.traffic.peak_factor
    # The rentable instance choices per (precision, GPUs per replica), kept for `explain`.
    packings: dict[tuple[str, int], tuple[Instance, ...]] = {}
    curve_plans: list[Plan] = []
    for precision, s, ok in plans(ctx, model, gpu_id):
        inst = tuple(instances(priced, s.gpus))
        packings[(precision, s.gpus)] = inst
        plan = Plan(s.requests_per_s * wl.self_hosting.utilisation_cap, inst, ok, s.gpus, precision, s)
        if plan.packer.best is not None:
            curve_plans.append(plan)
    ops = wl.operations
    operations_raw = ops.self_hosting_engineers * ops.engineer_cost_per_month
    setup_raw = ops.setup_engineer_months * ops.engineer_cost_per_month / wl.horizon_months
    operations, setup = round(operations_raw, 6), round(setup_raw, 6)
    curve = SelfCurve(curve_plans, operations, setup)
    candidates = []
    for plan in curve_plans:
        r = plan.replicas(peak_rps)
        hourly, billed, names = cheapest_packing(plan.instances, r)
        candidates.append(
            {
                "precision": plan.precision,
                "meets_latency": plan.ok,
                "replicas": r,
                "billed_gpus": billed,
                "hourly_total": hourly,
                "gpu_cost": hourly * HOURS_PER_MONTH,
                "instances": names,
                "gpus_per_replica": plan.gpus,
            }
        )
    chosen = curve.choose(peak_rps)
    if chosen is None:
        need = _smallest_memory_need(ctx, model)
        violations.append(
            f"capacity: does not fit on one node of {gpu.max_gpus_per_node}× {gpu.name} at "
            f"{'/'.join(precisions_for(ctx, model))}" + (f" (weights alone {need:.0f} GB)" if need else "")
        )
        breakdown = {"gpus": 0.0, "operations": operations, "setup": setup}
        out = _self_out(ctx, oid, model, host, None, violations, warnings, breakdown)
        return out, Detail(model=model, candidates=candidates, hosting={"host": host}, curve=curve)
    best = candidates[chosen[0]]
    s = curve_plans[chosen[0]].sizing
    assert s is not None
    if not best["meets_latency"]:
        violations += constraints.self_latency(ctx, s, gpu)
    replicas = best["replicas"]
    billed = best["billed_gpus"]
    per_gpu_hour = best["hourly_total"] / billed if billed else 0.0
    breakdown = {"gpus": round(best["gpu_cost"], 6), "operations": operations, "setup": setup}
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
    out = _self_out(ctx, oid, model, host, sh, violations, warnings, breakdown)
    det = Detail(
        model=model,
        sizing=s,
        candidates=candidates,
        hosting={
            "peak_rps": peak_rps,
            "instances": best["instances"],
            "packings": packings,
            "operations": operations_raw,
            "setup": setup_raw,
            "onprem_parts": onprem_parts,
            "host": host,
        },
        curve=curve,
    )
    return out, det


def _self_out(
    ctx: Context,
    oid: str,
    model: Model,
    host: Any,
    sh: SelfHostingOut | None,
    violations: list[str],
    warnings: list[str],
    breakdown: dict[str, float],
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
        monthly_cost_low=None,
        monthly_cost_high=None,
        cost_per_million_tokens=ctx.per_million(total),
        cost_breakdown=breakdown,
        unit_prices=None,
        self_hosting=sh,
        feasible=not violations,
        violations=violations,
        warnings=warnings,
        scores=UNSCORED,
        reasons=[],
        rank=None,
    )
