"""An API offering as an option: its token price for the workload and the checks it must pass."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..decide import constraints
from ..evaluation import UNSCORED, Context, Detail
from ..report import OptionOut, construct
from ..workload.customisation import active
from .fine_tuning import api_tuning, tuned_offering
from .pricing import price_api
from .speed import api_speed_out, speed_checks, speed_of

if TYPE_CHECKING:
    from ..catalog.schema import ApiProvider, Offering


def api_option(ctx: Context, provider: ApiProvider, offering: Offering) -> tuple[OptionOut, Detail]:
    model = ctx.cat.model(offering.model)
    oid = f"{model.id}@{provider.id}"
    cost = price_api(provider, offering, ctx.wl, ctx.today)
    custom = active(ctx.wl.customisation)
    tuning = api_tuning(provider, offering, custom) if custom is not None else None
    if tuning is not None and tuning.priced:
        cost = price_api(provider, tuned_offering(offering, tuning), ctx.wl, ctx.today)
    mv, mw = constraints.model_constraints(ctx, model, api=True)
    pv, pw = constraints.api_privacy(ctx, provider, offering)
    ov, ow = constraints.offering_lifecycle(ctx, oid, model, provider, offering)
    lv, unchecked = speed_checks(offering, ctx.wl, model)
    if unchecked:
        ctx.latency_unchecked.add(oid)
    violations = [*mv, *ov, *pv, *constraints.api_limits(ctx, model, offering), *lv]
    warnings = [
        *mw,
        *ow,
        *pw,
        *constraints.stale_price(ctx, oid, f"{offering.model} at {provider.id}", offering.as_of),
        *constraints.stale_speed(ctx, f"{offering.model} at {provider.id}", speed_of(offering, model)),
    ]
    # A model or offering its provider has shut down cannot be called at all: no cost, not a real one.
    monthly = None if model.id in ctx.shut_down or oid in ctx.retired else cost.monthly_cost
    breakdown = dict(cost.breakdown) if monthly is not None else {}
    if tuning is not None and custom is not None:
        violations += tuning.violations
        warnings += tuning.warnings
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
        quality_index=model.quality.index if model.quality else None,
        quality_estimated=bool(model.quality and model.quality.estimated),
        monthly_cost=monthly,
        monthly_cost_low=None,
        monthly_cost_high=None,
        cost_per_million_tokens=ctx.per_million(monthly),
        cost_breakdown=breakdown,
        unit_prices=cost.unit_prices,
        self_hosting=None,
        feasible=not violations,
        violations=violations,
        warnings=warnings,
        scores=UNSCORED,
        reasons=[],
        rank=None,
        api_speed=api_speed_out(offering, ctx.wl, unchecked, model),
        customisation=custom.method if tuning is not None and custom is not None and tuning.priced else None,
    )
    if out.customisation is not None and tuning is not None:
        # The first run as a one-off amount: shown, not part of the monthly total.
        breakdown["first_training_run"] = tuning.per_run
    return out, Detail(model=model, api=cost, provider=provider, offering=offering, tuning=tuning)
