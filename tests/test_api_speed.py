"""API latency from published measurements: TTFT scaled to the prompt, targets checked, gaps marked."""

from __future__ import annotations

import datetime as dt

import pytest

from openclosed.api.speed import (
    DEFAULT_PREFILL_TOKENS_PER_S,
    api_speed_out,
    scaled_ttft_ms,
    speed_checks,
    unchecked_summary,
)
from openclosed.catalog.schema import ApiSpeed, Offering, TokenPrices
from openclosed.workload.presets import preset


def _offering(speed: ApiSpeed | None) -> Offering:
    return Offering(
        model="m", prices=TokenPrices(input=1, output=2), speed=speed, source="s", as_of=dt.date(2026, 11, 1)
    )


def _speed(tps: float | None = 80.0, ttft: float | None = 500.0, prompt: int | None = 1000, prefill=None) -> ApiSpeed:
    return ApiSpeed(
        output_tokens_per_s=tps,
        ttft_ms=ttft,
        prompt_tokens=prompt,
        prefill_tokens_per_s=prefill,
        source="https://artificialanalysis.ai/x",
        as_of=dt.date(2026, 11, 20),
    )


def _workload(input_tokens: float, max_ttft: float | None = None, min_tps: float | None = None):
    wl = preset("chatbot")
    return wl.model_copy(
        update={
            "traffic": wl.traffic.model_copy(update={"input_tokens": input_tokens}),
            "latency": wl.latency.model_copy(update={"max_ttft_ms": max_ttft, "min_output_tokens_per_s": min_tps}),
        }
    )


def test_default_prefill_rate_is_documented_value() -> None:
    assert DEFAULT_PREFILL_TOKENS_PER_S == 20_000.0


@pytest.mark.parametrize(
    ("prompt", "expected"),
    [
        (1000, 500.0),  # measured length: the measurement itself
        (11000, 1000.0),  # 10,000 more tokens at 20,000 tok/s = +500 ms
        (3000, 600.0),  # +2,000 tokens = +100 ms
        (0, 450.0),  # 1,000 fewer tokens = -50 ms
    ],
)
def test_ttft_scales_with_prompt_at_default_rate(prompt: int, expected: float) -> None:
    assert scaled_ttft_ms(_speed(), prompt) == pytest.approx(expected)


def test_ttft_uses_published_prefill_rate_and_floor() -> None:
    # 5,000 tokens/s: 9,000 extra tokens take 1,800 ms.
    assert scaled_ttft_ms(_speed(prefill=5000), 10_000) == pytest.approx(2300.0)
    # A short prompt never brings TTFT below half the measurement (queueing, network, first step).
    assert scaled_ttft_ms(_speed(ttft=200, prefill=1000), 0) == pytest.approx(100.0)
    # No prompt length given: Artificial Analysis' default 1k-token workload is assumed.
    assert scaled_ttft_ms(_speed(prompt=None), 1000) == pytest.approx(500.0)
    assert scaled_ttft_ms(None, 1000) is None
    assert scaled_ttft_ms(_speed(ttft=None), 1000) is None


def test_slow_ttft_is_a_violation_with_the_number() -> None:
    wl = _workload(1200, max_ttft=300)
    violations, unchecked = speed_checks(_offering(_speed()), wl)
    # 500 + 200 / 20,000 s = 510 ms at 1,200 prompt tokens.
    assert violations == ["latency: time to first token 510 ms at 1,200 prompt tokens exceeds 300 ms"]
    assert unchecked is False


def test_slow_stream_is_a_violation_and_fast_passes() -> None:
    violations, unchecked = speed_checks(_offering(_speed(tps=45.0)), _workload(1200, min_tps=60))
    assert violations == ["latency: 45.0 output tokens/s per stream is below 60"]
    assert not unchecked
    assert speed_checks(_offering(_speed(tps=120.0, ttft=200)), _workload(1200, 300, 60)) == ([], False)


def test_no_published_figure_is_unchecked_not_ruled_out() -> None:
    assert speed_checks(_offering(None), _workload(1200, 300, 60)) == ([], True)
    # Only the target whose figure is missing is unchecked; the other is still checked.
    violations, unchecked = speed_checks(_offering(_speed(tps=None, ttft=900)), _workload(1000, 300, 60))
    assert violations == ["latency: time to first token 900 ms at 1,000 prompt tokens exceeds 300 ms"]
    assert unchecked is True
    # No targets: nothing to check, nothing unchecked.
    assert speed_checks(_offering(None), _workload(1200)) == ([], False)


def test_report_field() -> None:
    out = api_speed_out(_offering(_speed()), _workload(3000), unchecked=False)
    assert (out.output_tokens_per_s, out.ttft_ms, out.prompt_tokens, out.measured_ttft_ms) == (80.0, 600.0, 1000, 500.0)
    assert (out.source, out.as_of, out.unchecked) == ("https://artificialanalysis.ai/x", "2026-11-20", False)
    none = api_speed_out(_offering(None), _workload(3000), unchecked=True)
    assert (none.output_tokens_per_s, none.ttft_ms, none.source, none.as_of, none.unchecked) == (
        None,
        None,
        None,
        None,
        True,
    )


def test_one_summary_line() -> None:
    assert unchecked_summary(0, 40) is None
    assert unchecked_summary(3, 40) == (
        "latency unchecked for 3 of 40 options: no published speed or time to first token "
        "(marked '?' in the latency column)"
    )
