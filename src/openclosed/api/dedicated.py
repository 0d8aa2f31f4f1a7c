"""A tuned model that its API provider serves only on dedicated deployments, priced as a fleet
(docs/methodology.md, "Fine-tuning"): the replicas the workload's peak needs, sized exactly as
a self-hosted fleet of the model on that GPU (`selfhost.plans.plans`, at the utilisation cap,
at least one replica), times the provider's own GPU-hour price. The provider runs the fleet: no
token charges and no engineers; the GPU with the cheapest fleet is the one priced. Its latency
is that replica's estimate too: the provider's serverless endpoint, with its published speed, is
not what serves the tuned model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..selfhost.cost_curves import FleetCurve
from ..selfhost.plans import plans

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
    ttft_ms: float = 0.0  # the priced replica's estimated time to first token at the workload's prompt
    tokens_per_s: float = 0.0  # and its estimated output tokens/s per stream
    reason: str = ""
    curve: FleetCurve | None = None  # the fleet's cost at other volumes (sweep, sampled scenarios)

    @property
    def gpus(self) -> int:
        return self.replicas * self.gpus_per_replica


def dedicated_fleet(ctx: Context, model: Model, prices: DedicatedPrices, multiplier: float) -> DedicatedFleet:
    """The cheapest fleet over the provider's GPUs and the workload's precisions, meeting the
    latency targets; a reason when the model fits none of them or misses the targets on all."""
    wl = ctx.wl
    cap_share = wl.self_hosting.utilisation_cap
    rows: list[tuple[str, str, float, int, float]] = []  # gpu, precision, requests/s, GPUs, USD per GPU-hour
    latency: list[tuple[float, float]] = []  # each row's replica: TTFT ms, output tokens/s per stream
    fits_somewhere = False
    for gpu_id, hourly in prices.hourly_per_gpu.items():
        for precision, s, meets in plans(ctx, model, gpu_id):
            fits_somewhere = True
            if meets and s.requests_per_s > 0:
                rows.append((gpu_id, precision, s.requests_per_s, s.gpus, hourly * multiplier))
                latency.append((s.ttft_ms, s.per_stream_tokens_per_s))
    if not rows:
        gpus = ", ".join(prices.hourly_per_gpu)
        if fits_somewhere:
            return DedicatedFleet(reason=f"no dedicated deployment of {model.name} on {gpus} meets the latency targets")
        return DedicatedFleet(reason=f"{model.name} fits no dedicated deployment on {gpus} at an accepted precision")
    curve = FleetCurve(tuple((r[2] * cap_share, r[3], r[4]) for r in rows), wl.traffic.hours_per_day)
    rpm = wl.requests_per_month
    i, replicas, monthly = curve.pick(rpm, wl.traffic.peak_rps(rpm))
    gpu, precision, rps, gpus, hourly = rows[i]
    ttft, tps = latency[i]
    return DedicatedFleet(gpu, precision, gpus, replicas, hourly, monthly, rps, ttft, tps, curve=curve)
