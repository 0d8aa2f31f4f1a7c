"""The GPU-hour price a plan pays: region, commitment spread over the horizon, spot. Values by hand."""

from __future__ import annotations

import datetime as dt

import pytest

from openclosed.catalog.schema import GpuCloud, GpuOffer, RegionalGpuPrice
from openclosed.selfhost.gpu_prices import gpu_hourly

D = dt.date(2026, 11, 1)


def _offer(regional=True) -> GpuOffer:
    rows = [
        RegionalGpuPrice(
            region="us-east-1",
            area="us",
            hourly_price=6.88,
            committed_1y=4.5,
            committed_3y=3.0,
            spot=2.5,
            source="aws-us",
            as_of=D,
        ),
        RegionalGpuPrice(
            region="eu-north-1",
            area="eu",
            hourly_price=7.36,
            committed_1y=None,
            committed_3y=3.3,
            source="aws-eu",
            as_of=D,
        ),
        RegionalGpuPrice(region="eu-west-2", area="eu", hourly_price=8.94, source="aws-uk", as_of=D),
    ]
    return GpuOffer(
        gpu="h100-sxm",
        hourly_price=6.88,
        reserved_hourly_price=4.5,
        regions=["us", "eu"],
        regional_prices=rows if regional else [],
        source="list",
        as_of=D,
    )


def _cloud(mult: float = 1.0) -> GpuCloud:
    return GpuCloud(id="aws", name="AWS", offers=[], price_multiplier=mult)


def test_default_region_is_cheapest_the_residency_allows() -> None:
    assert tuple(gpu_hourly(_offer(), _cloud(), None, [])) == (6.88, "us-east-1", "on-demand", "aws-us", D)
    assert tuple(gpu_hourly(_offer(), _cloud(), None, ["eu"])) == (7.36, "eu-north-1", "on-demand", "aws-eu", D)
    assert gpu_hourly(_offer(), _cloud(), None, ["apac"]) is None


def test_named_region_wins_and_unknown_region_is_none() -> None:
    price = gpu_hourly(_offer(), _cloud(), "eu-west-2", ["eu"])
    assert (price.usd_per_gpu_hour, price.region) == (8.94, "eu-west-2")
    assert gpu_hourly(_offer(), _cloud(), "ap-south-1", []) is None


def test_commitment_within_horizon_and_spread_beyond_it() -> None:
    # 1 year over a 12-month horizon: the committed rate itself.
    assert gpu_hourly(_offer(), _cloud(), None, ["us"], "1y", horizon_months=12).usd_per_gpu_hour == 4.5
    # 3 years over 12 months: the whole term is paid, 3.0 x 36 / 12 = 9.0 per hour used.
    p = gpu_hourly(_offer(), _cloud(), None, ["us"], "3y", horizon_months=12)
    assert (p.usd_per_gpu_hour, p.pricing_kind) == (9.0, "3y")
    # 3 years over 36 or 48 months: the rate (a longer horizon never makes it cheaper).
    assert gpu_hourly(_offer(), _cloud(), None, ["us"], "3y", horizon_months=36).usd_per_gpu_hour == 3.0
    assert gpu_hourly(_offer(), _cloud(), None, ["us"], "3y", horizon_months=48).usd_per_gpu_hour == 3.0
    # 1 year over 6 months: 4.5 x 2 = 9.0.
    assert gpu_hourly(_offer(), _cloud(), None, ["us"], "1y", horizon_months=6).usd_per_gpu_hour == 9.0


def test_commitment_picks_cheapest_region_under_that_commitment() -> None:
    # EU: eu-north-1 has a 3-year rate (3.3), eu-west-2 none (falls back to on-demand 8.94).
    p = gpu_hourly(_offer(), _cloud(), None, ["eu"], "3y", horizon_months=36)
    assert (p.usd_per_gpu_hour, p.region, p.pricing_kind) == (3.3, "eu-north-1", "3y")
    # No 1-year rate published in the EU: on demand, and the kind says so.
    p = gpu_hourly(_offer(), _cloud(), None, ["eu"], "1y", horizon_months=12)
    assert (p.usd_per_gpu_hour, p.region, p.pricing_kind) == (7.36, "eu-north-1", "on-demand")


def test_spot_where_published_else_the_commitment_or_on_demand() -> None:
    p = gpu_hourly(_offer(), _cloud(), None, ["us"], spot=True)
    assert (p.usd_per_gpu_hour, p.pricing_kind) == (2.5, "spot")
    p = gpu_hourly(_offer(), _cloud(), None, ["eu"], "3y", spot=True, horizon_months=36)
    assert (p.usd_per_gpu_hour, p.pricing_kind) == (3.3, "3y")


def test_multiplier_and_offers_without_regional_prices() -> None:
    assert gpu_hourly(_offer(), _cloud(0.5), None, []).usd_per_gpu_hour == 3.44
    flat = _offer(regional=False)
    p = gpu_hourly(flat, _cloud(), None, ["eu"], "1y")
    assert tuple(p) == (4.5, None, "1y", "list", D)  # reserved_hourly_price is the 1-year rate
    assert gpu_hourly(flat, _cloud(), None, ["apac"]) is None  # the offer's regions are us and eu
    with pytest.raises(ValueError):
        gpu_hourly(flat, _cloud(), None, [], "2y")  # type: ignore[arg-type]
