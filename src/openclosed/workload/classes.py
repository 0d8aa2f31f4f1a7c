"""Traffic classes as workloads: one class on its own (`resolve_class`) and the classes' mix (`blend`).

A class is a share of the workload's requests with, optionally, its own token profile and its
own `quality` and `latency` needs; every key it leaves unset is the workload's. Routing
(`routing.py`) compares each class as a workload of its own; the whole-traffic comparison
prices every option for the mix of the classes (`blend`).
"""

from __future__ import annotations

import math
from typing import Any

from ..errors import InputError
from ..modelbase import ValidationError
from .model import TrafficClass, Workload, problems_from

# The traffic keys a class may set; everything else (rate, batch share, peaks) is the workload's.
TOKEN_KEYS = ("input_tokens", "output_tokens", "cached_input_share", "cache_write_share", "context_tokens")
# A class's reasoning mode and measured hidden tokens; the whole-traffic mix keeps the workload's
# own (a mode cannot be averaged), and the single option is costed class by class (routing).
REASONING_KEYS = ("reasoning", "reasoning_tokens")


def _merged(section: Any, override: Any) -> dict[str, Any]:
    """The workload's section with the keys the class gives (an explicit null clears a target)."""
    data = section.model_dump()
    if override is not None:
        data.update({k: getattr(override, k) for k in override.model_fields_set})
    return data


def resolve_class(workload: Workload, cls: TrafficClass, index: int | None = None) -> Workload:
    """The workload of one class: its share of the requests, its tokens, its quality and latency.

    The rate becomes requests per month (share × the workload's). The longest request
    (`context_tokens`) is the class's own when given; else the workload's when that is at least
    the class's mean input + output (the workload's longest request bounds every class), else
    the class's input + output, the schema's default."""
    t = workload.traffic
    traffic = t.model_dump(exclude={"classes", "requests_per_day", "requests_per_second"})
    traffic["requests_per_month"] = workload.requests_per_month * cls.share
    for key in TOKEN_KEYS + REASONING_KEYS:
        value = getattr(cls, key)
        if value is not None:
            traffic[key] = value
    if cls.context_tokens is None:
        shortest = traffic["input_tokens"] + traffic["output_tokens"]
        traffic["context_tokens"] = t.context_tokens if t.context_tokens and t.context_tokens >= shortest else None
    data = workload.model_dump(exclude={"traffic", "quality", "latency"})
    data.update(
        name=f"{workload.name} · {cls.name}",
        traffic=traffic,
        quality=_merged(workload.quality, cls.quality),
        latency=_merged(workload.latency, cls.latency),
    )
    try:
        return Workload.model_validate(data)
    except ValidationError as exc:
        where = f"traffic.classes[{index}]" if index is not None else f"traffic.classes ({cls.name})"
        problems = problems_from(exc, None, None)
        for p in problems:
            p.field = where + (f" ({p.field})" if p.field else "")
        raise InputError(problems) from None


def resolve_classes(workload: Workload) -> list[Workload]:
    return [resolve_class(workload, c, i) for i, c in enumerate(workload.traffic.classes or [])]


def blend(workload: Workload) -> Workload:
    """The workload with its token keys set to the classes' mix (itself when it has no classes).

    Means are weighted by requests (tokens) and by input tokens (cache shares), so that an API
    option's whole-traffic price equals the sum of its per-class prices (pricing is linear in
    these). The longest request is the longest of any class. A key no class sets stays the
    workload's own value exactly."""
    classes = workload.traffic.classes
    if not classes:
        return workload
    resolved = resolve_classes(workload)
    shares = [c.share for c in classes]
    ts = [w.traffic for w in resolved]
    update: dict[str, Any] = {}
    if any(c.input_tokens is not None for c in classes):
        update["input_tokens"] = round(sum(s * t.input_tokens for s, t in zip(shares, ts, strict=True)), 6)
    if any(c.output_tokens is not None for c in classes):
        update["output_tokens"] = round(sum(s * t.output_tokens for s, t in zip(shares, ts, strict=True)), 6)
    tin = update.get("input_tokens", workload.traffic.input_tokens)
    for key in ("cached_input_share", "cache_write_share"):
        if any(getattr(c, key) is not None for c in classes):
            weighted = sum(s * t.input_tokens * getattr(t, key) for s, t in zip(shares, ts, strict=True))
            update[key] = min(1.0, round(weighted / tin, 9))
    if any(c.input_tokens or c.output_tokens or c.context_tokens for c in classes):
        update["context_tokens"] = max(t.context_tokens_value for t in ts)
    if not update:
        return workload
    traffic = workload.traffic.model_copy(update=update)
    return workload.model_copy(update={"traffic": traffic})


def blend_notes(workload: Workload, blended: Workload) -> list[str]:
    """Say where the whole-traffic figures differ from the keys written in the workload."""
    out = []
    a, b = workload.traffic, blended.traffic
    for key in ("input_tokens", "output_tokens", "cached_input_share", "cache_write_share"):
        if not math.isclose(getattr(a, key), getattr(b, key), rel_tol=1e-5, abs_tol=1e-6):
            out.append(f"traffic.{key} {getattr(a, key):g} → {getattr(b, key):g}")
    if not out:
        return []
    return [
        "the whole-traffic comparison prices every option for the classes' mix: " + ", ".join(out) + " (mean by share)"
    ]
