"""A preset as a commented workload file to edit (`openclosed workload init --preset NAME`).

Every flat section is written out, each key with the preset's value (or the default) and a
comment saying what it means, so the file is a complete starting point: it loads back as exactly
the preset. Keys without a value (optional limits) are written commented out. The nested and
optional sections no preset sets (`traffic.classes`, `self_hosting.on_prem`, `customisation`,
`current_spend`) are left out; docs/workload.md describes them.
"""

from __future__ import annotations

import json
from typing import Any

from .model import Workload
from .presets import preset

# (section, key, comment); section "" is the top level.
LAYOUT: list[tuple[str, str, str]] = [
    ("traffic", "requests_per_day", "or requests_per_month / requests_per_second (exactly one)"),
    ("traffic", "input_tokens", "mean prompt tokens per request"),
    ("traffic", "output_tokens", "mean completion tokens per request"),
    ("traffic", "cached_input_share", "share of input tokens read from a prompt cache (0..1)"),
    ("traffic", "cache_write_share", "share of input tokens written to a prompt cache (0..1)"),
    ("traffic", "batch_share", "share of requests that can wait for a batch API (0..1)"),
    ("traffic", "peak_to_average", "peak over the average of the active hours (>= 1)"),
    ("traffic", "context_tokens", "longest single request the model must accept"),
    ("traffic", "uncertainty", "how far the volume may be off (s.d. of its log; 0.2 is about ±20 %)"),
    ("traffic", "hours_per_day", "the day's requests arrive within these hours"),
    ("traffic", "batch_window_hours", "the batch-tolerant share is served within these hours a day"),
    ("traffic", "reasoning", "none | low | medium | high (empty: each model at the mode its quality is measured at)"),
    ("traffic", "reasoning_tokens", "measured hidden reasoning tokens per request (overrides the mode's figure)"),
    ("latency", "max_ttft_ms", "time to first token, ms (empty: no target)"),
    ("latency", "min_output_tokens_per_s", "output tokens/s per stream (empty: no target)"),
    ("privacy", "sensitivity", "public | internal | confidential | regulated"),
    ("privacy", "allow_third_party", "may prompts be processed by another company's service?"),
    ("privacy", "residency", "regions where processing must stay; [] = anywhere"),
    ("licence", "commercial", "commercial use"),
    ("licence", "monthly_active_users", "your products' monthly active users (licence clauses)"),
    ("licence", "eu_company", "the deploying company is domiciled in the EU"),
    ("quality", "min_score", "floor on the quality index (Artificial Analysis Intelligence Index v4.3, 0..100)"),
    ("operations", "engineer_cost_per_month", "fully loaded cost of one engineer, USD"),
    ("operations", "self_hosting_engineers", "base effort to run any self-hosted fleet, in engineers"),
    ("operations", "engineers_per_node", "added per 8-GPU node of the fleet"),
    ("operations", "setup_engineer_months", "one-time effort, spread over horizon_months"),
    ("operations", "on_prem_engineers", "owned servers' on-call and datacentre effort (empty: the catalogue's)"),
    ("self_hosting", "precisions", "precisions the team accepts for self-hosted weights"),
    ("self_hosting", "utilisation_cap", "highest share of a replica's capacity used at peak"),
    ("self_hosting", "gpu_price_multiplier", "scale every GPU price (0.7 = a 30 % discount)"),
    ("self_hosting", "commitment", "none | 1y | 3y committed-use GPU prices"),
    ("self_hosting", "min_replicas", "interactive replicas kept for availability (empty: 2; 1 if all batch)"),
    ("self_hosting", "scale_to_zero", "bill GPUs only for traffic.hours_per_day"),
    ("self_hosting", "spot", "true: the batch-tolerant share on spot GPUs; all: everything on spot"),
    ("self_hosting", "kv_cache_dtype", "bf16 (the serving engines' default) | fp8"),
    ("self_hosting", "speculative", "none | mtp | eagle"),
    ("budget", "max_monthly_cost", "USD a month (openclosed check; 0.1 × it is the cost materiality)"),
    ("budget", "max_cost_per_million", "USD per million tokens"),
    ("budget", "max_capex", "USD paid up front for owned servers (openclosed check --max-capex)"),
    ("budget", "max_increase_pct", "allowed increase over a --baseline report, percent"),
    ("", "horizon_months", "planning horizon: setup cost and lifecycle checks"),
]


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value == int(value) and abs(value) < 1e15:
        return str(int(value))
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_scalar(v) for v in value) + "]"
    text = str(getattr(value, "value", value))
    return text if text.replace("-", "").replace("_", "").isalnum() else json.dumps(text)


def preset_yaml(name: str) -> str:
    """The preset `name` as a commented workload file (schema version 1)."""
    wl: Workload = preset(name)
    lines = [
        f"# openclosed workload, from the '{wl.name}' preset (`openclosed workload init --preset {wl.name}`).",
        "# Edit the figures, then: openclosed compare THIS_FILE. Keys, units and defaults: docs/workload.md.",
        "version: 1",
        f"name: {_scalar(wl.name)}",
    ]
    if wl.description:
        lines.append(f"description: {json.dumps(wl.description)}")
    sections: dict[str, list[tuple[str, Any, str]]] = {}
    for sec, key, comment in LAYOUT:
        owner = getattr(wl, sec) if sec else wl
        sections.setdefault(sec, []).append((key, getattr(owner, key), comment))
    for sec, keys in sections.items():
        indent = "  " if sec else ""
        if sec:
            # A section whose every key is unset is written commented out (an empty one is null).
            unset = all(value is None for _, value, _ in keys)
            lines.append(f"# {sec}:" if unset else f"{sec}:")
        for key, value, comment in keys:
            entry = f"{indent}{key}: {_scalar(value)}" if value is not None else f"{indent}# {key}:"
            lines.append(f"{entry:<34} # {comment}" if len(entry) < 34 else f"{entry}  # {comment}")
    return "\n".join(lines) + "\n"
