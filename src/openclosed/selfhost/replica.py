"""One replica sized for a workload exactly as `compare` sizes it (`openclosed size` with a workload
or preset): the workload's latency targets, cached share, longest request and precisions.

`compare` chooses, per precision the workload accepts, the smallest replica that fits and meets
the latency targets (`selfhost.plans.plans`); this module reads those very plans, so the TTFT, TPOT
and batch it reports are the ones `compare` and `explain` report for the same replica.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from ..evaluation import Context, Settings
from ..workload.model import SECONDS_PER_MONTH
from .plans import max_tpot_ms as plans_max_tpot_ms
from .plans import plans, precision_violation, precisions_for, request_kwargs
from .sizing import plan_replica, works

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..catalog.schema import Gpu, Model
    from ..workload.model import Workload
    from .sizing import Sizing


def _latency_miss(s: Sizing, max_ttft_ms: float | None, max_tpot_ms: float | None) -> str | None:
    """Why a replica that fits misses the workload's latency targets (None: it meets them)."""
    if not s.fits:
        return None
    why = []
    if max_tpot_ms is not None and not s.meets_tpot:
        why.append(f"TPOT {s.tpot_ms:,.1f} ms exceeds {max_tpot_ms:g} ms (latency.min_output_tokens_per_s)")
    if max_ttft_ms is not None and s.ttft_ms > max_ttft_ms:
        why.append(f"time to first token {s.ttft_ms:,.0f} ms exceeds {max_ttft_ms:g} ms (latency.max_ttft_ms)")
    return "latency: " + "; ".join(why) if why else None


def _pick(wl: Workload, candidates: list[tuple[str, Sizing, bool]]) -> tuple[str, Sizing, bool]:
    """The plan compare's cost curve picks at the workload's volume when every GPU costs the same:
    one meeting the latency targets first, then the fewest GPUs for the replicas the peak needs
    (at least `min_replicas`), then fewer GPUs per replica; ties keep the first (the order of the
    model's precisions), as `SelfCurve.best` does."""
    rpm = wl.requests_per_month
    t = wl.traffic
    need = max(t.peak_rps(rpm), rpm / (SECONDS_PER_MONTH * t.hours_per_day / 24.0))
    cap_share = wl.self_hosting.utilisation_cap

    def key(c: tuple[str, Sizing, bool]) -> tuple[bool, float, int]:
        s = c[1]
        cap = s.requests_per_s * cap_share
        replicas = max(wl.min_replicas, math.ceil(need / cap - 1e-9)) if cap > 0 else math.inf
        return (not c[2], replicas * s.gpus, s.gpus)

    return min(candidates, key=key)


def size_for_workload(
    cat: Catalog,
    wl: Workload,
    model: Model,
    gpu: Gpu,
    precision: str | None = None,
    gpus: int | None = None,
    concurrency: int | None = None,
    max_tpot_ms: float | None = None,
) -> dict[str, Any]:
    """The `size` answer for a workload: compare's replica for `model` on `gpu` (at `precision`
    when given, else at the precision compare picks among the workload's), with `meets_latency`
    and, on a miss, the `reason`. `gpus`, `concurrency` and `max_tpot_ms` override as in `size`."""
    ctx = Context(cat, wl, Settings(samples=0))
    arch = model.architecture
    assert arch is not None
    lat = wl.latency
    tpot = max_tpot_ms if max_tpot_ms is not None else plans_max_tpot_ms(ctx)
    # The request's shape as compare sizes it: hidden reasoning tokens, cache dtype, speculation.
    shape = request_kwargs(ctx, ctx.reasoning(model).decoded(wl.traffic.output_tokens))
    if precision is not None:
        allowed = [precision]
    else:
        allowed = precisions_for(ctx, model)
        if not allowed:
            raise _no_precision(ctx, model)
    custom = gpus is not None or concurrency is not None or max_tpot_ms is not None
    candidates: list[tuple[str, Sizing, bool]] = []
    last: Sizing | None = None
    unfit: list[str] = []  # why each precision cannot run
    for p in allowed:
        if custom or precision is not None:
            s = plan_replica(
                model.id,
                arch,
                gpu,
                p,
                wl.traffic.input_tokens,
                wl.traffic.output_tokens,
                gpus=gpus,
                concurrency=concurrency,
                max_tpot_ms=tpot,
                max_ttft_ms=lat.max_ttft_ms,
                **shape,
            )
            last = s
            if s.fits:
                candidates.append((p, s, works(s, lat.max_ttft_ms)))
            else:
                unfit.append(f"{p}: {s.reason}")
        else:
            candidates.extend(c for c in plans(ctx, model, gpu.id) if c[0] == p)
    if candidates:
        _, s, ok = _pick(wl, candidates)
    else:
        # Nothing fits: the last precision tried, with the reason it cannot run.
        if last is None:
            last = plan_replica(
                model.id, arch, gpu, allowed[-1], wl.traffic.input_tokens, wl.traffic.output_tokens, **shape
            )
        s, ok = last, False
        if len(unfit) > 1:
            s.reason = "; ".join(unfit)
    data = s.report()
    data["meets_latency"] = bool(s.fits and ok)
    miss = _latency_miss(s, lat.max_ttft_ms, tpot)
    if miss is not None:
        data["reason"] = miss
    data["latency_targets"] = {"max_ttft_ms": lat.max_ttft_ms, "max_tpot_ms": tpot}
    data["precisions_considered"] = allowed
    return data


def _no_precision(ctx: Context, model: Model) -> Exception:
    from ..errors import InputError

    return InputError.one(precision_violation(ctx, model).removeprefix("precision: "), field="self_hosting.precisions")
