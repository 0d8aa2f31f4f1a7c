"""Scores (0..100): cost, privacy, lock-in (higher = more locked in), quality, overall.

The rules are deliberately simple and written out in docs/methodology.md, so that a reader can
disagree with a weight and change it (`--weights`), rather than trust a black box.
"""

from __future__ import annotations

import math

from ..catalog.schema import ApiProvider, Licence, Model
from ..errors import InputError

PROFILES: dict[str, dict[str, float]] = {
    "balanced": {"cost": 0.40, "privacy": 0.20, "lock_in": 0.10, "quality": 0.30},
    "cost": {"cost": 0.70, "privacy": 0.10, "lock_in": 0.05, "quality": 0.15},
    "privacy": {"cost": 0.25, "privacy": 0.50, "lock_in": 0.10, "quality": 0.15},
    "quality": {"cost": 0.20, "privacy": 0.10, "lock_in": 0.05, "quality": 0.65},
}
SCORE_KEYS = ("cost", "privacy", "lock_in", "quality")
LIFECYCLE_PENALTY = 15.0  # overall points taken from a model that shuts down within the horizon
# Without a budget, a cost difference is material when it is of the order of a tenth of an
# engineer's monthly cost: about two working days a month, less than the uncertainty of the
# self-hosting operations estimate itself (docs/methodology.md, "Material cost").
MATERIALITY_ENGINEER_SHARE = 0.1
# With a budget, a tenth of it: a difference of half the budget must count, not vanish.
MATERIALITY_BUDGET_SHARE = 0.1
# Privacy bands (docs/methodology.md, "Privacy"): whoever runs the GPUs sees the prompts, so any
# self-hosted option ranks above any third-party API, whatever the API's retention terms.
PRIVACY_ON_PREM = 100.0
PRIVACY_OWN_ACCOUNT = 90.0
PRIVACY_MARKETPLACE = 80.0
PRIVACY_API_CEILING = 70.0


def parse_weights(text: str) -> dict[str, float]:
    """`cost=0.5,privacy=0.3,quality=0.2` → normalised weights; missing keys weigh 0."""
    out = dict.fromkeys(SCORE_KEYS, 0.0)
    for part in text.split(","):
        if not part.strip():
            continue
        key, sep, value = part.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or key not in out:
            raise InputError.one(
                f"expected key=value with keys {', '.join(SCORE_KEYS)} (got {part.strip()!r})",
                field="--weights",
            )
        try:
            number = float(value)
        except ValueError:
            raise InputError.one(f"'{value.strip()}' is not a number", field="--weights") from None
        if not math.isfinite(number) or number < 0:
            raise InputError.one("weights must be finite and non-negative", field="--weights")
        out[key] = number
    total = sum(out.values())
    if total <= 0:
        raise InputError.one("at least one weight must be positive", field="--weights")
    return {k: v / total for k, v in out.items()}


def weights_for(profile: str, explicit: str | None) -> dict[str, float]:
    if explicit:
        return parse_weights(explicit)
    if profile not in PROFILES:
        raise InputError.one(f"unknown profile '{profile}'; expected one of {', '.join(PROFILES)}", field="--profile")
    return dict(PROFILES[profile])


# How much the privacy score counts, by the workload's data (docs/methodology.md, "Privacy follows
# the data"): public data gains nothing from staying in-house, internal data a little (a leak is
# an embarrassment, not a breach), confidential and regulated data the profile's full weight.
PRIVACY_WEIGHT_BY_SENSITIVITY = {"public": 0.0, "internal": 0.25, "confidential": 1.0, "regulated": 1.0}


def effective_weights(weights: dict[str, float], sensitivity: str) -> dict[str, float]:
    """The weights `overall` uses: the profile's (or --weights') privacy weight times the factor of
    the workload's sensitivity; the other weights as they are (not renormalised, so that a score
    point means the same under every sensitivity)."""
    out = dict(weights)
    out["privacy"] = round(out["privacy"] * PRIVACY_WEIGHT_BY_SENSITIVITY.get(sensitivity, 1.0), 6)
    return out


def materiality(budget: float | None, engineer_cost_per_month: float) -> float:
    """USD a month below which a cost difference barely moves the cost score: a tenth of the
    workload's monthly budget when it has one, otherwise a tenth of an engineer's monthly cost."""
    if budget is not None and budget > 0:
        return MATERIALITY_BUDGET_SHARE * budget
    return MATERIALITY_ENGINEER_SHARE * engineer_cost_per_month


def money_weight(extra: float, material: float | None) -> float:
    """How much of the ratio penalty a cost difference of `extra` USD a month carries: d/(d+M),
    near 0 for differences far below the materiality amount M, near 1 far above it."""
    if material is None or material <= 0:
        return 1.0
    extra = max(0.0, extra)
    return extra / (extra + material)


# Points of cost score a tenfold cost loses. Under the balanced profile the largest privacy and
# lock-in advantage one option can have over another is 0.2 × (100 − 52.5) + 0.1 × (85 − 10)
# ≈ 17 overall points; a tenfold cost must outweigh it (0.4 × points > 17, so more than 42.5).
# 50 (two decades to zero) does; 33⅓ did not, and let any self-hosted option up to ten times the
# price of an equal-quality API win on privacy and lock-in alone (docs/decisions.md, nightly batch).
RATIO_POINTS_PER_DECADE = 50.0


def cost_score(cost: float | None, cheapest: float, material: float | None = None) -> float:
    """100 for the cheapest feasible option, minus RATIO_POINTS_PER_DECADE (50) per tenfold cost,
    floored at 0;
    with a materiality amount the penalty is scaled by `money_weight` of the difference in USD.
    An option with no cost (it cannot run) scores 0."""
    if cost is None:
        return 0.0
    if cheapest <= 0 or cost <= 0:
        return 100.0
    penalty = RATIO_POINTS_PER_DECADE * math.log10(max(cost / cheapest, 1.0))
    return max(0.0, 100.0 - penalty * money_weight(cost - cheapest, material))


def privacy_score(provider: ApiProvider | None, host: str | None, reasons: list[str]) -> float:
    """`host`: "on-prem", "own-account" or "marketplace" for a self-hosted option, None for an API."""
    if provider is None:
        if host == "on-prem":
            reasons.append("privacy: prompts never leave your own hardware")
            return PRIVACY_ON_PREM
        if host == "marketplace":
            reasons.append(
                "privacy: self-hosted on a GPU marketplace; the machines belong to third-party hosts "
                "who could reach the memory of your pods"
            )
            return PRIVACY_MARKETPLACE
        reasons.append(
            "privacy: self-hosted on machines rented under your own cloud account and contract; "
            "no third party processes the prompts"
        )
        return PRIVACY_OWN_ACCOUNT
    reasons.append("privacy: a third-party API processes the prompts (below any self-hosted option)")
    return round(PRIVACY_API_CEILING * _api_privacy(provider, reasons) / 100.0, 1)


def _api_privacy(provider: ApiProvider, reasons: list[str]) -> float:
    """The API's terms on a 0..100 scale, later mapped into 0..PRIVACY_API_CEILING."""
    p = provider.privacy
    score = 70.0
    if p.trains_on_data:
        score -= 40
        reasons.append(f"privacy: {provider.name} may train on your prompts")
    if p.retention_days == 0:
        score += 10
        reasons.append(f"privacy: {provider.name} keeps no prompts by default")
    elif p.retention_days <= 30:
        score -= 5
        reasons.append(f"privacy: prompts leave your infrastructure ({p.retention_days}-day retention)")
    else:
        score -= 15
        reasons.append(f"privacy: prompts kept {p.retention_days} days")
    if p.zero_retention == "self-serve":
        score += 10
        reasons.append("privacy: zero data retention is self-serve")
    elif p.zero_retention == "on-approval":
        score += 5
        reasons.append("privacy: zero data retention on approval")
    if p.residency:
        score += 5
    if len(p.certifications) >= 2:
        score += 5
    return max(0.0, min(100.0, score))


# Lock-in bands (docs/methodology.md, "Lock-in: the cost of leaving"). An open model that several
# API providers serve is left by changing a base URL; rented GPUs by moving the weights; a GPU
# commitment or owned servers keep paying whether or not the workload stays.
LOCK_OPEN_API = {1: 30.0, 2: 15.0}  # providers serving the model → score; three or more: LOCK_OPEN_API_MANY
LOCK_OPEN_API_MANY = 10.0
LOCK_SELF_RENTED = 10.0
LOCK_COMMITMENT = {"1y": 5.0, "3y": 10.0}  # added for committed-use GPU prices
LOCK_OWNED = 30.0  # servers bought up front: leaving means selling them below their book value


def lock_in_score(
    model: Model,
    licence: Licence,
    self_hosted: bool,
    providers_serving: int,
    reasons: list[str],
    hold: str | None = None,
) -> float:
    """`hold`: how a self-hosted option holds its GPUs: "owned", "1y" or "3y" (a commitment), or
    None (rented on demand, or an API option)."""
    if not model.open_weights:
        score = 70.0
        if providers_serving <= 1:
            score += 15
            reasons.append("lock-in: closed weights served by one provider only")
        else:
            score += 5
            reasons.append(f"lock-in: closed weights, {providers_serving} providers serve them")
        return min(100.0, score)
    if self_hosted and hold == "owned":
        score = LOCK_OWNED
        reasons.append(
            "lock-in: open weights on servers you own; leaving before the write-off ends means selling them "
            "below their book value"
        )
    elif self_hosted:
        score = LOCK_SELF_RENTED + LOCK_COMMITMENT.get(hold or "", 0.0)
        reasons.append(
            "lock-in: open weights you can run anywhere"
            + (f"; a {hold} GPU commitment is paid whether or not you stay" if hold in LOCK_COMMITMENT else "")
        )
    else:
        score = LOCK_OPEN_API.get(providers_serving, LOCK_OPEN_API_MANY if providers_serving > 2 else 30.0)
        serve = "provider serves" if providers_serving == 1 else "providers serve"
        reasons.append(
            f"lock-in: open weights, {providers_serving} API {serve} them"
            + ("; switching is a change of base URL" if providers_serving > 2 else "")
        )
    if licence.kind == "custom":
        score += 10
        reasons.append(f"lock-in: custom licence ({licence.name})")
    elif licence.kind == "non-commercial":
        score += 20
        reasons.append(f"lock-in: non-commercial licence ({licence.name})")
    return min(100.0, score)


def customisation_lock_in(open_weights: bool, self_hosted: bool, method: str | None, reasons: list[str]) -> float:
    """Lock-in points of a tuned model, only when the workload customises (`method` priced): a
    closed model's tuned weights stay with the provider (+5); open weights tuned anywhere are
    yours to take elsewhere (+0). A workload that does not customise adds nothing."""
    if method is None:
        return 0.0
    if not open_weights:
        reasons.append("lock-in: the tuned model lives only at the provider (its weights cannot be taken elsewhere)")
        return 5.0
    reasons.append(
        "lock-in: the tuned weights are yours" if self_hosted else "lock-in: tuned open weights you can take elsewhere"
    )
    return 0.0


def quality_score(index: float | None, best_index: float) -> float:
    """The catalogue's quality index scaled so the best model in the catalogue scores 100."""
    if index is None or best_index <= 0:
        return 0.0
    return max(0.0, min(100.0, 100.0 * index / best_index))


def overall(scores: dict[str, float], weights: dict[str, float], penalty: float) -> float:
    value = (
        weights["cost"] * scores["cost"]
        + weights["privacy"] * scores["privacy"]
        + weights["lock_in"] * (100.0 - scores["lock_in"])
        + weights["quality"] * scores["quality"]
    )
    return max(0.0, min(100.0, value - penalty))
