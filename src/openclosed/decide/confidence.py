"""How sure the recommendation is: sample the scenarios (`scenarios.Frame`), set each option's
cost range, and measure how often the recommended option stays first.

What is uncertain and by how much lives in `uncertainty`; how one scenario is priced in `scenarios`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .scenarios import Frame
from .uncertainty import percentile

if TYPE_CHECKING:
    from ..evaluation import Context, Detail
    from ..report import OptionOut, Recommendation

CLOSE_CALL = 0.6  # below this confidence the recommendation says it is a close call


@dataclass
class Assessment:
    """How often the recommendation wins the sampled scenarios, and which option wins the others."""

    samples: int
    confidence: float | None
    contender: str | None  # the option that wins most of the other scenarios
    contender_share: float
    model_share: float | None = None  # share in which the recommended model (at any host) comes first


def assess(
    ctx: Context, options: list[OptionOut], details: dict[str, Detail], recommended: str | None
) -> Assessment | None:
    """Sample the scenarios, set every option's monthly_cost_low/high, and measure how often the
    recommended option stays first. None when sampling is off (Settings.samples = 0)."""
    n = ctx.st.samples
    if n <= 0 or not options:
        return None
    frame = Frame(ctx, options, details)
    sc = frame.draw(n, ctx.st.seed)
    out = frame.evaluate(sc, recommended)
    ctx.ranges = Ranges(frame, out.costs)
    if not getattr(ctx.st, "lazy_ranges", False):
        ctx.ranges.fill(options)
    if recommended is None:
        return Assessment(n, None, None, 0.0)
    ref = frame.index[recommended]
    stays = sum(1 for w in out.winners if w == ref)
    others: dict[int, int] = {}
    for w in out.winners:
        if w is not None and w != ref:
            others[w] = others.get(w, 0) + 1
    contender, share = None, 0.0
    if others:
        top = min(others, key=lambda i: (-others[i], frame.entries[i].option.id))
        contender, share = frame.entries[top].option.id, others[top] / n
    model = frame.entry(ref).option.model
    same_model = sum(1 for w in out.winners if w is not None and frame.entries[w].option.model == model)
    return Assessment(n, round(stays / n, 3), contender, round(share, 3), round(same_model / n, 3))


class Ranges:
    """Sets options' monthly_cost_low/high (the 10th and 90th percentiles of their sampled
    costs). Pricing every scenario of every option is most of the sampling's time, and a command
    that prints a few dozen of 1,400 options asks only for those (`Settings.lazy_ranges`)."""

    def __init__(self, frame: Any, costs: Any) -> None:
        self.frame, self.costs = frame, costs  # costs: priced once per option, when first asked
        # Options whose reported cost is not the one sampled (a routed workload's single option,
        # costed class by class): their range is the sampled one scaled to the reported cost.
        self.scale: dict[str, float] = {}

    def fill(self, options: list[OptionOut]) -> None:
        for o in options:
            i = self.frame.index.get(o.id)
            if i is None:
                continue
            cs = self.costs[i]
            if cs is None or math.inf in cs:
                continue
            xs = sorted(cs)
            k = self.scale.get(o.id, 1.0)
            o.__dict__["monthly_cost_low"] = round(percentile(xs, 0.1, presorted=True) * k, 6)
            o.__dict__["monthly_cost_high"] = round(percentile(xs, 0.9, presorted=True) * k, 6)


def close_call_text(a: Assessment) -> str | None:
    """The sentence the recommendation adds when it is a close call."""
    if a.confidence is None or a.confidence >= CLOSE_CALL:
        return None
    txt = f"A close call: it stays first in {a.confidence:.0%} of {a.samples} sampled scenarios"
    if a.model_share is not None and a.model_share > a.confidence:
        # Often the same model at another host: the choice of model is surer than that of host.
        txt += f" (the same model, at any host, in {a.model_share:.0%})"
    if a.contender:
        txt += f"; {a.contender} comes first in {a.contender_share:.0%}"
    return txt + " (see `openclosed sensitivity`)."


def apply(
    ctx: Context, options: list[OptionOut], details: dict[str, Detail], rec: Recommendation | None
) -> float | None:
    """The engine's one call: cost ranges on the options, a close-call sentence on the
    recommendation, and the recommendation's confidence (None when sampling is off)."""
    a = assess(ctx, options, details, rec.id if rec is not None else None)
    if a is None or rec is None:
        return None
    extra = close_call_text(a)
    if extra:
        rec.__dict__["why"] = f"{rec.why} {extra}"
    return a.confidence
