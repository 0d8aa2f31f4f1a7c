"""How sure the answer is: every uncertain input as a range, sampled with shared errors.

Uncertain inputs and their spreads (docs/methodology.md, "How sure the answer is", gives the
evidence for each default):

- sizing: each replica's throughput is an estimate; its error is lognormal with the held-out
  calibration rows' RMS log error for the option's family, architecture kind × GPU generation
  (`SIZING_SIGMA`), one draw per family and scenario (an estimator that is 10 % optimistic for
  MoE models on Hopper is so for every such option at once);
- prices older than the staleness limit drift as a random walk in log price, `PRICE_DRIFT`
  per √year of age, one draw per provider and scenario;
- estimated quality indices: normal with the stated `error`, else `DEFAULT_QUALITY_ERROR`;
  one draw per model and scenario (published indices are taken as exact);
- traffic volume: lognormal, `traffic.uncertainty` or `DEFAULT_TRAFFIC_SPREAD`, one draw per
  scenario for every option;
- utilisation at peak (how peaky the traffic really is): lognormal, `DEFAULT_PEAK_SPREAD`, one
  draw per scenario for every self-hosted option;
- the purchase price of owned servers: lognormal, `PURCHASE_SPREAD`, one draw per scenario for
  every owned option, applied to the hardware share of its GPU cost;
- operations effort of owned servers: lognormal, `OPERATIONS_SPREAD`, one draw per scenario for
  every owned option, applied to its operations cost.

Scenarios are a Latin hypercube over those draws: each input takes the normal quantiles
(k + ½)/n in an order shuffled by a generator seeded from the run's seed and the input's name,
so a given seed always gives the same scenarios, and adding an option never moves another's.
Feasibility is not re-checked per scenario (a budget or rate limit near its edge is not resampled).
"""

from __future__ import annotations

import math
import random
from functools import lru_cache
from statistics import NormalDist
from typing import TYPE_CHECKING

from ..selfhost.families import family as sizing_family
from ..selfhost.families import generation

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ..catalog.architecture import Architecture
    from ..evaluation import Context

Z90 = NormalDist().inv_cdf(0.9)  # the 10th and 90th percentiles lie ∓1.2816 s.d. from the median

# Sizing spread per family (architecture kind × GPU generation, selfhost/families.py): the RMS of
# ln(predicted / measured) over the calibration rows held out of the fit (data/calibration.yaml;
# derive_sizing_sigmas, and tests/test_uncertainty.py checks these against the rows). A family
# with at least MIN_GROUP_ROWS held-out rows uses its own figure; one with fewer uses the largest
# of its own, the pooled figure and its fitted rows' RMS (when it has MIN_GROUP_ROWS of them: the
# fit's error on the rows it read is a floor on its error elsewhere); a family with neither gets
# the pooled figure, wider than every family the held-out rows show to be well known
# (SIZING_SIGMA_UNCALIBRATED).
SIZING_SIGMA: dict[tuple[str, str], float] = {
    ("dense", "ampere"): 0.261,
    ("dense", "cdna3"): 0.468,
    ("dense", "hopper"): 0.325,
    ("hybrid", "blackwell"): 0.112,
    ("hybrid", "hopper"): 0.166,
    ("mla", "blackwell"): 0.327,
    ("mla", "cdna3"): 0.35,
    ("mla", "cdna4"): 0.093,
    ("mla", "hopper"): 0.239,
    ("moe", "ampere"): 0.152,
    ("moe", "blackwell"): 0.431,
    ("moe", "hopper"): 0.108,
    ("sparse", "blackwell"): 0.672,
}
SIZING_SIGMA_POOLED = 0.35
MIN_GROUP_ROWS = 4
SIZING_SIGMA_UNCALIBRATED = SIZING_SIGMA_POOLED
PRICE_DRIFT = 0.5  # s.d. of ln(price) after one year; grows with √age (a random walk)
DEFAULT_QUALITY_ERROR = 5.0  # index points, one s.d., for an estimate that states no error
DEFAULT_TRAFFIC_SPREAD = 0.2  # s.d. of ln(volume) when the workload gives no traffic.uncertainty
DEFAULT_PEAK_SPREAD = 0.15  # s.d. of ln(peak over average)
# Owned servers (issue 22): street prices of GPU servers vary by ±20–40 % with volume, SKU and
# quarter (docs/methodology.md, "Owned servers"); ±30 % as the 10th–90th percentiles is
# ln(1.3) / 1.2816. One draw per scenario for every owned option (one market).
PURCHASE_SPREAD = 0.205
# Operations effort of owned servers (engineers, with the on-call and datacentre terms): a
# judgement, ×/÷ 1.5 as the 10th–90th percentiles, ln(1.5) / 1.2816. One draw per scenario for
# every owned option (the same team). Rented fleets keep their point estimate: sampling them
# too would loosen the bounds that keep sampling within its time budget (docs/methodology.md).
OPERATIONS_SPREAD = 0.316

Group = tuple[str, str]


def sizing_group(arch: Architecture | None, gpu_id: str) -> Group:
    """The sizing family of a self-hosted option (kind × GPU generation)."""
    return ("dense", generation(gpu_id)) if arch is None else sizing_family(arch, gpu_id)


def sizing_sigma(group: Group) -> float:
    return SIZING_SIGMA.get(group, SIZING_SIGMA_UNCALIBRATED)


def _rms(errs: list[float]) -> float:
    return math.sqrt(sum(e * e for e in errs) / len(errs))


def derive_sizing_sigmas(
    rows: Sequence[tuple[Group, float]], fitted: Sequence[tuple[Group, float]] = ()
) -> tuple[dict[Group, float], float]:
    """(σ per group, pooled σ) from (group, ln(predicted/measured)) held-out rows, by the rule
    above; `fitted` (the fit's own rows) sets a floor for a family with fewer than MIN_GROUP_ROWS
    held-out rows: a fit misses its own rows by no more than it misses rows it never read, so a
    family the fit itself misses widely is not given the narrower pooled figure."""
    by: dict[Group, list[float]] = {}
    for g, e in rows:
        by.setdefault(g, []).append(e)
    fit_by: dict[Group, list[float]] = {}
    for g, e in fitted:
        fit_by.setdefault(g, []).append(e)
    pooled = _rms([e for _, e in rows])
    out = {}
    for g in by.keys() | fit_by.keys():
        held = by.get(g, [])
        if len(held) >= MIN_GROUP_ROWS:
            out[g] = _rms(held)
            continue
        floor = max(pooled, _rms(held) if held else 0.0)
        own_fit = _rms(fit_by[g]) if len(fit_by.get(g, [])) >= MIN_GROUP_ROWS else 0.0
        if held or own_fit > floor:
            out[g] = max(floor, own_fit)
    return out, pooled


def drift_sigma(age_days: int, stale_days: int) -> float:
    """Log-price s.d. of a price `age_days` old: none until it is stale, then PRICE_DRIFT·√years."""
    return PRICE_DRIFT * math.sqrt(age_days / 365.25) if age_days > stale_days else 0.0


def traffic_spread(ctx: Context) -> float:
    given = getattr(ctx.wl.traffic, "uncertainty", None)
    return DEFAULT_TRAFFIC_SPREAD if given is None else float(given)


def percentile(values: list[float], q: float, presorted: bool = False) -> float:
    """Linear interpolation between order statistics (numpy's default, `statistics` 'inclusive')."""
    xs = values if presorted else sorted(values)
    h = (len(xs) - 1) * q
    lo = math.floor(h)
    if lo + 1 >= len(xs):
        return xs[-1]
    return xs[lo] + (h - lo) * (xs[lo + 1] - xs[lo])


@lru_cache(maxsize=16)
def _quantiles(n: int) -> tuple[float, ...]:
    nd = NormalDist()
    return tuple(nd.inv_cdf((k + 0.5) / n) for k in range(n))


@lru_cache(maxsize=512)
def normal_draws(n: int, seed: int, name: str) -> tuple[float, ...]:
    """n standard-normal draws for one input: stratified quantiles in a seeded shuffled order."""
    z = list(_quantiles(n))
    # random.Random.shuffle (Fisher-Yates over _randbelow) written out: the same order for the
    # same seed, without two Python calls per element (a compare draws about 60 such inputs).
    bits = random.Random(f"{seed}:{name}").getrandbits
    for i in range(n - 1, 0, -1):
        m = i + 1
        k = m.bit_length()
        j = bits(k)
        while j >= m:
            j = bits(k)
        z[i], z[j] = z[j], z[i]
    return tuple(z)


# ------------------------------------------------------------------ the engine's hook
