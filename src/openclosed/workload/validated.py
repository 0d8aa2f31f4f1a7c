"""Validated workload files kept between runs, as the catalogue cache keeps the catalogue.

A workload file is validated with pydantic the first time it is read. What validation gave is kept
as JSON in the cache directory (`workload-<key>.json`, through catalog/cache.py's guarded reads and
atomic writes), keyed by a SHA-256 of the file's text, the package version, pydantic's version and
the workload's model modules. A later read of the same text rebuilds that workload from it, every
value checked against its field as the catalogue's are, without YAML or validation; a `compare` of
the file then runs on plain records (modelbase.py). A workload with traffic classes is not kept:
routing validates each class's workload anyway. An entry that cannot be used is ignored and the
file validated again. `OPENCLOSED_NO_CACHE=1` turns it off with the rest of the cache.

Imports no model at module level: cli/fast.py looks an entry up before the models are built.
"""

from __future__ import annotations

from typing import Any, TypeVar

from ..catalog import cache

_W = TypeVar("_W")  # the Workload model (workload/model.py calls this module, never the reverse)

ENABLED = True  # the test suite turns it off in its own process, where a test may patch the models
PREFIX = "workload-"
KEEP = 16  # a team moves between a few workload files; each entry is a few kB
FORMAT = 1


def key(text: str) -> str:
    """The entry's key for a workload file's text."""
    h = cache.code_hash(f"workload-format={FORMAT}", __package__ or "", ("model", "customisation"))
    h.update(text.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def lookup(text: str, model: type[_W]) -> _W | None:
    """The workload (a `model`) validated from this text on an earlier run, or None."""
    directory = cache.cache_dir()
    if directory is None or not ENABLED:
        return None
    try:
        payload = cache.read(directory, key(text), PREFIX)
    except OSError:
        return None
    if payload is None:
        return None
    try:
        return cache.construct(model, payload["workload"])  # type: ignore[no-any-return]
    except Exception:  # an entry of the wrong shape: the file is validated again
        return None


def keep(text: str, workload: Any) -> None:
    """Keep what validating this text gave, for the next run."""
    directory = cache.cache_dir()
    if directory is None or not ENABLED or workload.traffic.classes:
        return
    try:
        entry: dict[str, Any] = {"workload": workload.model_dump(mode="json", exclude_unset=True)}
        cache.write(directory, key(text), entry, PREFIX, KEEP)
    except (OSError, ValueError, TypeError):
        pass  # only costs speed
