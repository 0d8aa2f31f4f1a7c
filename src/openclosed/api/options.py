"""An API offering as an option: its token price for the workload and the checks it must pass."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from ..decide import constraints
from ..evaluation import UNSCORED, Context, Detail
from ..report import OptionOut, construct
from ..workload.customisation import active
from .pricing import price_api
from .speed import api_speed_out, dedicated_speed_out, speed_checks, speed_of

if TYPE_CHECKING:
    from ..catalog.schema import ApiProvider, Offering
    from .fine_tuning import ApiTuning


def api_option(ctx: Context, provider: ApiProvider, offering: Offering) -> tuple[OptionOut, Detail]:
    model = ctx.cat.model(offering.model)
    oid = f"{model.id}@{provider.id}"
    plan = ctx.reasoning(model)
    cost = price_api(provider, offering, ctx.wl, ctx.today, plan.hidden_tokens)
    custom = active(ctx.wl.customisation)
    tuning = None
    if custom is not None:
        # Imported here: a workload without fine-tuning never needs them (a few ms of start-up).
        from .fine_tuning import api_tuning, tuned_offering

        tuning = api_tuning(provider, offering, custom)
    if tuning is not None and tuning.priced:
        cost = price_api(provider, tuned_offering(offering, tuning), ctx.wl, ctx.today, plan.hidden_tokens)
    mv, mw = constraints.model_constraints(ctx, model, api=True)
    pv, pw = constraints.api_privacy(ctx, provider, offering)
    on_dedicated = tuning is not None and tuning.priced and tuning.dedicated is not None
    ov, ow = constraints.offering_lifecycle(ctx, oid, model, provider, offering, dedicated=on_dedicated)
    # Providers of open models stream the reasoning before the answer; closed APIs hide it, and
    # their measured time to first token already comes after it.
    streamed = plan.hidden_tokens if model.open_weights else 0.0
    fleet = None
    if on_dedicated and tuning is not None and tuning.dedicated is not None:
        # The provider's dedicated fleet serves the tuned model, sized like a self-hosted one
        # (api/dedicated.py); only replicas that meet the latency targets are priced, so its
        # latency is that replica's estimate and the serverless endpoint's figures do not apply.
        from .dedicated import dedicated_fleet

        fleet = tuning.fleet = dedicated_fleet(ctx, model, tuning.dedicated, provider.price_multiplier)
    lv, unchecked = speed_checks(offering, ctx.wl, model, streamed) if fleet is None else ([], False)
    if unchecked and plan.hidden_tokens:
        # Streamed or hidden, the reasoning comes before the first visible token.
        lv = _reasoning_out_of_reach(ctx, model.id, plan.hidden_tokens)
        unchecked = not lv
    if unchecked:
        ctx.latency_unchecked.add(oid)
    violations = [*mv, *ov, *pv, *constraints.api_limits(ctx, model, offering), *lv]
    warnings = [
        *mw,
        *ow,
        *pw,
        *_stale_price(ctx, oid, provider, offering, tuning if on_dedicated else None),
        *(
            constraints.stale_speed(ctx, f"{offering.model} at {provider.id}", speed_of(offering, model))
            if fleet is None
            else []
        ),
    ]
    # A model or offering its provider has shut down cannot be called at all: no cost, not a real one.
    monthly = None if model.id in ctx.shut_down or oid in ctx.retired else cost.monthly_cost
    breakdown = dict(cost.breakdown) if monthly is not None else {}
    if tuning is not None and custom is not None:
        violations += tuning.violations
        warnings += tuning.warnings
        if fleet is not None and monthly is not None:
            # The provider's dedicated fleet replaces the token charges (api/dedicated.py).
            if fleet.reason:
                violations.append(
                    f"customisation: {provider.id} serves tuned {model.id} on dedicated deployments only; "
                    f"{fleet.reason}"
                )
                monthly, breakdown = None, {}
            else:
                monthly, breakdown = fleet.monthly, {"dedicated_gpus": fleet.monthly}
                if tuning.dedicated.caveat:
                    warnings.append(f"customisation: {provider.name}'s dedicated fleet: {tuning.dedicated.caveat}")
        if tuning.priced and monthly is not None:
            # runs_per_year / 12 runs a month, and the tuned models' hourly fees (docs/methodology.md).
            breakdown["training"] = round(tuning.per_run * custom.runs_per_month, 6)
            if tuning.hosting_per_month:
                breakdown["tuned_hosting"] = tuning.hosting_per_month
            monthly = round(monthly + breakdown["training"] + tuning.hosting_per_month, 6)
    out = construct(
        OptionOut,
        id=oid,
        model=model.id,
        model_name=model.name,
        open_weights=model.open_weights,
        deployment="api",
        provider=provider.id,
        licence=model.licence,
        quality_index=plan.quality,
        quality_estimated=plan.quality_estimated,
        monthly_cost=monthly,
        monthly_cost_low=None,
        monthly_cost_high=None,
        cost_per_million_tokens=ctx.per_million(monthly),
        capex=0.0,
        cost_breakdown=breakdown,
        unit_prices=cost.unit_prices,
        self_hosting=None,
        # Every field, in the model's order: `construct` keeps the dict as given.
        api_speed=api_speed_out(offering, ctx.wl, unchecked, model, streamed)
        if fleet is None
        else dedicated_speed_out(fleet, ctx.wl),
        feasible=not violations,
        violations=violations,
        warnings=warnings,
        scores=UNSCORED,
        reasons=[],
        rank=None,
        rank_among_all=None,
        reasoning=plan.mode,
        reasoning_tokens_per_request=plan.hidden_tokens,
        customisation=custom.method if tuning is not None and custom is not None and tuning.priced else None,
    )
    if out.customisation is not None and tuning is not None:
        # The first run as a one-off amount: shown, not part of the monthly total.
        breakdown["first_training_run"] = tuning.per_run
    curve = None
    if fleet is not None and fleet.curve is not None and out.customisation is not None:
        # The fleet at other volumes (sweep, sampled scenarios), with the training runs held fixed.
        curve = replace(fleet.curve, fixed=breakdown["training"])
    return out, Detail(model=model, api=cost, provider=provider, offering=offering, tuning=tuning, curve=curve)


def _stale_price(
    ctx: Context, oid: str, provider: ApiProvider, offering: Offering, tuning: ApiTuning | None
) -> list[str]:
    """The age of the price the option pays: the offering's token prices, or for a tuned model on a
    dedicated deployment the provider's GPU-hour prices (its token prices are not paid)."""
    if tuning is not None and tuning.dedicated is not None:
        what = f"dedicated GPUs at {provider.id}"
        return constraints.stale_price(ctx, oid, what, tuning.dedicated.as_of)
    return constraints.stale_price(ctx, oid, f"{offering.model} at {provider.id}", offering.as_of)


def _reasoning_out_of_reach(ctx: Context, model_id: str, hidden: float) -> list[str]:
    """An offering without a published speed still cannot answer within the TTFT target when its
    hidden tokens, at the fastest speed any provider publishes for the model, take longer."""
    target = ctx.wl.latency.max_ttft_ms
    if target is None:
        return []
    fastest = ctx.fastest_speed.get(model_id)
    if fastest is None:
        speeds = [
            (o.speed.output_tokens_per_s, p.id)
            for p in ctx.cat.providers_file.api_providers
            for o in p.offerings
            if o.model == model_id and o.speed is not None and o.speed.output_tokens_per_s
        ]
        own = ctx.cat.model(model_id).speed  # a per-model figure (basis model), where published
        if own is not None and own.output_tokens_per_s:
            speeds.append((own.output_tokens_per_s, "the model's own figure"))
        fastest = ctx.fastest_speed[model_id] = max(speeds, default=(0.0, ""))
    tps, where = fastest
    what = "this model"
    if not tps:
        # No speed published for the model at all: no model decodes faster than the fastest speed
        # published for any model in the catalogue, so that still bounds the time from below.
        tps, where = _fastest_anywhere(ctx)
        what = "any model in the catalogue"
    if not tps or hidden / tps * 1000.0 <= target:
        return []
    return [
        f"latency: {hidden:,.0f} reasoning tokens before the answer take {hidden / tps * 1000.0:,.0f} ms even at "
        f"the fastest speed published for {what} ({tps:,.0f} tokens/s at {where}), over {target:,.0f} ms"
    ]


def _fastest_anywhere(ctx: Context) -> tuple[float, str]:
    """The fastest output speed any offering or model of the catalogue publishes, with where."""
    hit = ctx.fastest_speed.get("")
    if hit is None:
        speeds = [
            (o.speed.output_tokens_per_s, f"{o.model}@{p.id}")
            for p in ctx.cat.providers_file.api_providers
            for o in p.offerings
            if o.speed is not None and o.speed.output_tokens_per_s
        ]
        speeds += [
            (m.speed.output_tokens_per_s, m.id)
            for m in ctx.cat.models.items.values()
            if m.speed is not None and m.speed.output_tokens_per_s
        ]
        hit = ctx.fastest_speed[""] = max(speeds, default=(0.0, ""))
    return hit
