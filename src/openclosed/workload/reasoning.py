"""What a workload's reasoning setting means for one model: the mode priced, the hidden tokens a
request generates in it, and the quality index measured in it (docs/methodology.md, "Reasoning
tokens").

Hidden (reasoning) tokens are generated like any output token but never shown: an API bills them
at the output price, a self-hosted replica decodes them (they count in its time per request, its
throughput, its KV cache and its capacity), and the first visible token comes after them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..catalog.schema import Model
    from .model import Traffic

LEVELS = ("none", "low", "medium", "high")


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class ReasoningPlan:
    """The reasoning a model is priced with under one workload."""

    mode: str  # none | low | medium | high: the mode priced
    hidden_tokens: float  # hidden tokens per request
    quality: float | None  # the quality index in that mode (the model's index in its default mode)
    quality_estimated: bool
    warning: str | None = None  # the mode asked for is not one the model offers

    def decoded(self, output_tokens: float) -> float:
        """Tokens decoded per request: the visible answer and the hidden reasoning before it."""
        return output_tokens + self.hidden_tokens


def _nearest(asked: str, offered: list[str]) -> str:
    """The offered mode closest to the one asked for; between two as close, the lighter one."""
    i = LEVELS.index(asked)
    return min(offered, key=lambda m: (abs(LEVELS.index(m) - i), LEVELS.index(m)))


def resolve(model: Model, traffic: Traffic) -> ReasoningPlan:
    """The mode priced for `model`: `traffic.reasoning`, else the model's default mode; the hidden
    tokens of that mode, unless `traffic.reasoning_tokens` gives a measured mean.

    A model without reasoning modes does not reason: mode none, no hidden tokens, whatever is asked
    (a measured `reasoning_tokens` too: it is the reasoning of models that reason).
    A mode the model does not offer is priced at the nearest one it offers, with a warning.
    A mode's quality is the model's `quality.index` moved by the difference between that mode and
    the default mode on the snapshot the modes were measured on, so that the default mode keeps the
    catalogue's one index and the other modes sit on its scale."""
    q = model.quality
    index = q.index if q is not None else None
    estimated = bool(q and q.estimated)
    r = model.reasoning
    if r is None:
        return ReasoningPlan("none", 0.0, index, estimated)
    asked = traffic.reasoning or r.default
    offered = [m.mode for m in r.modes]
    warning = None
    mode_name = asked
    if asked not in offered:
        mode_name = _nearest(asked, offered)
        warning = f"reasoning: {model.name} has no '{asked}' mode; priced at '{mode_name}'"
    mode = r.mode(mode_name)
    default = r.mode(r.default)
    assert mode is not None and default is not None
    quality = index
    if index is not None and mode_name != r.default and mode.quality is not None and default.quality is not None:
        quality = round(min(100.0, max(0.0, index + mode.quality - default.quality)), 1)
    hidden = traffic.reasoning_tokens if traffic.reasoning_tokens is not None else mode.hidden_tokens
    return ReasoningPlan(mode_name, hidden, quality, estimated, warning)
