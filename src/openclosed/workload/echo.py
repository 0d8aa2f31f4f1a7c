"""The constraints a report was judged under, echoed under the workload file's own keys.

A report's `workload` object repeats every constraint applied (issue 26 item 3), so a saved
report says what it was judged under: `latency`, `privacy`, `licence`, `quality.min_score`,
`budget`, `horizon_months`, `self_hosting.precisions`, and `traffic.reasoning` where the workload
has that key (the Decisions issue adds it).
"""

from __future__ import annotations

from typing import Any

from ..report import (
    BudgetEcho,
    CurrentSpendOut,
    LatencyEcho,
    LicenceEcho,
    PrivacyEcho,
    QualityEcho,
    SelfHostingEcho,
    TrafficEcho,
)
from .model import Workload

_MODELS = {
    "latency": LatencyEcho,
    "privacy": PrivacyEcho,
    "licence": LicenceEcho,
    "quality": QualityEcho,
    "budget": BudgetEcho,
    "self_hosting": SelfHostingEcho,
    "traffic": TrafficEcho,
}


def echo(wl: Workload) -> dict[str, Any]:
    """The constraint sections as the report's models (fields of `WorkloadSummary`)."""
    return {k: _MODELS[k].model_construct(**v) if k in _MODELS else v for k, v in constraints(wl).items()}


def constraints(wl: Workload) -> dict[str, Any]:
    """The constraint sections of `wl` as plain values, keyed and nested as in the workload file."""
    out: dict[str, Any] = {
        "latency": {
            "max_ttft_ms": wl.latency.max_ttft_ms,
            "min_output_tokens_per_s": wl.latency.min_output_tokens_per_s,
        },
        "privacy": {
            "sensitivity": wl.privacy.sensitivity,
            "allow_third_party": wl.privacy.allow_third_party,
            "residency": list(wl.privacy.residency),
        },
        "licence": {
            "commercial": wl.licence.commercial,
            "monthly_active_users": wl.licence.monthly_active_users,
            "eu_company": wl.licence.eu_company,
        },
        "quality": {"min_score": wl.quality.min_score},
        "budget": {
            "max_monthly_cost": wl.budget.max_monthly_cost,
            "max_cost_per_million": wl.budget.max_cost_per_million,
            "max_increase_pct": wl.budget.max_increase_pct,
            # The up-front budget, once the workload has the key (Decisions issue).
            "max_capex": getattr(wl.budget, "max_capex", None),
        },
        "horizon_months": wl.horizon_months,
        "self_hosting": {"precisions": list(wl.self_hosting.precisions)},
    }
    # The reasoning mode priced, once the workload has the key (Decisions issue): echoed as given.
    reasoning = getattr(wl.traffic, "reasoning", None)
    if reasoning is not None:
        out["traffic"] = {"reasoning": getattr(reasoning, "value", reasoning)}
    return out


def current_spend_of(wl: Workload) -> CurrentSpendOut | None:
    """The workload's `current_spend` as the report's object (null when the file has none)."""
    spend = wl.current_spend
    if spend is None:
        return None
    return CurrentSpendOut.model_construct(monthly_cost=spend.monthly_cost, source=spend.source)
