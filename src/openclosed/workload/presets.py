"""The built-in workloads (`--preset NAME`): each a workload as a file would give it, built without
running pydantic's validator (`model.as_validated`; tests/test_workload.py checks each against
`Workload.model_validate`)."""

from __future__ import annotations

from typing import Any

from ..errors import InputError
from .model import Workload, as_validated, suggest

PRESETS: dict[str, dict[str, Any]] = {
    "chatbot": {
        "name": "chatbot",
        "description": "Customer-support chat: short prompts with a cached system prompt, "
        "interactive replies, strong daily peaks.",
        "traffic": {
            "requests_per_day": 50_000,
            "input_tokens": 1200,
            "output_tokens": 300,
            "cached_input_share": 0.5,
            "peak_to_average": 3.0,
            "context_tokens": 8000,
            "reasoning": "low",
        },
        "latency": {"max_ttft_ms": 2000, "min_output_tokens_per_s": 20},
    },
    "rag": {
        "name": "rag",
        "description": "Question answering over internal documents: long retrieved context, short answers.",
        "traffic": {
            "requests_per_day": 20_000,
            "input_tokens": 6000,
            "output_tokens": 400,
            "cached_input_share": 0.1,
            "peak_to_average": 3.0,
            "context_tokens": 16000,
            "reasoning": "low",
        },
        "latency": {"max_ttft_ms": 3000, "min_output_tokens_per_s": 15},
        "privacy": {"sensitivity": "confidential"},
    },
    "batch": {
        "name": "batch",
        "description": "Nightly summarisation: everything can wait for a batch API; no latency target.",
        "traffic": {
            "requests_per_day": 100_000,
            "input_tokens": 3000,
            "output_tokens": 500,
            "batch_share": 1.0,
            "peak_to_average": 1.0,
            "context_tokens": 8000,
            "reasoning": "low",
        },
    },
    "code-assistant": {
        "name": "code-assistant",
        "description": "IDE assistant for a 200-developer team: large cached repository context, "
        "fast completions, office-hours peaks.",
        "traffic": {
            "requests_per_day": 40_000,
            "input_tokens": 8000,
            "output_tokens": 250,
            "cached_input_share": 0.7,
            "peak_to_average": 4.0,
            "context_tokens": 32000,
            "reasoning": "low",
        },
        "latency": {"max_ttft_ms": 1500, "min_output_tokens_per_s": 40},
        "privacy": {"sensitivity": "confidential"},
    },
    "agent": {
        "name": "agent",
        "description": "Tool-using agent: many steps per task with a growing, mostly cached context.",
        "traffic": {
            "requests_per_day": 30_000,
            "input_tokens": 20_000,
            "output_tokens": 800,
            "cached_input_share": 0.8,
            "peak_to_average": 2.0,
            "context_tokens": 64000,
        },
        "latency": {"max_ttft_ms": 5000, "min_output_tokens_per_s": 20},
    },
}
DEFAULT_PRESET = "chatbot"


def preset(name: str) -> Workload:
    key = name.strip().lower()
    if key not in PRESETS:
        raise InputError.one(f"unknown preset '{name}'" + suggest(key, list(PRESETS)), field="--preset")
    return as_validated(Workload, PRESETS[key])
