"""Speculative decoding: a cheap draft proposes tokens, the model verifies them in one step.

A step runs the model over the draft plus one token per sequence (the weights and the cache are read
once, the FLOPs grow) and the drafts themselves (one layer each: DeepSeek's MTP module and an EAGLE
head are one decoder layer), and emits on average `tokens_per_step` tokens per sequence. The
acceptance figures are published measurements, cited below (docs/methodology.md §3.5).
"""

from __future__ import annotations

from dataclasses import dataclass

SPECULATIVE_METHODS = ("none", "mtp", "eagle")


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class Speculation:
    """A speculative-decoding method: tokens drafted and emitted per step, and the evidence for them."""

    draft_tokens: int  # tokens drafted per step
    tokens_per_step: float  # mean tokens emitted per verify step, the always-accepted one included
    evidence: str


SPECULATION: dict[str, Speculation] = {
    # DeepSeek-V3 Technical Report (arXiv 2412.19437) §5.4.3: "the acceptance rate of the second token
    # prediction ranges between 85% and 90%", 1.8x TPS. One MTP draft token, the low end taken.
    "mtp": Speculation(1, 1.85, "https://arxiv.org/abs/2412.19437 (§5.4.3: 85-90 % of MTP drafts accepted)"),
    # AngelSlim's EAGLE-3 benchmarks: mean accept length 1.74-2.20 over GSM8K, Alpaca, HumanEval and
    # MT-bench for Qwen3 1.7B-32B and 30B-A3B (2.04 for the MoE); three drafted tokens per step.
    "eagle": Speculation(
        3,
        2.0,
        "https://angelslim.readthedocs.io/zh-cn/latest/performance/speculative_decoding/benchmarks.html "
        "(EAGLE-3 accept length 1.74-2.20, Qwen3 family)",
    ),
}


def speculation_for(method: str, mtp_layers: int) -> Speculation | None:
    """The speculation a method gives a model: MTP needs the model's own MTP layers (none: plain
    decoding); EAGLE a trained draft head, assumed available."""
    if method == "mtp" and mtp_layers > 0:
        return SPECULATION["mtp"]
    if method == "eagle":
        return SPECULATION["eagle"]
    return None
