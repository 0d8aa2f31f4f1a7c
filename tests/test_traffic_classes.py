"""traffic.classes in the workload schema (DESIGN.md section 10): validation only; routing is the engine's."""

from __future__ import annotations

import pytest

from openclosed.errors import InputError
from openclosed.workload.model import workload_from_dict
from openclosed.workload.usage.models import map_model


def _wl(classes: list[dict]) -> dict:
    return {"traffic": {"requests_per_day": 1000, "input_tokens": 800, "output_tokens": 200, "classes": classes}}


def test_classes_load_with_their_own_keys() -> None:
    wl = workload_from_dict(
        _wl(
            [
                {"name": "easy", "share": 0.8, "input_tokens": 600, "output_tokens": 200, "quality": {"min_score": 30}},
                {"name": "hard", "share": 0.2, "input_tokens": 4000, "latency": {"max_ttft_ms": 3000}},
            ]
        )
    )
    easy, hard = wl.traffic.classes or []
    assert (easy.share, easy.input_tokens, easy.quality.min_score) == (0.8, 600, 30)  # type: ignore[union-attr]
    assert hard.output_tokens is None and hard.latency.max_ttft_ms == 3000  # type: ignore[union-attr]
    # A workload without classes is unchanged.
    assert workload_from_dict(_wl([{"name": "all", "share": 1}])).traffic.classes[0].name == "all"  # type: ignore[index]


@pytest.mark.parametrize(
    ("classes", "message"),
    [
        ([{"name": "a", "share": 0.5}, {"name": "b", "share": 0.4}], "shares must sum to 1 (got 0.9)"),
        ([{"name": "a", "share": 0.5}, {"name": "a", "share": 0.5}], "names must be unique (repeated: a)"),
        ([{"name": "a", "share": 0}], "traffic.classes[0].share"),
        ([{"name": "a", "share": 1.2}], "traffic.classes[0].share"),
        ([{"name": "a", "share": 1, "inptu_tokens": 5}], "did you mean 'input_tokens'?"),
        ([{"name": "a", "share": 1, "quality": {"min_scor": 5}}], "did you mean 'min_score'?"),
        ([], "traffic.classes"),
    ],
)
def test_bad_classes_are_located(classes: list[dict], message: str) -> None:
    with pytest.raises(InputError) as exc:
        workload_from_dict(_wl(classes), "w.yaml")
    assert message in str(exc.value)


def test_shares_within_a_millionth_are_accepted() -> None:
    shares = [0.3333333, 0.3333333, 0.3333334]
    wl = workload_from_dict(_wl([{"name": str(i), "share": s} for i, s in enumerate(shares)]))
    assert len(wl.traffic.classes or []) == 3


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("gpt-4o-2024-08-06", "gpt-4o"),  # a catalogue alias
        ("openai/gpt-4o", "gpt-4o"),  # router prefix
        ("ft:gpt-4o-mini-2024-07-18:acme::abc123", "gpt-4o-mini"),  # fine-tune of a dated base
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4.5"),
        ("anthropic/claude-sonnet-4.5", "claude-sonnet-4.5"),
        ("claude-opus-4-1", "claude-opus-4.1"),
        ("gpt-4.1-mini-2025-04-14", "gpt-4.1-mini"),
        ("together_ai/meta-llama/Llama-3.3-70B-Instruct", "llama-3.3-70b"),
        ("bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4.5"),
        ("meta-llama/llama-3.3-70b-instruct:free", "llama-3.3-70b"),
        ("claude-3-5-sonnet-20241022", None),
        ("internal-router-v2", None),
    ],
)
def test_export_model_names_map_to_catalogue_ids(catalog, given: str, expected: str | None) -> None:
    assert map_model(catalog, given).model_id == expected
