"""The on-disk cache of the validated embedded catalogue: data only, never code.

Parsing and validating the two YAML files costs a few hundred milliseconds per run (most of it
building pydantic's validators). The cache keeps the *validated* data as JSON in the user's cache
directory and rebuilds the models with `model_construct`, which neither validates nor builds a
validator; that is safe only because the entry's key proves it came from exactly these inputs:

- the key is a SHA-256 of the catalogue files' *contents* (not size or mtime), the package version,
  the schema module's source and the pydantic version; an entry whose key does not match is ignored;
- JSON cannot run code when read (the old pickle could);
- a cache directory or file that is a symlink, is not owned by the current user, or is writable by
  group or others is ignored (and never written through), so another user of a shared
  `XDG_CACHE_HOME` cannot plant an entry; anything but a regular file (a FIFO, a device) is opened
  non-blocking and left unread;
- anything unexpected (bad JSON, wrong shape, wrong types) is ignored and the catalogue rebuilt.

Writes are atomic (temporary file + rename), and old entries are pruned so the directory stays small.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import stat
import sys
import types
import typing
from pathlib import Path
from typing import Any

FORMAT = 1
PREFIX = "catalog-"
SUFFIX = ".json"
KEEP = 4  # entries kept after a write: a few installed versions can share one cache directory
MAX_BYTES = 20_000_000  # far above the real size (~0.2 MB): a bound on what we read, not a tight fit
# Files an older version of the tool left behind; removed when we prune.
LEGACY = ("catalog-*.pickle",)


def cache_dir() -> Path | None:
    """`$XDG_CACHE_HOME/openclosed` (default `~/.cache/openclosed`); None when caching is off."""
    if os.environ.get("OPENCLOSED_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "openclosed"


def cache_key(files: list[Path]) -> str:
    """Hash of the catalogue files' bytes, the package version, the schema code and pydantic."""
    import pydantic

    from .. import __version__
    from . import schema

    h = hashlib.sha256()
    for part in (f"format={FORMAT}", __version__, pydantic.VERSION, f"{sys.version_info[:2]}"):
        h.update(part.encode() + b"\0")
    h.update(Path(schema.__file__).read_bytes() + b"\0")
    for f in files:
        data = f.read_bytes()
        h.update(f"{f.name}:{len(data)}:".encode() + data + b"\0")
    return h.hexdigest()


def _safe_dir(path: Path) -> bool:
    """A directory we may trust: a real directory (not a symlink), ours, not writable by others."""
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISDIR(st.st_mode) and _ours(st)


def _ours(st: os.stat_result) -> bool:
    if hasattr(os, "getuid") and st.st_uid != os.getuid():
        return False
    return not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def read(directory: Path, key: str) -> dict[str, Any] | None:
    """The cached payload for `key`, or None (missing, unsafe, corrupt or for another key)."""
    if not _safe_dir(directory):
        return None
    path = directory / f"{PREFIX}{key[:32]}{SUFFIX}"
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or not _ours(st) or st.st_size > MAX_BYTES:
            return None
        with os.fdopen(fd, "rb", closefd=False) as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    try:
        payload = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("key") != key:
        return None
    return payload


def write(directory: Path, key: str, payload: dict[str, Any]) -> None:
    """Store `payload` under `key` atomically, then prune old entries. Failures only cost speed."""
    import tempfile

    try:
        if not os.path.lexists(directory):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = os.lstat(directory)
        mine = not hasattr(os, "getuid") or st.st_uid == os.getuid()
        if stat.S_ISDIR(st.st_mode) and mine and st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            os.chmod(directory, 0o700)  # our own directory, made under a loose umask: tighten it
        if not _safe_dir(directory):
            return
        # The rename below replaces whatever entry is at `path` (a planted symlink or FIFO included)
        # without following it, and the directory is ours alone, so nothing else can race us.
        path = directory / f"{PREFIX}{key[:32]}{SUFFIX}"
        text = json.dumps({"format": FORMAT, "key": key, **payload}, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".catalog.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        prune(directory, keep=path)
    except (OSError, ValueError, TypeError):
        pass  # a read-only or odd home only costs speed


def prune(directory: Path, keep: Path) -> None:
    """Remove legacy pickles and all but the newest KEEP entries (never following symlinks)."""
    import time

    entries: list[tuple[float, Path]] = []
    stale_before = time.time() - 3600
    for pattern in (f"{PREFIX}*{SUFFIX}", *LEGACY, ".catalog.*.tmp"):
        for p in directory.glob(pattern):
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
                continue
            if p.name.endswith(SUFFIX) and p.name.startswith(PREFIX) and not stat.S_ISLNK(st.st_mode):
                entries.append((st.st_mtime, p))
            elif p.name.endswith(".tmp") and st.st_mtime > stale_before:
                continue  # another process may be writing it right now
            elif p != keep:
                with contextlib.suppress(OSError):
                    os.unlink(p)  # a legacy pickle, a leftover temp file, or a planted symlink
    entries.sort(reverse=True)
    for _, p in entries[KEEP:]:
        if p != keep:
            with contextlib.suppress(OSError):
                os.unlink(p)


# ---------------------------------------------------------------- rebuilding models from data


class _Plan:
    """How to rebuild one model class: field order, converters, defaults. Computed once per class."""

    __slots__ = ("convert", "defaults", "factories", "name_set", "names", "required")

    def __init__(self, cls: type) -> None:
        fields = cls.model_fields  # type: ignore[attr-defined]
        self.names = tuple(fields)
        self.name_set = frozenset(fields)
        self.convert = [(n, c) for n, f in fields.items() if (c := _converter(f.annotation)) is not None]
        self.required = frozenset(n for n, f in fields.items() if f.is_required())
        self.defaults = [(n, f.default) for n, f in fields.items() if not f.is_required() and f.default_factory is None]
        self.factories = [(n, f.default_factory) for n, f in fields.items() if f.default_factory is not None]


_PLANS: dict[type, _Plan] = {}


def construct(cls: type, data: Any) -> Any:
    """Rebuild a pydantic model (and its nested models) from its `model_dump(mode="json", exclude_unset=True)`.

    The equivalent of pydantic's `model_construct`: no validation, so only for data an earlier run
    validated under the same key. Defaults are filled from a per-class plan (model_construct would
    inspect every default factory on every call). Raises TypeError/ValueError/KeyError on a shape
    that does not fit, so the caller rebuilds.
    """
    if not isinstance(data, dict):
        raise TypeError(f"expected an object for {cls.__name__}")
    plan = _PLANS.get(cls)
    if plan is None:
        plan = _PLANS[cls] = _Plan(cls)
    if not plan.required <= data.keys() or not data.keys() <= plan.name_set:
        raise KeyError(f"{cls.__name__}: a required field is missing or a key is unknown")
    values = dict(data)
    for name, convert in plan.convert:
        value = values.get(name)
        if value is not None:
            values[name] = convert(value)
    if len(values) < len(plan.names):
        for name, default in plan.defaults:
            if name not in values:
                values[name] = default
        for name, factory in plan.factories:
            if name not in values:
                values[name] = factory()
        # pydantic keeps fields in declaration order, and dumps them in that order.
        values = {name: values[name] for name in plan.names}
    # What `model_construct(_fields_set=..., **values)` does once every default is filled, through
    # the pickle protocol's __setstate__ (as unpickling did): a third of model_construct's cost,
    # which matters at ~450 objects per start-up. Our models have no private attributes or extras.
    obj = cls.__new__(cls)
    obj.__setstate__(
        {
            "__dict__": values,
            "__pydantic_fields_set__": set(data),
            "__pydantic_extra__": None,
            "__pydantic_private__": None,
        }
    )
    return obj


def _converter(tp: Any) -> Any:
    """A function turning JSON data into the field's Python value, or None where JSON is already it."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return _converter(args[0])
        # A scalar or a list of models (on_prem.residual_value): rebuild the list, keep the scalar.
        lists = [a for a in args if typing.get_origin(a) is list]
        inner_list = _converter(lists[0]) if len(lists) == 1 else None
        if inner_list is not None:
            return lambda value: inner_list(value) if isinstance(value, list) else value
        # One model among plain values (an offering's `fine_tuning: bool | FineTuning`): a mapping
        # is that model, anything else is the plain value JSON gave back.
        models = [a for a in args if isinstance(a, type) and hasattr(a, "model_construct")]
        if len(models) == 1:
            build = _converter(models[0])
            return lambda value: build(value) if isinstance(value, dict) else value
        return None
    if origin is list:
        inner = _converter(typing.get_args(tp)[0])

        def convert_list(value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise TypeError("expected a list")
            return value if inner is None else [v if v is None else inner(v) for v in value]

        return convert_list
    if isinstance(tp, type) and hasattr(tp, "model_construct"):
        return lambda value: construct(tp, value)
    if tp is dt.date:
        return dt.date.fromisoformat
    return None  # str, int, bool, float, Literal: JSON gives back what model_dump wrote
