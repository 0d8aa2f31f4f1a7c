"""The workload's `customisation` section: the model is tuned on the team's own data.

A workload without the section (or with `method: none`) serves a base model, exactly as before.
The section says how the model is tuned (`lora` or `full`), how many tokens one training run
processes (given directly, or as examples × tokens per example × epochs), how many runs a year
(the first included), and how many tuned variants are served at once. docs/workload.md lists the
defaults; docs/methodology.md ("Fine-tuning") how each option prices them.
"""

# Annotations are evaluated as written, not postponed (no `from __future__ import annotations`): pydantic
# would otherwise `eval` every annotation string at class creation, a few ms of each start-up.
# Forward references are quoted.
from typing import Any, Literal

from ..modelbase import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

Method = Literal["none", "lora", "full"]
MAX_TRAINING_TOKENS = 1e12  # far beyond any fine-tuning run (a pre-training run is ~1e13)


class Customisation(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True, allow_inf_nan=False, defer_build=True)

    method: Method = Field(default="lora", description="lora (low-rank adapters), full (every weight), or none")
    training_tokens: float | None = Field(
        default=None,
        gt=0,
        le=MAX_TRAINING_TOKENS,
        description="tokens one training run processes (every epoch counted); or give examples, "
        "tokens_per_example and epochs",
    )
    examples: int | None = Field(default=None, ge=1, le=10_000_000_000, description="training examples")
    tokens_per_example: float | None = Field(default=None, gt=0, le=10_000_000, description="mean tokens per example")
    epochs: float | None = Field(default=None, gt=0, le=1000, description="passes over the examples (default 3)")
    runs_per_year: float = Field(
        default=1.0, ge=1, le=365, description="training runs a year, the first included (default 1)"
    )
    adapters: int = Field(default=1, ge=1, le=10_000, description="tuned variants served at once (default 1)")

    @field_validator("*", mode="before")
    @classmethod
    def _no_boolean_numbers(cls, value: Any, info: ValidationInfo) -> Any:
        # YAML reads `yes` as True, and pydantic would read True as 1 for a number.
        if isinstance(value, bool) and info.field_name not in (None, "method"):
            raise ValueError("expected a number, not a boolean")
        return value

    @model_validator(mode="after")
    def _one_form(self) -> "Customisation":
        if self.method == "none":
            return self
        direct = self.training_tokens is not None
        parts = [k for k in ("examples", "tokens_per_example", "epochs") if getattr(self, k) is not None]
        if direct and parts:
            raise ValueError(
                "give either training_tokens or examples and tokens_per_example (with epochs), not both "
                f"(got training_tokens and {', '.join(parts)})"
            )
        if not direct and (self.examples is None or self.tokens_per_example is None):
            raise ValueError(
                "give training_tokens, or examples and tokens_per_example (epochs defaults to 3)"
                + (f" (got only {', '.join(parts)})" if parts else "")
            )
        if self.tokens_per_run > MAX_TRAINING_TOKENS:
            raise ValueError(f"a run of {self.tokens_per_run:.3g} tokens is over the limit of {MAX_TRAINING_TOKENS:g}")
        return self

    @property
    def tokens_per_run(self) -> float:
        """Tokens one training run processes: the given figure, or examples × tokens × epochs."""
        if self.training_tokens is not None:
            return self.training_tokens
        if self.examples is None or self.tokens_per_example is None:
            return 0.0
        return self.examples * self.tokens_per_example * (self.epochs if self.epochs is not None else DEFAULT_EPOCHS)

    @property
    def runs_per_month(self) -> float:
        return self.runs_per_year / 12.0

    def with_training_tokens(self, tokens: float) -> "Customisation":
        """The same customisation with `tokens` per run given directly (sweeps and sensitivity)."""
        return self.model_copy(
            update={"training_tokens": tokens, "examples": None, "tokens_per_example": None, "epochs": None}
        )

    def describe(self) -> str:
        """One phrase for prose: what is priced."""
        variants = f", {self.adapters} variants served" if self.adapters > 1 else ""
        return (
            f"{'LoRA' if self.method == 'lora' else 'full'} fine-tuning on {self.tokens_per_run:,.0f} tokens "
            f"per run, {self.runs_per_year:g} run(s) a year{variants}"
        )


DEFAULT_EPOCHS = 3.0


def active(customisation: Customisation | None) -> Customisation | None:
    """The customisation to price, or None when the workload serves a base model."""
    if customisation is None or customisation.method == "none":
        return None
    return customisation
