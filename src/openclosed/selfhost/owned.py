"""Owned servers as a finance team sees them: the price paid up front, its write-off, and the
people who keep the servers running (docs/methodology.md, "Owned servers").

An owned GPU costs, per hour: its purchase (new or used, with its server's share of the network
fabric) less what it sells for at the end of the write-off, spread over the write-off; power with
the server's overhead and the data centre's PUE; and hosting. The write-off runs over the
workload's horizon by default (the servers are sold when the workload ends), or over the
catalogue's useful life. The cash paid up front is the option's `capex`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..workload.model import HOURS_PER_MONTH

if TYPE_CHECKING:
    import datetime as dt

    from ..catalog.schema import OnPrem, OnPremGpu
    from ..workload.model import Workload

HOURS_PER_YEAR = 8760.0


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class OwnedTerms:
    """How the workload buys and writes off servers."""

    purchase: str  # "new" | "used"
    years: float  # write-off period
    residual: float  # share of the purchase price recovered at its end

    @property
    def label(self) -> str:
        return f"{self.purchase}, written off over {self.years:g} years, {self.residual:.0%} recovered at the end"


def terms(on_prem: OnPrem, wl: Workload) -> OwnedTerms:
    """The workload's purchase and write-off, with the catalogue's defaults."""
    need = wl.self_hosting.on_prem
    years = wl.horizon_months / 12.0 if need.write_off == "horizon" else on_prem.amortisation_years
    residual = need.residual_value if need.residual_value is not None else on_prem.residual_at(years)
    return OwnedTerms(need.purchase, years, round(residual, 6))


def entry_of(on_prem: OnPrem, gpu_id: str) -> OnPremGpu | None:
    return next((g for g in on_prem.gpus if g.gpu == gpu_id), None)


def price_of(on_prem: OnPrem, gpu_id: str, purchase: str) -> tuple[float, str, dt.date] | None:
    """(USD per GPU with its server and network share, source, as of) for a new or used server;
    None when the catalogue has no price of that kind (not sold new, or no used market price)."""
    entry = entry_of(on_prem, gpu_id)
    got = entry.price(purchase) if entry is not None else None
    if got is None:
        return None
    price, source, as_of = got
    return price + on_prem.network_usd_per_server / on_prem.gpus_per_server, source, as_of


def not_offered(gpu_name: str, purchase: str) -> str:
    """Why an owned GPU without a price of the kind asked for is not offered."""
    if purchase == "used":
        return (
            f"on-prem: the catalogue has no used-market price for {gpu_name} servers "
            "(self_hosting.on_prem.purchase: used)"
        )
    return (
        f"on-prem: {gpu_name} servers are no longer sold new (the catalogue has only a used price); "
        "set self_hosting.on_prem.purchase: used to price them used"
    )


def onprem_hourly(
    on_prem: OnPrem, gpu_id: str, power_w: float, owned: OwnedTerms | None = None
) -> tuple[float, dict[str, float]] | None:
    """USD per GPU-hour of an owned GPU and its parts: hardware (purchase less the residual value,
    over the write-off), power with overhead and PUE, hosting. Without `owned`: a new server over
    the catalogue's useful life. None when there is no price of that kind."""
    if owned is None:
        years = on_prem.amortisation_years
        owned = OwnedTerms("new", years, on_prem.residual_at(years))
    got = price_of(on_prem, gpu_id, owned.purchase)
    if got is None:
        return None
    hardware = got[0] * (1.0 - owned.residual) / (owned.years * HOURS_PER_YEAR)
    power = power_w / 1000.0 * (1.0 + on_prem.server_power_overhead) * on_prem.pue * on_prem.electricity_usd_per_kwh
    hosting = on_prem.hosting_usd_per_gpu_month / HOURS_PER_MONTH
    parts = {"hardware": hardware, "power": power, "hosting": hosting}
    return hardware + power + hosting, parts


def servers(on_prem: OnPrem, gpus: int) -> int:
    return math.ceil(gpus / on_prem.gpus_per_server - 1e-9) if gpus > 0 else 0


def capex(on_prem: OnPrem, gpu_id: str, gpus: int, purchase: str, multiplier: float = 1.0) -> float:
    """USD paid up front for the servers holding `gpus` GPUs and their network (0 without a price)."""
    got = price_of(on_prem, gpu_id, purchase)
    if got is None or gpus <= 0:
        return 0.0
    return round(servers(on_prem, gpus) * on_prem.gpus_per_server * got[0] * multiplier, 2)


def operations_terms(on_prem: OnPrem, wl: Workload) -> tuple[float, float]:
    """(engineers for any owned fleet, engineers per server): the 24/7 on-call rotation and the
    datacentre work of owned hardware, or the workload's `operations.on_prem_engineers` for both."""
    given = wl.operations.on_prem_engineers
    if given is not None:
        return given, 0.0
    return on_prem.on_call_engineers, on_prem.datacentre_engineers_per_server
