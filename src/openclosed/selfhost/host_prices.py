"""What a host charges for a GPU: the price a plan pays (region, commitment, spot, or the cost of
owning it), the workload's fleet rules, and the facts shared by every model on one GPU at one host."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from ..catalog.schema import GpuCloud, GpuOffer, OnPrem
from ..decide import constraints
from ..evaluation import Context
from . import owned
from .cost_curves import Fleet
from .gpu_prices import gpu_hourly
from .packing import Instance, instances

if TYPE_CHECKING:
    pass


def spot_prices(ctx: Context, host: GpuCloud | OnPrem, offers: list[GpuOffer]) -> list[tuple[GpuOffer, float]]:
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


# Records that nothing compares, prints or copies: plain classes rather than dataclasses, whose
# generated `__init__` is compiled from source when the module is imported (a start-up cost of
# every command).
class GpuPricing:
    """What one option pays per GPU-hour and why: the priced offers and the price that applies."""

    def __init__(
        self,
        priced: list[tuple[GpuOffer, float]],
        kind: str,
        pricing: str,
        region: str | None,
        source: str,
        as_of: Any,
        onprem_parts: dict[str, float] | None = None,
        warnings: list[str] | None = None,
        areas: tuple[str, ...] = (),
    ) -> None:
        self.priced = priced  # offers with their USD per GPU-hour (multipliers applied)
        self.kind = kind  # gpu_price_kind: on-demand | reserved | spot | on-prem
        self.pricing = pricing  # on-demand | 1y | 3y | spot | owned
        self.region, self.source, self.as_of, self.onprem_parts = region, source, as_of, onprem_parts
        self.warnings: list[str] = [] if warnings is None else warnings
        self.areas = areas  # residency areas the price that applies is stated for (empty: unknown)


@lru_cache(maxsize=1024)
def owned_offer(gpu_id: str, per_server: int, hourly: float) -> GpuOffer:
    """Owned GPUs as an offer of whole servers. Built without validation and once per price:
    resolving the model's default factories cost more than pricing the option."""
    # The list fields' factories are given their value here: pydantic inspects a default factory's
    # signature on each call (about 1 ms each); the fields set stays the four named.
    return GpuOffer.model_construct(
        {"gpu", "gpu_counts", "instance", "hourly_price"},
        gpu=gpu_id,
        gpu_counts=[per_server],
        instance="owned server",
        hourly_price=hourly,
        regions=[],
        regional_prices=[],
    )


def gpu_prices(
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
        offer = owned_offer(gpu_id, host.gpus_per_server, hp[0] * mult)
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


class HostGpu:
    """What every model's option on one GPU at one host shares: prices, spot prices, fleet rules,
    and the host's own violations and warnings (the catalogue has about 40 models per GPU)."""

    def __init__(
        self,
        pricing: GpuPricing | None,
        spot_priced: list[tuple[GpuOffer, float]],
        fleet: Fleet,
        violations: list[str],
        warnings: list[str],
        gpu: Any = None,
    ) -> None:
        self.pricing, self.spot_priced, self.fleet = pricing, spot_priced, fleet
        self.violations, self.warnings = violations, warnings
        self.gpu = gpu  # the catalogue's GPU entry
        self.menus: dict[int, tuple[tuple[Instance, ...], tuple[Instance, ...] | None]] = {}

    def menu(self, gpus: int, node_gpus: int) -> tuple[tuple[Instance, ...], tuple[Instance, ...] | None]:
        """The rentable instance shapes for a replica of `gpus` GPUs, on demand and on spot."""
        hit = self.menus.get(gpus)
        if hit is None:
            priced = self.pricing.priced if self.pricing is not None else []
            inst = tuple(instances(priced, gpus, node_gpus))
            spot = tuple(instances(self.spot_priced, gpus, node_gpus)) if self.spot_priced else None
            hit = self.menus[gpus] = (inst, spot)
        return hit


def host_gpu(ctx: Context, oid: str, host: GpuCloud | OnPrem, gpu_id: str, offers: list[GpuOffer]) -> HostGpu:
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
    pricing = gpu_prices(ctx, oid, host, gpu_id, offers)
    if wl.privacy.residency and not isinstance(host, OnPrem) and pricing is not None:
        # The region the option is priced in decides, not the cloud's regions for other GPUs.
        violations += constraints.self_residency(ctx, host.name, gpu, pricing.region, pricing.areas)
    if isinstance(host, GpuCloud) and host.tenancy == "marketplace":
        violations += constraints.self_marketplace(ctx, host.name)
    if pricing is None and isinstance(host, OnPrem):
        violations.append(owned.not_offered(gpu.name, wl.self_hosting.on_prem.purchase))
    spot_priced = spot_prices(ctx, host, offers)
    fl = fleet(ctx, host, gpu.max_gpus_per_node)
    warnings = spot_warnings(fl, host, gpu.name, spot_priced) if fl.spot != "off" else []
    hit = ctx.host_cache[key] = HostGpu(pricing, spot_priced, fl, violations, warnings, gpu)
    return hit


def no_price(host: str, gpu: str, region: str | None, commitment: str) -> str:
    """Why nothing is priced: the region named has no price, or the cloud publishes none of the
    kind the workload asks for (an offer with only committed prices, or only spot)."""
    what = {"1y": "1-year committed", "3y": "3-year committed"}.get(commitment, "on-demand")
    if region:
        return f"region: {host} has no {what} {gpu} price in {region}"
    return f"price: {host} publishes no {what} {gpu} price"


def spot_warnings(fl: Fleet, host: GpuCloud | OnPrem, gpu_name: str, spot_priced: list) -> list[str]:
    out = []
    if not spot_priced:
        out.append(f"spot: no published spot price for {gpu_name} at {host.id}; priced on demand")
    if fl.spot == "all":
        out.append(
            "spot: all replicas run on interruptible capacity; a reclaim interrupts interactive users "
            "(self_hosting.spot: all)"
        )
    return out
