"""API pricing with dollars computed by hand (see the comments for the arithmetic)."""

from __future__ import annotations

import datetime as dt

import pytest

from openclosed.api.pricing import price_api
from openclosed.catalog.schema import ApiProvider, LongContextTier, Offering, Privacy, TokenPrices
from openclosed.workload.model import Workload

D = dt.date(2026, 11, 1)


def provider(multiplier: float = 1.0, **offer) -> tuple[ApiProvider, Offering]:
    o = Offering(
        model="m",
        prices=TokenPrices(input=3, cached_input=0.3, cache_write=3.75, output=15),
        long_context=LongContextTier(threshold_tokens=200_000, input=6, cached_input=0.6, cache_write=7.5, output=22.5),
        batch_discount=0.5,
        request_fee=0.001,
        source="test",
        as_of=D,
        **offer,
    )
    p = ApiProvider(
        id="p",
        name="P",
        price_multiplier=multiplier,
        privacy=Privacy(trains_on_data=False, retention_days=30, zero_retention="none", source="t", as_of=D),
        offerings=[o],
    )
    return p, o


def wl(requests: float, input_tokens: float, output_tokens: float, **traffic) -> Workload:
    return Workload.model_validate(
        {
            "traffic": {
                "requests_per_month": requests,
                "input_tokens": input_tokens,
                "output_tokens": output_tokens,
                **traffic,
            }
        }
    )


def test_every_component() -> None:
    # 10,000 requests × 1,000 input = 10M input tokens: 5M cached, 1M written, 4M fresh; 2M output.
    # Batch factor 1 − 0.2 × 0.5 = 0.9.
    w = wl(10_000, 1000, 200, cached_input_share=0.5, cache_write_share=0.1, batch_share=0.2)
    c = price_api(*provider(), w)
    assert c.breakdown == {
        "input": 10.8,  # 4M × $3/M × 0.9
        "cached_input": 1.35,  # 5M × $0.30/M × 0.9
        "cache_write": 3.375,  # 1M × $3.75/M × 0.9
        "output": 27.0,  # 2M × $15/M × 0.9
        "request_fees": 10.0,  # 10,000 × $0.001
    }
    assert c.monthly_cost == 52.525
    assert not c.unit_prices.long_context_tier


def test_negotiated_multiplier_scales_everything() -> None:
    w = wl(10_000, 1000, 200, cached_input_share=0.5, cache_write_share=0.1, batch_share=0.2)
    c = price_api(*provider(multiplier=0.7), w)
    assert c.monthly_cost == pytest.approx(52.525 * 0.7, abs=1e-6)
    assert c.unit_prices.input == 2.1


def test_long_context_tier_prices_the_whole_request() -> None:
    # 100 requests × 250,000 input tokens (> 200K): 25M in (12.5M cached, 2.5M written, 10M fresh),
    # 20,000 output; tier rates; batch factor 0.9.
    w = wl(100, 250_000, 200, cached_input_share=0.5, cache_write_share=0.1, batch_share=0.2)
    c = price_api(*provider(), w)
    assert c.unit_prices.long_context_tier
    assert c.breakdown == {
        "input": 54.0,
        "cached_input": 6.75,
        "cache_write": 16.875,
        "output": 0.405,
        "request_fees": 0.1,
    }
    assert c.monthly_cost == 78.13


def test_at_the_threshold_the_base_rate_applies() -> None:
    c = price_api(*provider(), wl(1, 200_000, 1))
    # 200,000 × $3/M + 1 × $15/M + $0.001 fee
    assert c.monthly_cost == pytest.approx(0.6 + 0.000015 + 0.001, abs=1e-9)


def test_missing_cache_prices_fall_back_to_input() -> None:
    p, o = provider()
    o.prices = TokenPrices(input=2, output=8)
    o.long_context = None
    o.request_fee = 0
    c = price_api(p, o, wl(1000, 1000, 100, cached_input_share=0.5))
    # 1M input tokens all at $2 (no cache discount) + 0.1M × $8
    assert c.monthly_cost == 2.8
