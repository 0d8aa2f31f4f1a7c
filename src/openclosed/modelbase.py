"""Where every model module gets its base class and field helpers: pydantic's, or the plain records
of `plain_models`.

Pydantic does three jobs here: it validates input (workload files, catalogue files, flags), it
writes the JSON schemas, and its model classes hold the data the engine computes with. A compare
whose catalogue comes from the validated cache (catalog/cache.py) and whose workload is a preset or
a file validated on an earlier run (workload/validated.py) does only the third, for which importing
pydantic and building its 71 model classes is about a third of the command. Such a run
(cli/fast.py decides, before any model module is imported) calls `use_plain()`; the model modules
then build the same classes on `plain_models.BaseModel`: the same fields, defaults, methods and
data layout, without validation. Anything that would validate raises
`plain_models.NeedsValidation`, and the run starts again with pydantic (cli/fast.py).

Every other process (other commands, in-process callers, the test process itself) gets pydantic:
the mode is fixed by the first import of a model module and cannot change after it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # what the type checker sees either way: the classes are laid out alike
    from pydantic import (  # noqa: F401
        BaseModel,
        ConfigDict,
        Field,
        ValidationError,
        ValidationInfo,
        field_validator,
        model_validator,
    )

NAMES = (
    "BaseModel",
    "ConfigDict",
    "Field",
    "ValidationError",
    "ValidationInfo",
    "field_validator",
    "model_validator",
)
_mode: str | None = None


def use_plain() -> bool:
    """Build the models on plain records from now on; False (and nothing changes) when a model
    module has already been built on pydantic."""
    global _mode
    if _mode is None:
        _mode = "plain"
    return _mode == "plain"


def plain() -> bool:
    """Whether this process's models are plain records (fixes the mode at pydantic if not set)."""
    global _mode
    if _mode is None:
        _mode = "pydantic"
    return _mode == "plain"


def slot_setter(name: str) -> Any:
    """The setter of one of BaseModel's slots (pydantic's and the plain records' have the same
    four), called directly: `object.__setattr__` looks the descriptor up on every call, a third of
    building a small model, done some thousands of times a run."""
    slot = vars(__getattr__("BaseModel")).get(name)
    if type(slot).__name__ == "member_descriptor":
        return slot.__set__
    return lambda obj, value: object.__setattr__(obj, name, value)


def __getattr__(name: str) -> Any:
    if name not in NAMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    if plain():
        from . import plain_models as source
    else:
        import pydantic as source  # type: ignore[no-redef]
    value = getattr(source, name)
    globals()[name] = value  # later imports find it without this function
    return value
