"""Fine-tuning: the workload's customisation section, the catalogue's fine_tuning objects, and how
every option prices (or rules out) a tuned model (docs/methodology.md, "Fine-tuning")."""

from __future__ import annotations

import pytest
from conftest import write

from openclosed.workload.customisation import Customisation, active
from openclosed.workload.model import Workload

BASE = {"traffic": {"requests_per_day": 1000, "input_tokens": 500, "output_tokens": 200}}


def _wl(**custom: object) -> Workload:
    return Workload.model_validate({**BASE, "customisation": custom})


def test_tokens_per_run_from_either_form() -> None:
    assert _wl(training_tokens=20e6).customisation.tokens_per_run == 20e6  # type: ignore[union-attr]
    # 10,000 examples × 650 tokens × 3 epochs (the default) = 19.5 M tokens
    c = _wl(examples=10_000, tokens_per_example=650).customisation
    assert c is not None and c.tokens_per_run == 19_500_000
    assert _wl(examples=100, tokens_per_example=10, epochs=2).customisation.tokens_per_run == 2000  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "custom, message",
    [
        ({"training_tokens": 1e6, "examples": 5}, "not both"),
        ({"examples": 5}, "give training_tokens"),
        ({}, "give training_tokens"),
        ({"training_tokens": 1e6, "runs_per_year": 0}, "greater than or equal to 1"),
        ({"training_tokens": 1e6, "adapters": True}, "not a boolean"),
        ({"training_tokens": 1e6, "method": "qlora"}, "'none', 'lora' or 'full'"),
    ],
)
def test_customisation_is_validated(custom: dict, message: str) -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match=message):
        _wl(**custom)


def test_method_none_is_no_customisation() -> None:
    assert active(Customisation(method="none")) is None
    assert active(None) is None
    assert active(Customisation(training_tokens=1e6)) is not None


def test_bad_customisation_is_one_line_with_the_file_line(cli, tmp_path) -> None:
    path = write(
        tmp_path / "w.yaml",
        "traffic: {requests_per_day: 1000, input_tokens: 500, output_tokens: 200}\n"
        "customisation:\n  method: lora\n  training_tokens: 2e7\n  examples: 5\n",
    )
    r = cli("compare", str(path))
    assert r.code == 2
    assert r.err.strip().count("\n") == 0
    assert "w.yaml:2: customisation: give either training_tokens" in r.err


def test_a_bare_true_still_loads_and_an_object_is_read_back_from_the_cache(catalog) -> None:
    from openclosed.catalog.schema import FineTuning, Offering

    bare = Offering.model_validate(
        {"model": "m", "prices": {"input": 1, "output": 2}, "fine_tuning": True, "source": "x", "as_of": "2026-01-01"}
    )
    assert bare.fine_tuning is True
    offering = next(o for o in catalog.api_provider("together").offerings if o.model == "llama-3.1-8b")
    assert isinstance(offering.fine_tuning, FineTuning)
    assert offering.fine_tuning.training_per_million == {"lora": 0.48, "full": 0.54}
