"""Each option's monthly cost in every scenario of a batch (`Costs`), and what it reads: the
batch's input values (`Scenarios`) and each option reduced to what a scenario changes (`Entry`).

`scenarios.Frame` builds the entries and draws the batches; this module prices them, lazily, with
the lower bounds that let the frame skip options that cannot come first.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from .uncertainty import Group

if TYPE_CHECKING:
    from typing import Protocol

    from ..report import OptionOut

    class Entries(Protocol):
        """What `Costs` reads of a frame (`scenarios.Frame`): its entries, some built when first
        asked. For the type checker only: no class is built at import."""

        entries: list[Entry]

        def entry(self, i: int) -> Entry: ...


# Records that nothing compares, prints or copies: plain classes rather than dataclasses, whose
# generated `__init__` is compiled from source when the module is imported (a start-up cost of
# every command).
class Scenarios:
    """A batch of n scenarios: each input's value per scenario (missing inputs stay at base)."""

    def __init__(
        self,
        n: int,
        traffic: list[float] | None = None,
        peak: list[float] | None = None,
        sizing: dict[Group, list[float]] | None = None,
        drift: dict[str, list[float]] | None = None,
        quality: dict[str, list[float]] | None = None,
        gpu_price: list[float] | None = None,
        engineer: list[float] | None = None,
        purchase: list[float] | None = None,
        operations: list[float] | None = None,
    ) -> None:
        self.n = n
        self.traffic = traffic  # volume multiplier
        self.peak = peak  # peak-rate multiplier (utilisation)
        self.sizing: dict[Group, list[float]] = {} if sizing is None else sizing  # throughput multiplier
        self.drift: dict[str, list[float]] = {} if drift is None else drift  # standard-normal drift per provider
        self.quality: dict[str, list[float]] = {} if quality is None else quality  # quality index per model
        self.gpu_price = gpu_price  # what-if: GPU price multiplier
        self.engineer = engineer  # what-if: operations, setup (and materiality without a budget) multiplier
        self.purchase = purchase  # owned servers' purchase price multiplier
        self.operations = operations  # owned servers' operations effort multiplier


class Entry:
    """One option reduced to what a scenario changes."""

    def __init__(
        self,
        option: OptionOut,
        kind: str,
        base: float | None,
        provider: str,
        sigma: float,
        group: Group | None = None,
        curve: object = None,
        peak: float = 0.0,
        rpm: float = 0.0,
        quality_sd: float = 0.0,
        fixed_score: float = 0.0,
        penalty: float = 0.0,
        hw_share: float = 0.0,
        fixed: float = 0.0,
    ) -> None:
        self.option = option
        self.kind = kind  # "api" | "fleet" (a tuned model's dedicated API fleet) | "self" | "fixed" | "none"
        self.base = base
        self.provider = provider
        self.sigma = sigma  # price drift s.d. of this option's price
        self.group = group
        self.curve = curve
        self.peak = peak
        self.rpm = rpm
        self.quality_sd = quality_sd
        self.fixed_score = fixed_score  # weighted privacy and lock-in parts of the overall score
        self.penalty = penalty
        self.hw_share = hw_share  # owned servers: the purchase (hardware) share of the GPU cost
        self.fixed = fixed  # USD a month that no scenario moves (an API option's fine-tuning runs and fees)


_UNSET = object()


class Costs:
    """Each option's monthly cost in every scenario of a batch, priced when first asked for.

    `floor(i)` is a lower bound on option i's cheapest scenario that costs far less than pricing
    every scenario: exact for API and fixed-cost options (their scenarios are cheap to price); for
    a self-hosted option, its GPU cost at the lowest load of the batch (every plan's rental price
    never falls as replicas are added) at the lowest price drift, plus the operations every fleet
    pays and the setup cost."""

    def __init__(self, frame: Entries, sc: Scenarios, exact: bool) -> None:
        self.frame, self.sc, self.exact = frame, sc, exact
        n = sc.n
        self.ones = [1.0] * n
        self.traffic = sc.traffic or self.ones
        self.peak = [a * b for a, b in zip(self.traffic, sc.peak, strict=True)] if sc.peak else self.traffic
        self._drift: dict[tuple[str, float], list[float]] = {}
        self._done: list[object] = [_UNSET] * len(frame.entries)
        self._floors: dict[int, float] = {}
        self._least: dict[Group | None, tuple[float, float]] = {}

    def __len__(self) -> int:
        return len(self._done)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (self[i] for i in range(len(self._done)))

    def __getitem__(self, i: int) -> list[float] | None:
        hit = self._done[i]
        if hit is _UNSET:
            hit = self._done[i] = self._price(self.frame.entry(i))
        return hit  # type: ignore[return-value]

    def _drift_of(self, e: Entry) -> list[float] | None:
        if e.sigma > 0 and e.provider in self.sc.drift:
            key = (e.provider, e.sigma)
            drift = self._drift.get(key)
            if drift is None:
                drift = self._drift[key] = [math.exp(e.sigma * z) for z in self.sc.drift[e.provider]]
            return drift
        return None

    def _gpu_factor(self, e: Entry) -> list[float] | None:
        gpu = self._drift_of(e)
        if self.sc.gpu_price is not None:
            gpu = self.sc.gpu_price if gpu is None else [a * b for a, b in zip(gpu, self.sc.gpu_price, strict=True)]
        return gpu

    def _purchase_factor(self, e: Entry) -> list[float] | None:
        """The GPU-cost multiplier of an owned option in each scenario: its hardware share moves
        with the purchase price, power and hosting do not."""
        if self.sc.purchase is None or e.hw_share <= 0:
            return None
        h = e.hw_share
        return [1.0 + h * (m - 1.0) for m in self.sc.purchase]

    def _loads(self, e: Entry) -> tuple[list[float], list[float]]:
        caps = self.sc.sizing.get(e.group) if e.group is not None else None
        caps = caps or self.ones
        # The load over the capacity factor: the engine's own curve prices the fleet.
        rpms = [e.rpm * t / c for t, c in zip(self.traffic, caps, strict=True)]
        peaks = [e.peak * p / c for p, c in zip(self.peak, caps, strict=True)]
        return rpms, peaks

    def _price(self, e: Entry) -> list[float] | None:
        n = self.sc.n
        if e.kind == "none" or e.base is None:
            return None
        if e.kind == "api":
            drift = self._drift_of(e)
            f = self.traffic if drift is None else [a * b for a, b in zip(self.traffic, drift, strict=True)]
            if e.fixed:
                return [e.base * x + e.fixed for x in f]
            return [e.base * x for x in f]
        if e.kind == "fixed":
            return [e.base] * n
        if e.kind == "fleet":
            return e.curve.costs([e.rpm * t for t in self.traffic], [e.peak * p for p in self.peak])  # type: ignore[attr-defined]
        gpu = self._gpu_factor(e)
        rpms, peaks = self._loads(e)
        g, ops = e.curve.split_costs(rpms, peaks)  # type: ignore[attr-defined]
        setup = e.curve.setup  # type: ignore[attr-defined]
        if gpu is not None:
            g = [a * d for a, d in zip(g, gpu, strict=True)]
        own = self._purchase_factor(e)
        if own is not None:
            g = [a * m for a, m in zip(g, own, strict=True)]
        if self.sc.operations is not None and e.hw_share > 0:
            ops = [o * f for o, f in zip(ops, self.sc.operations, strict=True)]
        if self.sc.engineer is not None:  # sensitivity only: operations and setup scaled (training is GPU time)
            train = getattr(e.curve, "training", 0.0)
            row = [a + (o + setup - train) * f + train for a, o, f in zip(g, ops, self.sc.engineer, strict=True)]
        else:
            row = [a + o + setup for a, o in zip(g, ops, strict=True)]
        return [round(x, 6) for x in row] if self.exact else row

    def floor(self, i: int) -> float:
        """A lower bound on option i's cost over the batch (its minimum once it is priced)."""
        known = self._known_floor(i)
        if known is not None:
            return known
        e = self.frame.entries[i]
        if e.kind != "self":
            return min(self[i])  # type: ignore[arg-type]
        a, b = self._least_load(e.group)
        # A hair below the lowest load, so that rounding cannot lift a replica count above the
        # count at the sampled load.
        gpu_low = e.curve.gpu_floor(e.rpm * a * (1 - 1e-9), e.peak * b * (1 - 1e-9))  # type: ignore[attr-defined]
        gpu = self._gpu_factor(e)
        if gpu is not None:
            gpu_low *= min(1.0, min(gpu))
        own = self._purchase_factor(e)
        if own is not None:
            gpu_low *= min(1.0, min(own))
        # Rounding to 1e-6 (exact mode) can lower a cost by half a micro-dollar.
        low = self._floors[i] = gpu_low + self._fixed_low(e) - 1e-6
        return low

    def quick_floor(self, i: int) -> float:
        """A lower bound on option i's cost that is cheaper still: `floor` without the GPU cost (which
        is never negative) for a self-hosted option not yet priced, `floor` itself otherwise. A fleet's
        operations and setup alone often put it above every bound that matters."""
        known = self._known_floor(i)
        if known is not None:
            return known
        e = self.frame.entries[i]
        if e.kind != "self":
            return self.floor(i)
        return self._fixed_low(e) - 1e-6

    def _known_floor(self, i: int) -> float | None:
        """Option i's minimum once it is priced, else the floor worked out before, else None."""
        hit = self._done[i]
        if hit is not _UNSET:
            return min(hit)  # type: ignore[arg-type]
        return self._floors.get(i)

    def _fixed_low(self, e: Entry) -> float:
        """The least operations and setup a self-hosted option pays in any scenario of the batch."""
        ops_low = e.curve.operations_floor()  # type: ignore[attr-defined]
        if self.sc.operations is not None and e.hw_share > 0:
            ops_low *= min(1.0, min(self.sc.operations))
        fixed = ops_low + e.curve.setup  # type: ignore[attr-defined]
        if self.sc.engineer is not None:
            fixed *= min(1.0, min(self.sc.engineer))
        return fixed

    def _least_load(self, group: Group | None) -> tuple[float, float]:
        """The smallest volume and peak factors of the batch over the group's capacity factor."""
        hit = self._least.get(group)
        if hit is None:
            caps = (self.sc.sizing.get(group) if group is not None else None) or self.ones
            hit = self._least[group] = (
                min(t / c for t, c in zip(self.traffic, caps, strict=True)),
                min(p / c for p, c in zip(self.peak, caps, strict=True)),
            )
        return hit

    def cheapest_candidates(self, feas: list[int]) -> list[int]:
        """The feasible options that may be the cheapest in some scenario: every option priced
        exactly up front, and any other whose floor is at most the lowest worst case among those."""
        exact = [i for i in feas if self.frame.entries[i].kind != "self"]
        worst = [max(c) for c in (self[i] for i in exact) if c is not None and min(c) > 0]
        if not worst or len(worst) < len(exact):
            return feas  # nothing to bound with, or a free option: price them all
        ceiling = min(worst)
        priced = set(exact)
        return [i for i in feas if i in priced or (self.quick_floor(i) <= ceiling and self.floor(i) <= ceiling)]
