"""The GPU-hour price a team actually pays: region, commitment and spot.

A cloud's GPU offer carries a list price (`hourly_price`, on demand, and `reserved_hourly_price`, one
year) and, for the hyperscalers, `regional_prices`: per region its on-demand, 1-year, 3-year and spot
prices, each with source and date. `gpu_hourly` picks the one price a plan pays:

- region: the one asked for, else the cheapest region whose residency area the workload allows
  (an empty residency list allows every region);
- spot: the spot price where one is published for the region; else the commitment below;
- commitment: "1y" / "3y" pay the committed rate for the whole term. When the term is longer than
  the plan's horizon the whole term is still paid, spread over the horizon:
  effective = rate × term_months / horizon_months (a 3-year rate of $2 over a 12-month horizon
  costs $6 per hour used). Where no committed rate is published, the on-demand price is used;
- the cloud's `price_multiplier` (a negotiated discount) applies to every price.

Pure: no I/O, no engine imports.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

Commitment = Literal["none", "1y", "3y"]
PricingKind = Literal["on-demand", "1y", "3y", "spot"]
TERM_MONTHS = {"1y": 12.0, "3y": 36.0}


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class _Row:
    """One catalogue price row of a GPU at a cloud, with its region and residency areas."""

    region: str | None
    areas: tuple[str, ...]  # residency areas this price is stated for (lower case; empty: unknown)
    on_demand: float | None
    c1y: float | None
    c3y: float | None
    spot: float | None
    source: str
    as_of: dt.date


@dataclass(frozen=True, eq=False, repr=False)
class GpuPrice:
    """The GPU-hour price chosen for an option, with its region, kind, source and date."""

    usd_per_gpu_hour: float
    region: str | None
    pricing_kind: PricingKind
    source: str
    as_of: dt.date
    areas: tuple[str, ...] = ()  # residency areas the price is stated for; empty: unknown

    def __iter__(self):  # (usd_per_gpu_hour, region, pricing_kind, source, as_of)
        return iter((self.usd_per_gpu_hour, self.region, self.pricing_kind, self.source, self.as_of))


# An offer's rows by (offer, cloud), kept inside `reusing()` only (traffic classes price the same
# offers in every class; outside, a test may edit an offer in place). The objects are kept with
# their entry, so their ids cannot be reused.
_ROWS: dict[tuple[int, int], tuple[Any, Any, list[_Row]]] = {}


def _rows(offer: Any, cloud: Any) -> list[_Row]:
    """The prices `offer` states at `cloud`, one row per region (callers only read them)."""
    from .sizing.step import REUSED_CACHES, REUSED_MAX, reuse_on

    if not reuse_on():
        return _rows_of(offer, cloud)
    key = (id(offer), id(cloud))
    hit = _ROWS.get(key)
    if hit is not None and hit[0] is offer and hit[1] is cloud:
        return hit[2]
    if not any(cache is _ROWS for cache in REUSED_CACHES):
        REUSED_CACHES.append(_ROWS)  # emptied when `reusing()` ends
    if len(_ROWS) >= REUSED_MAX:
        _ROWS.clear()
    rows = _rows_of(offer, cloud)
    _ROWS[key] = (offer, cloud, rows)
    return rows


def _rows_of(offer: Any, cloud: Any) -> list[_Row]:
    rows = [
        _Row(r.region, (r.area.lower(),), r.hourly_price, r.committed_1y, r.committed_3y, r.spot, r.source, r.as_of)
        for r in getattr(offer, "regional_prices", None) or []
    ]
    if not rows:
        # An offer without regional prices: its list price, stated for the regions the offer
        # lists; an offer that lists none has the cloud's price for the cloud's regions.
        areas = getattr(offer, "regions", None) or getattr(cloud, "regions", None) or []
        rows.append(
            _Row(
                None,
                tuple(a.lower() for a in areas),
                offer.hourly_price,
                offer.reserved_hourly_price,
                None,
                getattr(offer, "spot_hourly_price", None),
                offer.source,
                offer.as_of,
            )
        )
    return rows


def allowed(areas: tuple[str, ...], residency: list[str]) -> bool:
    """A price stated for `areas` may be used under `residency` (an empty list allows any area;
    an unknown area is allowed only then)."""
    if not residency:
        return True
    return "global" in areas or bool(set(areas) & {r.lower() for r in residency})


def _price(row: _Row, commitment: Commitment, spot: bool, horizon_months: float) -> tuple[float, PricingKind] | None:
    if spot and row.spot is not None:
        return row.spot, "spot"
    if commitment in TERM_MONTHS:
        rate = row.c1y if commitment == "1y" else row.c3y
        if rate is not None:
            term = TERM_MONTHS[commitment]
            spread = max(1.0, term / horizon_months) if horizon_months > 0 else 1.0
            return rate * spread, commitment  # type: ignore[return-value]
    if row.on_demand is not None:
        return row.on_demand, "on-demand"
    return None


def gpu_hourly(
    offer: Any,
    cloud: Any,
    region: str | None,
    residency: list[str],
    commitment: Commitment = "none",
    spot: bool = False,
    horizon_months: float = 12.0,
) -> GpuPrice | None:
    """The USD per GPU-hour one plan pays on `offer` at `cloud`, or None when no allowed region prices it.

    Unpacks as (usd_per_gpu_hour, region, pricing_kind, source, as_of); `region` is None for an offer
    that has only a list price. Ties between regions go to the first listed.
    """
    if commitment not in ("none", "1y", "3y"):
        raise ValueError(f"commitment must be none, 1y or 3y, not {commitment!r}")
    mult = float(getattr(cloud, "price_multiplier", 1.0) or 1.0)
    best: GpuPrice | None = None
    for row in _rows(offer, cloud):
        if region is not None and (row.region or "").lower() != region.lower():
            continue
        if region is None and not allowed(row.areas, residency):
            continue
        picked = _price(row, commitment, spot, horizon_months)
        if picked is None:
            continue
        value, kind = picked
        candidate = GpuPrice(round(value * mult, 6), row.region, kind, row.source, row.as_of, row.areas)
        if best is None or candidate.usd_per_gpu_hour < best.usd_per_gpu_hour:
            best = candidate
    return best
