"""The stale-price warning over the options shown, and dated price steps."""

from __future__ import annotations

import datetime as dt

import pytest

from openclosed.api.price_steps import prices_on, step_in_force
from openclosed.catalog import load_catalog
from openclosed.staleness import price_date, staleness

TODAY = dt.date(2026, 11, 30)


def test_counts_only_shown_options_and_names_the_oldest() -> None:
    shown = [
        ("a@x", dt.date(2026, 11, 1)),  # 29 days
        ("b@y", dt.date(2026, 7, 24)),  # 129 days
        ("c@z", dt.date(2025, 10, 31)),  # 395 days: the oldest
        ("d@w", None),  # no price date
    ]
    s = staleness(shown, TODAY, 90)
    assert (s.stale, s.shown, s.oldest_id, s.oldest_age_days) == (2, 4, "c@z", 395)
    assert s.oldest_as_of == dt.date(2025, 10, 31)
    assert s.message == (
        "2 of 4 options shown use prices older than 90 days; the oldest is c@z (as of 2025-10-31, 395 days); "
        "refresh the catalogue (docs/catalogue.md)"
    )
    assert staleness(shown[:1], TODAY, 90) is None
    assert staleness([], TODAY, 90) is None
    # Exactly stale_days old is not stale (the engine's rule: age > stale_days).
    assert staleness([("e@v", TODAY - dt.timedelta(days=90))], TODAY, 90) is None


def test_price_date_of_report_options() -> None:
    from types import SimpleNamespace as NS

    assert price_date(NS(unit_prices=NS(as_of="2026-07-24"), self_hosting=None)) == dt.date(2026, 7, 24)
    rented = NS(price_as_of="2026-01-21", gpu_price_kind="on-demand")
    assert price_date(NS(unit_prices=None, self_hosting=rented)) == dt.date(2026, 1, 21)
    assert price_date(NS(unit_prices=None, self_hosting=None)) is None
    # A purchase price ages like a rental price (issue 22: on-prem prices dated 2023 carried no warning).
    owned = NS(price_as_of="2023-05-01", gpu_price_kind="on-prem")
    assert price_date(NS(unit_prices=None, self_hosting=owned)) == dt.date(2023, 5, 1)


def test_gemini_price_steps_resolve_by_date() -> None:
    cat = load_catalog(use_env=False)
    google = next(p for p in cat.providers_file.api_providers if p.id == "google")
    argon = next(o for o in google.offerings if o.model == "gemini-4-argon")
    flash = next(o for o in google.offerings if o.model == "gemini-3.8-flash")
    before = prices_on(argon, dt.date(2026, 11, 30))
    after = prices_on(argon, dt.date(2026, 12, 1))
    assert (before.input, before.output, before.cached_input) == (2.0, 10.0, 0.1)
    assert (after.input, after.output, after.cached_input) == (4.0, 20.0, 0.2)
    assert step_in_force(argon, dt.date(2026, 11, 30)) is None
    assert step_in_force(argon, dt.date(2026, 12, 1)).starts == dt.date(2026, 12, 1)
    assert prices_on(flash, dt.date(2026, 12, 31)).input == 0.75
    assert prices_on(flash, dt.date(2027, 1, 1)).input == pytest.approx(1.5)
    # Built without validation (for speed): what validating the merged prices gives, fields set included.
    validated = type(argon.prices).model_validate(
        {"input": 4.0, "output": 20.0, "cached_input": 0.2, "cache_write": None}
    )
    assert after == validated and after.model_fields_set == validated.model_fields_set
    # Offerings without steps are returned as they are.
    plain = google.offerings[0]
    assert prices_on(plain, dt.date(2030, 1, 1)) is plain.prices
