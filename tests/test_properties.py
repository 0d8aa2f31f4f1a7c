"""Properties that must hold for any input (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from openclosed.errors import InputError
from openclosed.yamlio import load_yaml

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(st.text(max_size=300))
def test_yaml_reader_fails_only_with_input_errors(text: str) -> None:
    try:
        load_yaml(text, "fuzz.yaml")
    except InputError as exc:
        assert str(exc).startswith("fuzz.yaml")


@FAST
@given(requests=st.floats(min_value=1, max_value=1e9), factor=st.floats(min_value=1.01, max_value=100))
def test_api_cost_is_linear_and_self_hosting_monotonic(catalog, requests: float, factor: float) -> None:
    from openclosed.engine import Engine, Settings
    from openclosed.workload.presets import preset

    base = preset("chatbot").with_requests_per_month(requests)
    engine = Engine(catalog, base, Settings())
    more = engine.with_workload(base.with_requests_per_month(requests * factor))
    api_a, api_b = engine.option("gpt-4o-mini@openai")[0], more.option("gpt-4o-mini@openai")[0]
    # Costs are rounded to 1e-6 USD, hence the absolute tolerance for tiny volumes.
    assert api_b.monthly_cost == pytest.approx(api_a.monthly_cost * factor, rel=1e-6, abs=(factor + 1) * 1e-6)
    self_a = engine.option("llama-3.1-8b@aws:l4")[0]
    self_b = more.option("llama-3.1-8b@aws:l4")[0]
    assert self_b.monthly_cost >= self_a.monthly_cost - 1e-6
    assert self_b.self_hosting.replicas >= self_a.self_hosting.replicas
