"""Latency of API options: published speed, time to first token scaled to the workload's prompt.

An API offering may carry `speed` (catalogue `Offering.speed`): the median output tokens/s per stream
and the median time to first token (TTFT) that a public benchmark measured at `prompt_tokens` prompt
tokens. An offering without one takes its model's per-model figure (`Model.speed`, `basis: model`,
e.g. Artificial Analysis' median across the model's API endpoints); the report says which
(`api_speed.basis`). A workload's prompt is usually of another length, and TTFT grows with it because the
provider must read (prefill) the whole prompt before the first token. The rule:

    ttft(prompt) = ttft_measured + (prompt - prompt_measured) / prefill_tokens_per_s

with the offering's own `speed.prefill_tokens_per_s` where it is published, else
`DEFAULT_PREFILL_TOKENS_PER_S`. The result never drops below `MIN_TTFT_SHARE` of the measured TTFT:
part of a TTFT is queueing, network and the first decode step, which a shorter prompt does not save.

The default prefill rate is derived from Artificial Analysis' own workloads, which measure TTFT at
about 1,000 and about 10,000 input tokens on the same endpoints
(https://artificialanalysis.ai/methodology/performance-benchmarking): across the endpoints in our
catalogue the 10k-token TTFT is typically 0.4 to 1 s above the 1k-token one, i.e. 9,000 extra tokens
in 0.45 s = 20,000 tokens/s at the median. A provider that publishes nothing faster is assumed to
read prompts at that rate (docs/methodology.md, "API latency").

Pure: no I/O; the engine calls `speed_checks` for every API option and `api_speed_out` for its
report field.
"""

from __future__ import annotations

from typing import Any

from ..report import ApiSpeedOut, construct

DEFAULT_PREFILL_TOKENS_PER_S = 20_000.0
DEFAULT_PROMPT_TOKENS = 1_000  # Artificial Analysis' default workload (about 1k input tokens)
MIN_TTFT_SHARE = 0.5


def scaled_ttft_ms(speed: Any, prompt_tokens: float) -> float | None:
    """TTFT in ms for a prompt of `prompt_tokens`, from the measurement in `speed` (None if unpublished)."""
    if speed is None or speed.ttft_ms is None:
        return None
    measured_at = speed.prompt_tokens or DEFAULT_PROMPT_TOKENS
    rate = getattr(speed, "prefill_tokens_per_s", None) or DEFAULT_PREFILL_TOKENS_PER_S
    ttft = speed.ttft_ms + (prompt_tokens - measured_at) / rate * 1000.0
    return max(ttft, speed.ttft_ms * MIN_TTFT_SHARE)


def speed_of(offering: Any, model: Any = None) -> Any:
    """The speed figure that applies to an offering: its own, else its model's (basis model), else None."""
    if offering.speed is not None:
        return offering.speed
    return getattr(model, "speed", None)


def visible_ttft_ms(speed: Any, prompt_tokens: float, streamed_hidden: float = 0.0) -> float | None:
    """Time to the first visible token: the scaled TTFT, plus the hidden reasoning tokens an API
    streams before the answer at the published output speed (None: a figure it needs is missing).

    `streamed_hidden` is 0 where the API hides reasoning: its measured TTFT already comes after it."""
    ttft = scaled_ttft_ms(speed, prompt_tokens)
    if ttft is None or not streamed_hidden:
        return ttft
    tps = speed.output_tokens_per_s if speed is not None else None
    return ttft + streamed_hidden / tps * 1000.0 if tps else None


def speed_checks(
    offering: Any, workload: Any, model: Any = None, streamed_hidden: float = 0.0
) -> tuple[list[str], bool]:
    """(violations, unchecked) of an API offering against the workload's latency targets.

    `unchecked` is true when a target is set and the figure it needs is not published: the option is
    then not ruled out, only marked "latency unchecked". The TTFT target applies to the first
    visible token (`visible_ttft_ms`).
    """
    lat = workload.latency
    speed = speed_of(offering, model)
    prompt = float(workload.traffic.input_tokens)
    violations: list[str] = []
    unchecked = False
    if lat.max_ttft_ms is not None:
        ttft = visible_ttft_ms(speed, prompt, streamed_hidden)
        if ttft is None:
            unchecked = True
        elif ttft > lat.max_ttft_ms:
            after = f" after {streamed_hidden:,.0f} reasoning tokens" if streamed_hidden else ""
            violations.append(
                f"latency: time to first token {ttft:,.0f} ms at {prompt:,.0f} prompt tokens{after} exceeds "
                f"{lat.max_ttft_ms:,.0f} ms"
            )
    if lat.min_output_tokens_per_s is not None:
        tps = speed.output_tokens_per_s if speed is not None else None
        if tps is None:
            unchecked = True
        elif tps < lat.min_output_tokens_per_s:
            violations.append(
                f"latency: {tps:,.1f} output tokens/s per stream is below {lat.min_output_tokens_per_s:,.0f}"
            )
    return violations, unchecked


def api_speed_out(
    offering: Any, workload: Any, unchecked: bool = False, model: Any = None, streamed_hidden: float = 0.0
) -> ApiSpeedOut:
    """The report's `api_speed` field: published figures (nulls where none) with TTFT at the
    workload's prompt, to the first visible token."""
    speed = speed_of(offering, model)
    prompt = float(workload.traffic.input_tokens)
    ttft = visible_ttft_ms(speed, prompt, streamed_hidden)
    return construct(
        ApiSpeedOut,
        output_tokens_per_s=speed.output_tokens_per_s if speed is not None else None,
        ttft_ms=round(ttft, 1) if ttft is not None else None,
        source=speed.source if speed is not None else None,
        as_of=speed.as_of.isoformat() if speed is not None else None,
        prompt_tokens=(speed.prompt_tokens or DEFAULT_PROMPT_TOKENS) if speed is not None else None,
        measured_ttft_ms=speed.ttft_ms if speed is not None else None,
        basis=getattr(speed, "basis", None) if speed is not None else None,
        unchecked=unchecked,
    )


def dedicated_speed_out(fleet: Any, workload: Any) -> ApiSpeedOut:
    """`api_speed` of a tuned model on the provider's dedicated fleet: the priced replica's own
    estimate (its sizing), nulls when no replica could be priced."""
    found = not fleet.reason
    return construct(
        ApiSpeedOut,
        output_tokens_per_s=round(fleet.tokens_per_s, 1) if found else None,
        ttft_ms=round(fleet.ttft_ms, 1) if found else None,
        source=f"estimate: sizing of one {fleet.gpus_per_replica}x {fleet.gpu} replica at {fleet.precision}"
        if found
        else None,
        as_of=None,
        prompt_tokens=round(float(workload.traffic.input_tokens)) if found else None,
        measured_ttft_ms=None,
        basis="estimate" if found else None,
        unchecked=False,
    )


def unchecked_summary(n_unchecked: int, n_shown: int, marked: bool = True) -> str | None:
    """The one stderr line for options whose latency could not be checked (None when there are none);
    `marked`: the output shows the latency column that marks them (a narrow table hides it)."""
    if not n_unchecked:
        return None
    return f"latency unchecked for {n_unchecked} of {n_shown} options: no published speed or time to first " + (
        "token (marked '?' in the latency column)" if marked else "token (--format csv: api_speed_unchecked)"
    )
