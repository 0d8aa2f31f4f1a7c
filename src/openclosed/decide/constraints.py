"""Constraint checks: one function per family, each returning violations and warnings as text.

A violation rules an option out; a warning travels with it. The facts a later stage needs (a
model shutting down within the horizon, a stale price) are recorded on the context as data,
never recovered from the message text.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from ..evaluation import Context

if TYPE_CHECKING:
    from ..catalog.schema import ApiProvider, Gpu, Model, Offering
    from ..selfhost.sizing import Sizing

Found = tuple[list[str], list[str]]  # (violations, warnings)


def model_constraints(ctx: Context, model: Model, api: bool) -> Found:
    """Licence, context window (self-hosted), quality floor and lifecycle: the same for every
    option of a model (hundreds of self-hosted ones), so computed once per model and kind."""
    key = (model.id, not api)
    hit = ctx.constraint_cache.get(key)
    if hit is None:
        v: list[str] = []
        w: list[str] = []
        _licence(ctx, model, v)
        if not api:
            _context_window(ctx, model.context_window, v)
        _quality(ctx, model, v)
        _lifecycle(ctx, model, v, w)
        warning = ctx.reasoning(model).warning
        if warning:
            w.append(warning)
        hit = ctx.constraint_cache[key] = (v, w)
    return hit


def _licence(ctx: Context, model: Model, violations: list[str]) -> None:
    wl = ctx.wl
    lic = ctx.cat.licence(model.licence)
    if lic.mau_limit is not None and wl.licence.monthly_active_users > lic.mau_limit:
        violations.append(
            f"licence: {lic.name} needs a separate licence above {lic.mau_limit:,} monthly "
            f"active users (workload: {wl.licence.monthly_active_users:,})"
        )
    if wl.licence.commercial and not lic.commercial_use:
        violations.append(f"licence: {lic.name} does not permit commercial use")
    if lic.eu_multimodal_exclusion and wl.licence.eu_company and set(model.modalities) - {"text"}:
        violations.append(f"licence: {lic.name} grants no rights for multimodal models to EU-domiciled companies")


def _context_window(ctx: Context, window: int, violations: list[str]) -> None:
    need = ctx.wl.traffic.context_tokens_value
    if need > window:
        violations.append(f"context: {need:,.0f}-token requests exceed the {window:,}-token window")


def _quality(ctx: Context, model: Model, violations: list[str]) -> None:
    floor = ctx.wl.quality.min_score
    plan = ctx.reasoning(model)
    q = plan.quality
    if floor > 0:
        if q is None:
            violations.append("quality: no quality index in the catalogue")
        elif q < floor:
            at = f" (reasoning {plan.mode})" if model.reasoning is not None else ""
            violations.append(f"quality: index {q:g}{at} is below the floor {floor:g}")


def _lifecycle(ctx: Context, model: Model, violations: list[str], warnings: list[str]) -> None:
    today, wl = ctx.today, ctx.wl
    if model.shutdown_date is not None:
        if model.shutdown_date <= today:
            violations.append(f"lifecycle: {model.name} was shut down on {model.shutdown_date}")
            ctx.shut_down.add(model.id)
            return
        horizon_end = today + dt.timedelta(days=round(wl.horizon_months * 30.4375))
        if model.shutdown_date <= horizon_end:
            days = (model.shutdown_date - today).days
            ctx.expiring.add(model.id)
            warnings.append(
                f"lifecycle: {model.name} shuts down on {model.shutdown_date} "
                f"(in {days} days, inside the {wl.horizon_months:g}-month horizon)"
            )
    elif model.deprecation_date is not None and model.deprecation_date <= today:
        warnings.append(f"lifecycle: {model.name} is deprecated since {model.deprecation_date}")


def offering_lifecycle(
    ctx: Context, option_id: str, model: Model, provider: ApiProvider, offering: Offering, dedicated: bool = False
) -> Found:
    """The offering's own retirement: a provider can stop serving a model that others still serve.

    Read like the model's dates; a model already shut down says so itself, so it is not repeated.
    `dedicated`: the option is a tuned model on the provider's dedicated deployment, which the
    dates of its shared (serverless) endpoint do not bind; they are only mentioned."""
    if model.id in ctx.shut_down:
        return [], []
    today = ctx.today
    where = f"{model.name} at {provider.name}"
    instead = f"; the provider points to {offering.replacement}" if offering.replacement else ""
    if dedicated:
        ended = next(
            (
                f"{what} on {day}"
                for what, day in (("retired", offering.shutdown_date), ("deprecated", offering.deprecation_date))
                if day is not None and day <= today
            ),
            None,
        )
        if ended is None:
            return [], []
        return [], [
            f"lifecycle: the serverless {where} was {ended}; the tuned model runs on a dedicated deployment, "
            "which that does not end"
        ]
    if offering.shutdown_date is not None:
        if offering.shutdown_date <= today:
            ctx.retired.add(option_id)
            return [f"lifecycle: {where} was retired on {offering.shutdown_date}{instead}"], []
        horizon_end = today + dt.timedelta(days=round(ctx.wl.horizon_months * 30.4375))
        if offering.shutdown_date <= horizon_end:
            ctx.expiring.add(option_id)
            days = (offering.shutdown_date - today).days
            return [], [
                f"lifecycle: {where} is retired on {offering.shutdown_date} "
                f"(in {days} days, inside the {ctx.wl.horizon_months:g}-month horizon){instead}"
            ]
    if offering.deprecation_date is not None and offering.deprecation_date <= today:
        return [], [f"lifecycle: {where} is deprecated since {offering.deprecation_date}{instead}"]
    return [], []


def region_ok(region: str, residency: list[str], offering_regions: list[str]) -> bool:
    region = region.lower()
    pool = {r.lower() for r in residency}
    if region not in pool:
        return False
    return not offering_regions or region in {r.lower() for r in offering_regions} or "global" in offering_regions


def api_privacy(ctx: Context, provider: ApiProvider, offering: Offering) -> Found:
    """Third parties, residency, retention for regulated data, training on prompts."""
    wl = ctx.wl
    p = provider.privacy
    violations: list[str] = []
    warnings: list[str] = []
    if not wl.privacy.allow_third_party:
        violations.append(
            f"privacy: prompts would be processed by {provider.name}; the workload forbids "
            "third parties (privacy.allow_third_party: false)"
        )
    missing = [r for r in wl.privacy.residency if not region_ok(r, p.residency, offering.regions)]
    if missing:
        # Name the cause: the provider as a whole, or only this offering's regions.
        pool = {r.lower() for r in p.residency}
        by_provider = [r for r in missing if r.lower() not in pool]
        by_offering = [r for r in missing if r.lower() in pool]
        if by_provider:
            violations.append(f"residency: {provider.name} cannot keep processing in {', '.join(by_provider)}")
        if by_offering:
            violations.append(
                f"residency: {offering.model} at {provider.name} is offered only in "
                f"{', '.join(offering.regions)}, not in {', '.join(by_offering)}"
            )
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
    return violations, warnings


def api_limits(ctx: Context, model: Model, offering: Offering) -> list[str]:
    """The offering's context window and output limit."""
    wl = ctx.wl
    violations: list[str] = []
    _context_window(ctx, min(model.context_window, offering.context_window or model.context_window), violations)
    max_out = offering.max_output_tokens or model.max_output_tokens
    if max_out and wl.traffic.output_tokens > max_out:
        violations.append(f"output: {wl.traffic.output_tokens:,.0f} output tokens exceed the {max_out:,} limit")
    return violations


def self_residency(ctx: Context, host_name: str, gpu: Gpu, region: str | None, areas: tuple[str, ...]) -> list[str]:
    """A self-hosted option runs where it is priced: that region must be in an allowed area. A
    list price with no region of its own holds where the offer (else the cloud) states it."""
    from ..selfhost.gpu_prices import allowed

    wanted = ", ".join(ctx.wl.privacy.residency)
    if not areas:
        return [f"residency: region unknown: {host_name} states no region for its {gpu.name} price (allowed: {wanted})"]
    if allowed(areas, ctx.wl.privacy.residency):
        return []
    where = f"{region} ({', '.join(areas)})" if region else ", ".join(areas)
    return [f"residency: {host_name} prices {gpu.name} only in {where}, not in {wanted}"]


def self_marketplace(ctx: Context, host_name: str) -> list[str]:
    """GPUs of a marketplace belong to third-party hosts who control the machines: not for
    regulated data, nor for a workload that forbids third parties."""
    p = ctx.wl.privacy
    if p.sensitivity == "regulated" or not p.allow_third_party:
        why = "the data is regulated" if p.sensitivity == "regulated" else "the workload forbids third parties"
        return [f"privacy: {host_name} is a marketplace whose machines belong to third-party hosts; {why}"]
    return []


def self_latency(ctx: Context, s: Sizing, gpu: Gpu) -> list[str]:
    """Why the best self-hosted plan misses the latency targets."""
    lat = ctx.wl.latency
    out = []
    # Per stream against the workload's own target (the batch may have been chosen for a tighter
    # one, so that hidden reasoning tokens fit the TTFT target).
    if lat.min_output_tokens_per_s and not s.meets_tpot and s.per_stream_tokens_per_s < lat.min_output_tokens_per_s:
        out.append(
            f"latency: at most {s.per_stream_tokens_per_s:.1f} tokens/s per stream on up to "
            f"{s.gpus}× {gpu.name}; the workload needs {lat.min_output_tokens_per_s:g}"
        )
    if lat.max_ttft_ms and s.ttft_ms > lat.max_ttft_ms:
        out.append(f"latency: time to first token {s.ttft_ms:,.0f} ms exceeds {lat.max_ttft_ms:g} ms")
    return out


def stale_price(ctx: Context, option_id: str, what: str, as_of: dt.date) -> list[str]:
    """A price older than the staleness limit: a warning, and the option recorded as stale."""
    age = ctx.age_if_stale(as_of)
    if not age:
        return []
    ctx.stale.add(option_id)
    return [f"price of {what} is {age} days old (as of {as_of})"]


SPEED_STALE_DAYS = 180  # speeds move more slowly than prices; the limit for a measured speed


def stale_speed(ctx: Context, what: str, speed: Any) -> list[str]:
    """A speed figure older than SPEED_STALE_DAYS (or the price limit, if that is longer): a warning;
    the figure is still used."""
    if speed is None:
        return []
    age = (ctx.today - speed.as_of).days
    if age <= max(SPEED_STALE_DAYS, ctx.st.stale_days):
        return []
    basis = " (the model's figure)" if getattr(speed, "basis", "provider") == "model" else ""
    return [f"speed: figure for {what}{basis} is {age} days old (as of {speed.as_of})"]
