"""A tuned model that its API provider serves only on dedicated deployments, priced as a fleet
(docs/methodology.md, "Fine-tuning"): the replicas the workload's peak needs, sized exactly as
a self-hosted fleet of the model on that GPU (`selfhost.options.plans`, at the utilisation cap,
at least one replica), times the provider's own GPU-hour price. The provider runs the fleet: no
token charges and no engineers; the GPU with the cheapest fleet is the one priced.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..selfhost.options import plans
from ..workload.model import HOURS_PER_MONTH, SECONDS_PER_MONTH

if TYPE_CHECKING:
    from ..catalog.schema import DedicatedPrices, Model
    from ..evaluation import Context


@dataclass(frozen=True)
class DedicatedFleet:
    """The cheapest dedicated deployment that serves the workload, or why none does (`reason`)."""

    gpu: str = ""
    precision: str = ""
    gpus_per_replica: int = 0
    replicas: int = 0
    hourly_per_gpu: float = 0.0  # provider multiplier applied
    monthly: float = 0.0
    requests_per_s: float = 0.0  # one replica's capacity, before the utilisation cap
    reason: str = ""

    @property
    def gpus(self) -> int:
        return self.replicas * self.gpus_per_replica


def peak_need(ctx: Context) -> float:
    """Requests a second the fleet must carry: the interactive peak, or the month's requests over
    the serving hours when that is higher (as the self-hosted sizing takes it)."""
    wl = ctx.wl
    rpm = wl.requests_per_month
    return max(wl.traffic.peak_rps(rpm), rpm / (SECONDS_PER_MONTH * wl.traffic.hours_per_day / 24.0))


def dedicated_fleet(ctx: Context, model: Model, prices: DedicatedPrices, multiplier: float) -> DedicatedFleet:
    """The cheapest fleet over the provider's GPUs and the workload's precisions, meeting the
    latency targets; a reason when the model fits none of them or misses the targets on all."""
    need = peak_need(ctx)
    cap_share = ctx.wl.self_hosting.utilisation_cap
    best: DedicatedFleet | None = None
    fits_somewhere = False
    for gpu_id, hourly in prices.hourly_per_gpu.items():
        for precision, s, meets in plans(ctx, model, gpu_id):
            fits_somewhere = True
            cap = s.requests_per_s * cap_share
            if not meets or cap <= 0:
                continue
            replicas = max(1, math.ceil(need / cap - 1e-9))
            price = hourly * multiplier
            monthly = round(replicas * s.gpus * price * HOURS_PER_MONTH, 6)
            if best is None or monthly < best.monthly:
                best = DedicatedFleet(gpu_id, precision, s.gpus, replicas, price, monthly, s.requests_per_s)
    if best is not None:
        return best
    gpus = ", ".join(prices.hourly_per_gpu)
    if fits_somewhere:
        return DedicatedFleet(reason=f"no dedicated deployment of {model.name} on {gpus} meets the latency targets")
    return DedicatedFleet(reason=f"{model.name} fits no dedicated deployment on {gpus} at an accepted precision")
