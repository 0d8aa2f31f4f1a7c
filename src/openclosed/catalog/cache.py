"""The on-disk cache of the validated embedded catalogue: data only, never code.

Parsing and validating the two YAML files costs a few hundred milliseconds per run (most of it
building pydantic's validators). The cache keeps the *validated* data as JSON in the user's cache
directory and rebuilds the models with `model_construct`, which neither validates nor builds a
validator; that is safe only because the entry's key proves it came from exactly these inputs:

- the key is a SHA-256 of the catalogue files' *contents* (not size or mtime), the package version,
  the model modules' source and pydantic's `version.py`; an entry whose key does not match is ignored;
- JSON cannot run code when read (the old pickle could);
- a cache directory or file that is a symlink, is not owned by the current user, or is writable by
  group or others is ignored (and never written through), so another user of a shared
  `XDG_CACHE_HOME` cannot plant an entry; anything but a regular file (a FIFO, a device) is opened
  non-blocking and left unread;
- anything unexpected (bad JSON, wrong shape, wrong types) is ignored and the catalogue rebuilt.

Writes are atomic (temporary file + rename), and old entries are pruned so the directory stays small.
The same guarded reads and writes serve the sizing store (selfhost/store.py) and the validated
workloads (workload/validated.py), and the checked rebuild of models from JSON (`construct`) serves
the workloads too: one module, a little over 400 lines, so that every entry on disk is read one way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import math
import operator
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
    """Hash of the catalogue files' bytes, the package version, the schema modules and pydantic's
    version. Read from files, not imported: a compare on plain records (modelbase.py) looks the
    cache up before it knows whether it may leave pydantic unimported."""
    handed = _HANDED_KEYS.pop(tuple(files), None)
    if handed is not None:
        return handed
    # Every module that defines the cached models: a changed default or validator there changes
    # what a loaded catalogue holds (dates: the newest entry date kept beside the data).
    h = code_hash(f"format={FORMAT}", __package__ or "", ("base", "architecture", "schema", "dates"))
    # Each piece hashed as it is: joining a file's bytes to its name and separator copied them twice.
    for f in files:
        data = f.read_bytes()
        h.update(f"{f.name}:{len(data)}:".encode())
        h.update(data)
        h.update(b"\0")
    return h.hexdigest()


_HANDED_KEYS: dict[tuple[Path, ...], str] = {}


def hand_over_key(files: list[Path], key: str) -> None:
    """Keep `key`, just computed for `files`, for the next `cache_key` of them (once): the compare
    that decides on plain records (cli/fast.py) and the loader after it hash the files once."""
    _HANDED_KEYS[tuple(files)] = key


def code_hash(kind: str, package: str, modules: tuple[str, ...]) -> Any:
    """A SHA-256 primed with what validated data depends on besides its input: `kind` (the entry's
    format), the package and Python versions, pydantic's version and the source of `package`'s
    `modules` that define the models (as imported, or beside the package's `__init__` before)."""
    from .. import __version__

    h = hashlib.sha256()
    for part in (kind, __version__, f"{sys.version_info[:2]}"):
        h.update(part.encode() + b"\0")
    h.update(pydantic_version())
    home = Path(sys.modules[package].__file__ or "").parent
    for name in modules:
        module = sys.modules.get(f"{package}.{name}")
        path = getattr(module, "__file__", None) or home / f"{name}.py"
        h.update(Path(path).read_bytes())
        h.update(b"\0")
    return h


def pydantic_version() -> bytes:
    """The bytes of pydantic's `version.py` (which holds its version), found without importing it."""
    import importlib.util

    spec = importlib.util.find_spec("pydantic")
    origin = spec.origin if spec is not None else None
    if origin is None:
        raise OSError("pydantic is not installed")
    return Path(origin).with_name("version.py").read_bytes() + b"\0"


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


_PREFETCHED: dict[tuple[str, str, str], dict[str, Any]] = {}


def prefetch(directory: Path, key: str, prefix: str = PREFIX) -> bool:
    """Read the entry for `key` now, with every check `read` makes, and keep it for the next `read`
    of it: whether there is one to use. (A compare decides from the catalogue's and the workload's,
    before any model module is built, whether it can run on plain records: cli/fast.py.)"""
    payload = read(directory, key, prefix)
    if payload is None:
        return False
    _PREFETCHED[(prefix, str(directory), key)] = payload
    return True


def read(directory: Path, key: str, prefix: str = PREFIX) -> dict[str, Any] | None:
    """The cached payload for `key`, or None (missing, unsafe, corrupt or for another key).
    `prefix` names the kind of entry (the catalogue's, or the sizing store's: selfhost/store.py)."""
    kept = _PREFETCHED.pop((prefix, str(directory), key), None)
    if kept is not None:
        return kept
    if not _safe_dir(directory):
        return None
    path = directory / f"{prefix}{key[:32]}{SUFFIX}"
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
            # The size found and a byte more, which tells a file that grew since (read whole, a
            # size bound of MAX_BYTES asked for a buffer that large: about 0.2 ms a read).
            raw = fh.read(st.st_size + 1)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(raw) > st.st_size:
        return None
    try:
        payload = json.loads(raw, parse_constant=_no_constant)
    except (ValueError, RecursionError):
        return None
    if not isinstance(payload, dict) or payload.get("format") != FORMAT or payload.get("key") != key:
        return None
    return payload


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a value the catalogue holds")


def write(directory: Path, key: str, payload: dict[str, Any], prefix: str = PREFIX, keep: int = KEEP) -> None:
    """Store `payload` under `key` atomically, then prune old entries of the same kind (`prefix`),
    keeping the newest `keep`. Failures only cost speed."""
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
        path = directory / f"{prefix}{key[:32]}{SUFFIX}"
        # allow_nan=False: the reader refuses NaN and Infinity, so an entry holding one is not written.
        text = json.dumps({"format": FORMAT, "key": key, **payload}, separators=(",", ":"), allow_nan=False)
        fd, tmp = tempfile.mkstemp(dir=directory, prefix=".catalog.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        prune(directory, keep=path, prefix=prefix, count=keep)
    except (OSError, ValueError, TypeError):
        pass  # a read-only or odd home only costs speed


def prune(directory: Path, keep: Path, prefix: str = PREFIX, count: int = KEEP) -> None:
    """Remove legacy pickles and all but the newest `count` entries of this kind (never following
    symlinks)."""
    import time

    entries: list[tuple[float, Path]] = []
    stale_before = time.time() - 3600
    for pattern in (f"{prefix}*{SUFFIX}", *LEGACY, ".catalog.*.tmp"):
        for p in directory.glob(pattern):
            try:
                st = os.lstat(p)
            except OSError:
                continue
            if not stat.S_ISREG(st.st_mode) and not stat.S_ISLNK(st.st_mode):
                continue
            if p.name.endswith(SUFFIX) and p.name.startswith(prefix) and not stat.S_ISLNK(st.st_mode):
                entries.append((st.st_mtime, p))
            elif p.name.endswith(".tmp") and st.st_mtime > stale_before:
                continue  # another process may be writing it right now
            elif p != keep:
                with contextlib.suppress(OSError):
                    os.unlink(p)  # a legacy pickle, a leftover temp file, or a planted symlink
    entries.sort(reverse=True)
    for _, p in entries[count:]:
        if p != keep:
            with contextlib.suppress(OSError):
                os.unlink(p)


# ---------------------------------------------------------------- rebuilding models from data


class _Plan:
    """How to rebuild one model class: field order, converters, defaults. Computed once per class."""

    __slots__ = ("converters", "factories", "name_set", "required", "template")

    def __init__(self, cls: type) -> None:
        fields = cls.model_fields  # type: ignore[attr-defined]
        self.name_set = frozenset(fields)
        # Every field is checked (type, finiteness, bounds) and converted: an entry edited by hand
        # or damaged on disk is rebuilt, not trusted (a string price made every run exit 3).
        self.converters = {n: _field_converter(f) for n, f in fields.items()}
        self.required = frozenset(n for n, f in fields.items() if f.is_required())
        # Every field in declaration order (pydantic keeps fields in that order, and dumps them in
        # it), with its plain default; a required field or one with a default factory holds a
        # placeholder until the data or the factory sets it.
        self.template = {
            n: f.default if not f.is_required() and f.default_factory is None else None for n, f in fields.items()
        }
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
    # A copy of the defaults in field order, each field the data gives converted into its place
    # (the data is a dump, which leaves most defaults out: one pass over what it holds).
    values = plan.template.copy()
    converters = plan.converters
    for name, value in data.items():
        values[name] = converters[name](value)
    for name, factory in plan.factories:
        if name not in data:
            values[name] = factory()
    # What `model_construct(_fields_set=..., **values)` does once every default is filled: what the
    # pickle protocol's __setstate__ sets, set through BaseModel's slots directly (a third of
    # model_construct's cost, at ~1,500 objects per start-up). Our models have no private
    # attributes or extras.
    set_fields, set_extra, set_private = _SLOTS or _slot_setters()
    obj = cls.__new__(cls)
    set_fields(obj, set(data))
    set_extra(obj, None)
    set_private(obj, None)
    _setattr(obj, "__dict__", values)
    return obj


_setattr = object.__setattr__
_SLOTS: list[Any] = []  # BaseModel's slot setters, found once the models' base is known


def _slot_setters() -> list[Any]:
    from ..modelbase import slot_setter

    _SLOTS[:] = [slot_setter(n) for n in ("__pydantic_fields_set__", "__pydantic_extra__", "__pydantic_private__")]
    return _SLOTS


def _field_converter(info: Any) -> Any:
    """The checking converter of one field: its type's, with the field's numeric bounds."""
    bounds = [
        (op, getattr(m, attr))
        for m in info.metadata
        for attr, op in (("gt", ">"), ("ge", ">="), ("lt", "<"), ("le", "<="))
        if getattr(m, attr, None) is not None
    ]
    return _converter(info.annotation, bounds)


_COMPARE = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def _converter(tp: Any, bounds: list[tuple[str, Any]] | None = None) -> Any:
    """A function that checks JSON data against the field's type and returns the Python value;
    it raises TypeError or ValueError on anything the schema would have refused by type."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        inners = [_converter(a, bounds) for a in args]
        optional = len(args) < len(typing.get_args(tp))
        if optional and len(inners) == 1:
            return _optional(inners[0])  # `X | None`, most unions: no loop, no try

        def convert_union(value: Any) -> Any:
            if value is None:
                if optional:
                    return None
                raise TypeError("null where a value is required")
            for inner in inners:
                try:
                    return inner(value)
                except (TypeError, ValueError, KeyError):
                    continue
            raise TypeError(f"{value!r} fits none of {args}")

        return convert_union
    if origin is list:
        inner = _converter(typing.get_args(tp)[0])

        def convert_list(value: Any) -> list[Any]:
            if not isinstance(value, list):
                raise TypeError("expected a list")
            return [inner(v) for v in value]

        return convert_list
    if origin is dict:
        return _of_type(dict)
    if origin is typing.Literal:
        allowed = typing.get_args(tp)

        def convert_literal(value: Any) -> Any:
            if value not in allowed or isinstance(value, bool) != isinstance(allowed[0], bool):
                raise ValueError(f"{value!r} is not one of {allowed}")
            return value

        return convert_literal
    if isinstance(tp, type) and hasattr(tp, "model_construct"):
        return lambda value: construct(tp, value)
    if tp is dt.date:
        return lambda value: dt.date.fromisoformat(_check_str(value))
    if tp is float or tp is int:
        return _number(tp, bounds or [])
    if tp is str or tp is bool:
        return _of_type(tp)
    return lambda value: value  # Any: JSON gives back what model_dump wrote


def _of_type(kind: type) -> Any:
    def check(value: Any) -> Any:
        if not isinstance(value, kind):
            raise TypeError(f"expected {kind.__name__}, got {value!r}")
        return value

    return check


_check_str = _of_type(str)


def _optional(inner: Any) -> Any:
    """The converter of `X | None`: None, or what X's converter makes of the value."""

    def convert_optional(value: Any) -> Any:
        return None if value is None else inner(value)

    return convert_optional


def _number(kind: type, bounds: list[tuple[str, Any]]) -> Any:
    # JSON gives exactly int or float (and bool, which is an int to isinstance but not a number here).
    accepted = frozenset((int,) if kind is int else (int, float))
    compares = [(_COMPARE[op], op, limit) for op, limit in bounds]

    def check(value: Any) -> Any:
        if value.__class__ not in accepted:
            raise TypeError(f"expected a number, got {value!r}")
        if not math.isfinite(value):
            raise ValueError(f"{value!r} is not finite")
        for compare, op, limit in compares:
            if not compare(value, limit):
                raise ValueError(f"{value!r} is not {op} {limit}")
        return value

    return check
