"""API token pricing: cached input, cache writes, long-context tiers, batch discount, fees.

Arithmetic is done in Decimal from the catalogue's decimal strings so that a pinned test can
state dollars exactly; results are converted to float (rounded to 1e-6 USD) at the edge.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ..catalog.schema import ApiProvider, Offering, TokenPrices
from ..report import UnitPricesOut, construct
from ..workload.model import Workload

MILLION = Decimal(1_000_000)


def D(x: float | int | str) -> Decimal:
    return Decimal(str(x))


def _f(x: Decimal) -> float:
    return float(round(x, 6))


# A record that nothing compares, prints or copies: a plain class rather than a dataclass, whose
# generated `__init__` is compiled from source when the module is imported.
class ApiCost:
    """An API option's monthly cost, its breakdown and unit prices, and the steps that show them."""

    def __init__(
        self,
        monthly_cost: float,
        breakdown: dict[str, float],
        unit_prices: UnitPricesOut,
        steps: list[tuple[str, str, float]] | None = None,
    ) -> None:
        self.monthly_cost, self.breakdown, self.unit_prices = monthly_cost, breakdown, unit_prices
        self.steps: list[tuple[str, str, float]] = [] if steps is None else steps  # (what, formula, value)


def unit_prices(
    provider: ApiProvider, offering: Offering, input_tokens: float, day: dt.date | None = None
) -> tuple[TokenPrices, bool]:
    """The price table that applies to a request with this prompt length (on `day`, when the
    offering publishes dated price changes)."""
    tier = offering.long_context
    if tier is not None and input_tokens > tier.threshold_tokens:
        return tier, True
    if day is not None and offering.price_steps:
        from .price_steps import prices_on

        return prices_on(offering, day), False
    return offering.prices, False


def price_api(
    provider: ApiProvider,
    offering: Offering,
    workload: Workload,
    day: dt.date | None = None,
    hidden_tokens: float = 0.0,
) -> ApiCost:
    """Monthly cost of the workload at this offering's prices (those in force on `day`).

    `hidden_tokens`: reasoning tokens a request generates besides its visible output; they are
    billed at the output price (breakdown `reasoning`, present only when there are any)."""
    t = workload.traffic
    prices, tiered = unit_prices(provider, offering, t.input_tokens, day)
    mult, p_in, p_cached, p_write, p_out, shown = _per_token(provider, offering, prices, tiered, day)

    requests, tokens_out, tokens_hidden, cached, written, fresh, volume_steps = _volumes(workload, hidden_tokens)
    # Batch requests pay (1 - discount) on every token they use.
    batch = D(t.batch_share) * D(offering.batch_discount)
    factor = Decimal(1) - batch

    parts = {
        "input": fresh * p_in / MILLION * factor,
        "cached_input": cached * p_cached / MILLION * factor,
        "cache_write": written * p_write / MILLION * factor,
        "output": tokens_out * p_out / MILLION * factor,
        "request_fees": requests * D(offering.request_fee) * mult,
    }
    if hidden_tokens:
        parts["reasoning"] = tokens_hidden * p_out / MILLION * factor
    total = sum(parts.values(), Decimal(0))
    up = construct(UnitPricesOut, **shown)
    steps = [*volume_steps, ("batch factor", "1 − batch_share × batch_discount", _f(factor))]
    if tiered:
        assert offering.long_context is not None
        steps.append(
            (
                "long-context tier",
                f"input_tokens > {offering.long_context.threshold_tokens}: whole request at tier rates",
                1.0,
            )
        )
    breakdown = {k: _f(v) for k, v in parts.items()}
    for key, value in breakdown.items():
        steps.append((f"{key} cost", _FORMULAS[key], value))
    return ApiCost(_f(total), breakdown, up, steps)


PerToken = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, dict[str, Any]]
# Per-token prices by (provider, offering, price table, tier, day), kept inside `reusing()` only
# (traffic classes: 100 classes price the same ~180 offerings; a test may edit a catalogue entry in
# place between two runs). The objects are kept with their entry, so their ids cannot be reused.
_PER_TOKEN: dict[tuple, tuple[ApiProvider, Offering, TokenPrices, PerToken]] = {}


def _per_token(
    provider: ApiProvider, offering: Offering, prices: TokenPrices, tiered: bool, day: dt.date | None
) -> PerToken:
    """(the provider's multiplier, the input, cached-input, cache-write and output prices per
    million tokens after it, and the unit prices the option shows): the same whatever the traffic."""
    from ..selfhost.sizing.step import REUSED_CACHES, REUSED_MAX, reuse_on

    reuse = reuse_on()
    key = (id(provider), id(offering), id(prices), tiered, day)
    hit = _PER_TOKEN.get(key) if reuse else None
    if hit is not None and hit[0] is provider and hit[1] is offering and hit[2] is prices:
        return hit[3]
    mult = D(provider.price_multiplier)
    p_in = D(prices.input) * mult
    # A provider without a cache price charges cached tokens as ordinary input; one without a
    # write premium (OpenAI, Google implicit caching) charges writes as ordinary input.
    p_cached = (D(prices.cached_input) if prices.cached_input is not None else D(prices.input)) * mult
    p_write = (D(prices.cache_write) if prices.cache_write is not None else D(prices.input)) * mult
    p_out = D(prices.output) * mult
    step = _step(offering, day, tiered)
    shown = {
        "input": _f(p_in),
        "cached_input": _f(p_cached),
        "cache_write": _f(p_write),
        "output": _f(p_out),
        "request_fee": _f(D(offering.request_fee) * mult),
        "batch_discount": float(offering.batch_discount),
        "long_context_tier": tiered,
        "source": step.source if step else offering.source,
        "as_of": (step.as_of if step else offering.as_of).isoformat(),
    }
    value = (mult, p_in, p_cached, p_write, p_out, shown)
    if reuse:
        if not any(cache is _PER_TOKEN for cache in REUSED_CACHES):
            REUSED_CACHES.append(_PER_TOKEN)  # emptied when `reusing()` ends
        if len(_PER_TOKEN) >= REUSED_MAX:
            _PER_TOKEN.clear()
        _PER_TOKEN[key] = (provider, offering, prices, value)
    return value


Volumes = tuple[Decimal, Decimal, Decimal, Decimal, Decimal, Decimal, tuple[tuple[str, str, float], ...]]
_VOLUMES: dict[tuple[float, ...], Volumes] = {}


def _volumes(workload: Workload, hidden_tokens: float) -> Volumes:
    """(requests, output, hidden, cached, written and fresh input tokens a month, and the steps
    that show them): the same for every offering a workload is priced at, so worked out once per
    distinct set of the figures they come from (a compare prices 206 offerings)."""
    t = workload.traffic
    key = (
        workload.requests_per_month,
        t.input_tokens,
        t.output_tokens,
        hidden_tokens,
        t.cached_input_share,
        t.cache_write_share,
    )
    hit = _VOLUMES.get(key)
    if hit is not None:
        return hit
    requests = D(key[0])
    tokens_in = requests * D(t.input_tokens)
    tokens_out = requests * D(t.output_tokens)
    tokens_hidden = requests * D(hidden_tokens)
    cached = tokens_in * D(t.cached_input_share)
    written = tokens_in * D(t.cache_write_share)
    fresh = tokens_in - cached - written
    steps = (
        ("requests per month", "workload", _f(requests)),
        ("fresh input tokens", "R × input_tokens × (1 − cached_share − write_share)", _f(fresh)),
        ("cached input tokens", "R × input_tokens × cached_input_share", _f(cached)),
        ("cache-write tokens", "R × input_tokens × cache_write_share", _f(written)),
        ("output tokens", "R × output_tokens", _f(tokens_out)),
        *([("reasoning tokens", "R × hidden tokens per request", _f(tokens_hidden))] if hidden_tokens else []),
    )
    if len(_VOLUMES) >= 256:
        _VOLUMES.clear()  # a sweep over volumes: keep memory bounded
    hit = _VOLUMES[key] = (requests, tokens_out, tokens_hidden, cached, written, fresh, steps)
    return hit


def _step(offering: Offering, day: dt.date | None, tiered: bool) -> Any:
    if day is None or tiered or not offering.price_steps:
        return None
    from .price_steps import step_in_force

    return step_in_force(offering, day)


_FORMULAS = {
    "input": "fresh input tokens × input price / 1e6 × batch factor",
    "cached_input": "cached tokens × cached_input price / 1e6 × batch factor",
    "cache_write": "cache-write tokens × cache_write price / 1e6 × batch factor",
    "output": "output tokens × output price / 1e6 × batch factor",
    "request_fees": "requests × fee per request",
    "reasoning": "reasoning tokens × output price / 1e6 × batch factor",
}
