"""An option reduced to its monthly cost as a function of volume.

The engine prices a self-hosted option through its `SelfCurve` at the workload's own peak rate,
and the sweep evaluates the very same object at thousands of other volumes, so a cost rule
added here holds for both. An API option's cost is linear in volume (`ApiCurve`).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from itertools import groupby

from .packing import Instance, packer
from .sizing import Sizing
from .workload import HOURS_PER_MONTH


class ApiCurve:
    """monthly cost = USD per request × requests, rounded to 1e-6 USD like the engine."""

    def __init__(self, per_request: float) -> None:
        self.per_request = per_request

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float]:
        k = self.per_request * 1e6  # round(x * 1e6) / 1e6: see SelfCurve._dense
        return [round(k * r) / 1e6 for r in rpms]

    def cost(self, rpm: float, peak: float) -> float:
        return round(self.per_request * rpm, 6)


class ConstCurve:
    """An option whose cost does not depend on volume (nothing fits: operations and setup only)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float]:
        return [self.value] * len(rpms)

    def cost(self, rpm: float, peak: float) -> float:
        return self.value


class Plan:
    """One precision/GPU-count plan of a self-hosted option: replicas and their price."""

    def __init__(
        self,
        cap: float,
        instances: tuple[Instance, ...],
        ok: bool,
        gpus: int,
        precision: str = "",
        sizing: Sizing | None = None,
    ) -> None:
        self.cap = cap  # requests/s one replica serves at the utilisation cap
        self.instances = instances
        self.ok = ok  # meets the latency targets
        self.gpus = gpus  # GPUs per replica
        self.precision = precision
        self.sizing = sizing
        self.packer = packer(instances)

    def replicas(self, peak: float) -> int:
        return max(1, math.ceil(peak / self.cap - 1e-9))

    def gpu_cost(self, replicas: int) -> float:
        return self.packer.hourly(replicas) * HOURS_PER_MONTH

    def runs(self, peaks: list[float]) -> list[tuple[int, int]]:
        """(end index, replicas) for each run of equal replica counts along sorted peaks."""
        n = len(peaks)
        cap = self.cap
        first, last = self.replicas(peaks[0]), self.replicas(peaks[-1])
        if last - first > n // 8:  # dense: nearly every point has its own count
            ceil = math.ceil
            reps = [max(1, ceil(p / cap - 1e-9)) for p in peaks]
            out, end = [], 0
            for r, group in groupby(reps):
                end += sum(1 for _ in group)
                out.append((end, r))
            return out
        out = []
        i = 0
        rep = self.replicas
        while i < n:
            r = rep(peaks[i])
            j = max(i + 1, bisect_right(peaks, (r + 1e-9) * cap, i + 1))
            while j > i + 1 and rep(peaks[j - 1]) != r:
                j -= 1
            while j < n and rep(peaks[j]) == r:
                j += 1
            out.append((j, r))
            i = j
        return out


class SelfCurve:
    """A self-hosted option as a step function of the peak request rate: the cheapest plan
    (a plan meeting the latency targets beats one that does not; ties go to fewer GPUs, then to
    the first plan) plus fixed operations and setup costs."""

    def __init__(self, plans: list[Plan], operations: float, setup: float) -> None:
        self.plans, self.operations, self.setup = plans, operations, setup

    def choose(self, peak: float) -> tuple[int, int] | None:
        """(index of the chosen plan, its replicas) at a peak rate; None when nothing can be rented."""
        best: tuple[tuple[bool, float, int], int, int] | None = None
        for i, plan in enumerate(self.plans):
            r = plan.replicas(peak)
            cost = plan.gpu_cost(r)
            if not math.isfinite(cost):
                continue
            key = (not plan.ok, cost, plan.gpus)
            if best is None or key < best[0]:
                best = (key, i, r)
        return None if best is None else (best[1], best[2])

    def _total(self, reps: tuple[int, ...], plans: list[Plan] | None = None) -> float:
        best = None
        for plan, r in zip(plans or self.plans, reps, strict=False):
            cost = plan.gpu_cost(r)
            if not math.isfinite(cost):
                continue
            key = (not plan.ok, cost, plan.gpus)
            if best is None or key < best:
                best = key
        assert best is not None
        # The engine's breakdown is rounded to 1e-6 USD and summed in the order gpus, operations, setup.
        return round(round(best[1], 6) + self.operations + self.setup, 6)

    def cost(self, rpm: float, peak: float) -> float:
        return self._total(tuple(p.replicas(peak) for p in self.plans))

    def cost_scaled(
        self, rpm: float, peak: float, cap_factor: float = 1.0, gpu_factor: float = 1.0, fixed_factor: float = 1.0
    ) -> float:
        """`cost` with each replica serving `cap_factor` × its estimated rate, GPU prices × `gpu_factor`
        and operations and setup × `fixed_factor` (uncertainty sampling and sensitivity)."""
        return self.costs_scaled([peak / cap_factor], None, [gpu_factor], [fixed_factor])[0]

    def costs_scaled(
        self,
        loads: list[float],
        scale: float | None = None,
        gpu_factors: list[float] | None = None,
        fixed_factors: list[float] | None = None,
        exact: bool = True,
    ) -> list[float]:
        """Monthly cost per entry of `loads`: the peak rate over the capacity multiplier of each
        scenario (times `scale` when given), GPU prices × `gpu_factors`, operations and setup ×
        `fixed_factors`.

        The plan is chosen per entry as in `choose` (meeting the latency targets first, then the
        lower cost, fewer GPUs, the first plan). With every factor 1 and `exact` the result is
        `cost` exactly (same rounding); `exact=False` skips the rounding to 1e-6 USD (sampling)."""
        n = len(loads)
        k = 1.0 if scale is None else scale
        lo, hi = min(loads) * k, max(loads) * k
        order = sorted(range(len(self.plans)), key=lambda i: (not self.plans[i].ok, self.plans[i].gpus, i))
        # Usually each plan needs the same replica count over the whole batch: one price per plan.
        if all(self.plans[i].replicas(lo) == self.plans[i].replicas(hi) for i in order):
            chosen = self.choose(lo)
            gpu_one = math.inf if chosen is None else self.plans[chosen[0]].gpu_cost(chosen[1])
            best = [gpu_one] * n
        else:
            best = self._best_per_entry(order, loads, k)
        ops, setup = self.operations, self.setup
        inf = math.inf
        if gpu_factors is not None:
            best = [b * g for b, g in zip(best, gpu_factors, strict=True)]
        if not exact:
            if fixed_factors is None:
                fixed = ops + setup
                return [b + fixed for b in best]
            return [b + (ops + setup) * f for b, f in zip(best, fixed_factors, strict=True)]
        if fixed_factors is None:
            return [inf if b == inf else round(round(b, 6) + ops + setup, 6) for b in best]
        return [
            inf if b == inf else round(round(b, 6) + ops * f + setup * f, 6)
            for b, f in zip(best, fixed_factors, strict=True)
        ]

    def gpu_costs_sorted(self, sorted_loads: list[float], scale: float) -> float | list[float]:
        """GPU cost per month along ascending loads (peak over capacity multiplier, × `scale`),
        without the 1e-6 USD rounding: runs of equal replica counts are priced once (sampling).
        A single number when it is the same all along."""
        n = len(sorted_loads)
        ceil, inf = math.ceil, math.inf
        lo, hi = sorted_loads[0] * scale, sorted_loads[-1] * scale
        spans = [(max(1, ceil(lo / p.cap - 1e-9)), max(1, ceil(hi / p.cap - 1e-9))) for p in self.plans]
        if any(b - a > n // 8 for a, b in spans):  # nearly every load its own replica count
            return self._dense_sorted(sorted_loads, scale)
        steps_ok: list[list[tuple[int, float]]] = []
        steps_late: list[list[tuple[int, float]]] = []  # plans that miss the latency targets
        for plan, (r, r_hi) in zip(self.plans, spans, strict=True):
            cap = plan.cap
            steps: list[tuple[int, float]] = []
            i = 0
            while r < r_hi:
                # Loads up to r × capacity need r replicas.
                j = bisect_right(sorted_loads, (r + 1e-9) * cap / scale, i)
                if j > i:
                    steps.append((j, plan.gpu_cost(r)))
                    i = j
                r = max(r + 1, ceil(sorted_loads[i] * scale / cap - 1e-9)) if i < n else r_hi
            steps.append((n, plan.gpu_cost(r_hi)))
            (steps_ok if plan.ok else steps_late).append(steps)
        merged = _lower_envelope(steps_ok) if steps_ok else None
        if merged is None or any(c == inf for _, c in merged):
            late = _lower_envelope(steps_late) if steps_late else [(n, inf)]
            merged = late if merged is None else _fill_inf(merged, late)
        if len(merged) == 1:
            return merged[0][1]
        out: list[float] = []
        start = 0
        for end, c in merged:
            out.extend([c] * (end - start))
            start = end
        return out

    def _dense_sorted(self, loads: list[float], scale: float) -> list[float]:
        ceil, inf, hpm = math.ceil, math.inf, HOURS_PER_MONTH
        ok_lists, late_lists = [], []
        for plan in self.plans:
            cap = plan.cap
            hourly = plan.packer.hourly_many([max(1, ceil(x * scale / cap - 1e-9)) for x in loads])
            (ok_lists if plan.ok else late_lists).append([h * hpm for h in hourly])
        best = _pointwise_min(ok_lists)
        if best is None or inf in best:
            late = _pointwise_min(late_lists) or [inf] * len(loads)
            best = late if best is None else [b if b != inf else f for b, f in zip(best, late, strict=True)]
        return best

    def _best_per_entry(self, order: list[int], loads: list[float], k: float) -> list[float]:
        n = len(loads)
        best: list[float] = [math.inf] * n
        best_ok: list[bool] = [False] * n
        ceil, inf, hpm = math.ceil, math.inf, HOURS_PER_MONTH
        for i in order:
            plan = self.plans[i]
            cap = plan.cap
            hourly = plan.packer.hourly_many([max(1, ceil(x * k / cap - 1e-9)) for x in loads])
            ok = plan.ok
            for j in range(n):
                c = hourly[j] * hpm
                # A plan meeting the targets is never displaced by one that does not.
                if c < best[j] and c != inf and (ok or not best_ok[j]):
                    best[j] = c
                    best_ok[j] = ok
        return best

    def costs(self, rpms: list[float], peaks: list[float]) -> list[float]:
        live = [p for p in self.plans if p.ok] or self.plans
        n = len(peaks)
        spread = sum(min(n, p.replicas(peaks[-1]) - p.replicas(peaks[0]) + 1) for p in live)
        if spread > n // 6 and len(live) <= 2:
            return self._dense(live, peaks)
        all_runs = [p.runs(peaks) for p in live]
        if len(all_runs) == 1:
            out: list[float] = []
            start = 0
            for end, r in all_runs[0]:
                out.extend([self._total((r,), live)] * (end - start))
                start = end
            return out
        ends = sorted({end for runs in all_runs for end, _ in runs})
        pos = [0] * len(all_runs)
        out = []
        start = 0
        for end in ends:
            reps = []
            for k, runs in enumerate(all_runs):
                while runs[pos[k]][0] < end:
                    pos[k] += 1
                reps.append(runs[pos[k]][1])
            out.extend([self._total(tuple(reps), live)] * (end - start))
            start = end
        return out

    def _dense(self, live: list[Plan], peaks: list[float]) -> list[float]:
        """Point by point, for ranges where nearly every point needs its own replica count."""
        gpu = [_dense_gpu_costs(p, peaks) for p in live]
        if len(gpu) == 1:
            best = gpu[0]
        else:
            (a_costs, b_costs), (ga, gb) = gpu, (live[0].gpus, live[1].gpus)
            if ga <= gb:  # ties of cost go to fewer GPUs, then to the first plan
                best = [a if a <= b else b for a, b in zip(a_costs, b_costs, strict=False)]
            else:
                best = [a if a < b else b for a, b in zip(a_costs, b_costs, strict=False)]
        ops, setup = self.operations, self.setup
        # round(x * 1e6) / 1e6 is round(x, 6) except within an ulp of a half-micro-dollar tie,
        # and several times faster; a tie moves the result by 1e-6 USD, the engine's resolution.
        return [round((round(g * 1e6) / 1e6 + ops + setup) * 1e6) / 1e6 for g in best]


def _dense_gpu_costs(plan: Plan, peaks: list[float]) -> list[float]:
    ceil, cap, hpm = math.ceil, plan.cap, HOURS_PER_MONTH
    hourly = plan.packer.hourly_many([ceil(p / cap - 1e-9) or 1 for p in peaks])
    return [h * hpm for h in hourly]


def _lower_envelope(all_steps: list[list[tuple[int, float]]]) -> list[tuple[int, float]]:
    """The pointwise minimum of step functions given as (end index, value) runs."""
    if len(all_steps) == 1:
        return all_steps[0]
    ends = sorted({end for steps in all_steps for end, _ in steps})
    pos = [0] * len(all_steps)
    out: list[tuple[int, float]] = []
    for end in ends:
        best = math.inf
        for k, steps in enumerate(all_steps):
            while steps[pos[k]][0] < end:
                pos[k] += 1
            v = steps[pos[k]][1]
            if v < best:
                best = v
        if out and out[-1][1] == best:
            out[-1] = (end, best)
        else:
            out.append((end, best))
    return out


def _fill_inf(steps: list[tuple[int, float]], late: list[tuple[int, float]]) -> list[tuple[int, float]]:
    """Where no plan meeting the targets can be rented, the best plan that misses them."""
    both = _lower_envelope([[(e, 0.0 if v != math.inf else 1.0) for e, v in steps], late])  # ends only
    out = []
    for end, _ in both:
        v = next(v for e, v in steps if e >= end)
        if v == math.inf:
            v = next(v for e, v in late if e >= end)
        out.append((end, v))
    return out


def _pointwise_min(lists: list[list[float]]) -> list[float] | None:
    if not lists:
        return None
    out = lists[0]
    for other in lists[1:]:
        out = list(map(min, out, other))
    return out
