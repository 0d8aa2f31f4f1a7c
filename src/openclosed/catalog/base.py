"""The base of every catalogue model: strict (unknown keys are errors) and, for facts, sourced."""

# Annotations are evaluated as written, not postponed (no `from __future__ import annotations`): pydantic
# would otherwise `eval` every annotation string at class creation, a few ms of each start-up.
# Forward references are quoted.
import datetime as dt

from ..modelbase import BaseModel, ConfigDict, Field

Id = str


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, allow_inf_nan=False, defer_build=True)


class Sourced(Strict):
    """A fact with provenance."""

    source: str = Field(min_length=1, description="URL or repository path the fact comes from")
    as_of: dt.date = Field(description="date the source states (or the date it was read)")
    note: str | None = Field(default=None, description="caveats, conflicts and which value was chosen")
