"""The sizing store: the replicas `plans.plans` chose for one request shape, kept on disk between runs.

Sizing every (model, GPU, precision) of the catalogue for a request shape is a fifth of a
`compare` (about 90 ms of 500 on 2 cores), and the answer depends only on:

- the catalogue (its cache key, `catalog/cache.py`: a hash of the files' bytes, the package
  version, the schema code and pydantic's version);
- the code (a hash of every `.py` file of the package, so any change to a formula, a default or
  this format gives a new key);
- the request's shape (the `shape` tuple `plans.plans` memoises on: token counts, hidden tokens,
  cached share, context, latency targets, efficiency factors, KV-cache dtype, speculation).

An entry holds, per `model|gpu`, the plans and the reasons a precision did not fit. It lives in
the catalogue cache's directory and is read and written by `catalog/cache.py`, with the same
guards (JSON only, never code; the directory and file must be ours and not writable by others;
atomic writes; a wrong key, shape or type is ignored). Values are checked on load: each field
must have the type the dataclass declares, numbers must be finite. Only catalogues loaded through
the cache (the embedded one) have a key; an overlay catalogue is sized in the process only.

A sizing's memory plan and step times (`explain` and `size` read them, a `compare` never) are kept
as one JSON text per plan, decoded and checked when first read (`Sizing.__getattr__`): they were
half of the numbers to parse. A SHA-256 of those texts is checked on load instead, so a damaged
one is sized again like any other damaged value.

A process writes at most `MAX_WRITES` entries (a sweep over token counts sizes many shapes; one
entry each would cost more than it saves) and the directory keeps the newest `KEEP` of them.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import operator
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .sizing import Memory, Sizing

if TYPE_CHECKING:
    from ..catalog import Catalog

PREFIX = "sizing-"
# Off in the test suite's own process (tests/conftest.py), where a test may patch a formula
# that the code hash cannot see; its subprocesses and every other caller use the store.
ENABLED = True
KEEP = 8
MAX_WRITES = 2
MAX_SHAPES = 64  # shapes looked up on disk per process
FORMAT = 2

Plans = list[tuple[str, Sizing, bool]]
Entry = tuple[Plans, list[str]]

_SIZING = tuple(f.name for f in dataclasses.fields(Sizing))
_MEMORY = tuple(f.name for f in dataclasses.fields(Memory))
_LAZY = ("memory", "step")  # kept as JSON text until read (the module's docstring)
_ROW = tuple(name for name in _SIZING if name not in _LAZY)
_code_hash: str | None = None


def code_hash() -> str:
    """SHA-256 of the package's Python sources (names and bytes), once per process."""
    global _code_hash
    if _code_hash is None:
        root = str(Path(__file__).resolve().parent.parent)
        skip = len(root) + len(os.sep)  # a walked path less this is its path relative to root
        h = hashlib.sha256()
        for dirpath, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    path = os.path.join(dirpath, name)
                    with open(path, "rb", buffering=0) as fh:  # read whole: no buffer (a third faster)
                        data = fh.readall()
                    h.update(f"{path[skip:]}:{len(data)}:".encode())
                    h.update(data)
                    h.update(b"\0")
        _code_hash = h.hexdigest()
    return _code_hash


class Shape:
    """What is stored for one catalogue and request shape: read once, written back when it grew."""

    def __init__(self, key: str, entries: dict[str, Entry]) -> None:
        self.key, self.entries, self.dirty = key, entries, False


_shapes: dict[tuple[str | None, tuple], Shape | None] = {}
_written = 0


def _directory() -> Path | None:
    from ..catalog import cache

    return cache.cache_dir()


def lookup(cat: Catalog, shape: tuple, pair: str) -> Entry | None:
    """The stored plans of `pair` ("model|gpu") for this catalogue and shape, or None."""
    stored = _shape(cat, shape)
    return None if stored is None else stored.entries.get(pair)


def remember(cat: Catalog, shape: tuple, pair: str, entry: Entry) -> None:
    """Keep a freshly computed entry, to be written by `flush`."""
    stored = _shape(cat, shape)
    if stored is not None and pair not in stored.entries:
        stored.entries[pair] = entry
        stored.dirty = True


def flush() -> None:
    """Write the shapes that grew in this run (at most MAX_WRITES per process)."""
    global _written
    for stored in _shapes.values():
        if stored is None or not stored.dirty or _written >= MAX_WRITES:
            continue
        stored.dirty = False
        directory = _directory()
        if directory is None:
            continue
        from ..catalog import cache

        _written += 1
        texts: list[str] = []
        entries = {pair: _dump(entry, texts) for pair, entry in stored.entries.items()}
        payload = {
            "store": FORMAT,
            "sizing_fields": list(_ROW),
            "memory_fields": list(_MEMORY),
            "details_sha256": _digest(texts),
            "entries": entries,
        }
        cache.write(directory, stored.key, payload, prefix=PREFIX, keep=KEEP)


def _shape(cat: Catalog, shape: tuple) -> Shape | None:
    cat_key = getattr(cat, "cache_key", None)
    slot = (cat_key, shape)
    if cat_key is None or not ENABLED:
        return None
    if slot in _shapes:
        return _shapes[slot]
    if len(_shapes) >= MAX_SHAPES:
        return None  # a sweep over token counts: the memo in plans.py serves it, not the disk
    directory = _directory()
    if directory is None:
        _shapes[slot] = None
        return None
    from ..catalog import cache

    try:
        code = code_hash()
    except OSError:  # an unreadable source file: no store, sized in the process only
        _shapes[slot] = None
        return None
    h = hashlib.sha256(f"{FORMAT}\0{cat_key}\0{code}\0{shape!r}".encode())
    key = h.hexdigest()
    payload = cache.read(directory, key, prefix=PREFIX)
    entries: dict[str, Entry] = {}
    if payload is not None:
        try:
            entries = _load(payload)
        except (TypeError, ValueError, KeyError, IndexError, OverflowError):
            # A damaged or foreign entry (OverflowError: an integer beyond any float, which JSON
            # reads whole and a finiteness check cannot convert): sized again and rewritten.
            entries = {}
    stored = _shapes[slot] = Shape(key, entries)
    return stored


# ---------------------------------------------------------------- the JSON form


def _dump(entry: Entry, texts: list[str]) -> list[Any]:
    """The entry as JSON values; each plan's memory and step text is appended to `texts`."""
    plans, reasons = entry
    rows = []
    for precision, s, ok in plans:
        text = json.dumps([[getattr(s.memory, name) for name in _MEMORY], s.step], separators=(",", ":"))
        texts.append(text)
        rows.append([precision, [*(getattr(s, name) for name in _ROW), text], ok])
    return [rows, list(reasons)]


def _digest(texts: list[str]) -> str:
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()


def _load(payload: dict[str, Any]) -> dict[str, Entry]:
    if (
        payload.get("store") != FORMAT
        or payload.get("sizing_fields") != list(_ROW)
        or payload.get("memory_fields") != list(_MEMORY)
    ):
        raise ValueError("another layout")
    entries = payload["entries"]
    if not isinstance(entries, dict):
        raise TypeError("entries")
    out: dict[str, Entry] = {}
    texts: list[str] = []
    for pair, entry in entries.items():
        rows, reasons = _list(entry, 2)
        plans: Plans = []
        for row in _list(rows):
            precision, values, ok = _list(row, 3)
            plans.append((_str(precision), _sizing(values, texts), _bool(ok)))
        out[pair] = (plans, [_str(r) for r in _list(reasons)])
    if payload.get("details_sha256") != _digest(texts):
        raise ValueError("the memory and step texts are not those written")
    return out


def _list(value: Any, length: int | None = None) -> list[Any]:
    if value.__class__ is not list or (length is not None and len(value) != length):
        raise TypeError("expected a list" + (f" of {length}" if length is not None else ""))
    return value


def _checker(declared: Any) -> Any:
    """The check of one field's JSON value against its declared type (a string under `from
    __future__ import annotations`): the types a Sizing holds are few."""
    kind = declared if isinstance(declared, str) else getattr(declared, "__name__", str(declared))
    optional = "None" in kind
    if kind.startswith("dict"):
        inner = _dict_of_numbers
    elif kind.startswith("float"):
        inner = _number
    elif kind.startswith("int"):
        inner = _int
    elif kind.startswith("bool"):
        inner = _bool
    elif kind.startswith("str"):
        inner = _str
    else:
        return None  # the nested Memory, checked by its own fields
    if not optional:
        return inner
    return lambda value: None if value is None else inner(value)


def _sizing(values: list[Any], texts: list[str]) -> Sizing:
    """The Sizing of a stored row, its memory and step left as text (`_details`) until read."""
    if not isinstance(values, list) or len(values) != len(_ROW) + 1:
        raise ValueError("sizing row")
    _check_row(values, _ROW_PLAN)
    text = _str(values[-1])
    texts.append(text)
    s = Sizing.__new__(Sizing)
    fields = s.__dict__
    fields.update(zip(_ROW, values, strict=False))  # the text last
    fields["_lazy"] = functools.partial(_details, text)
    return s


def _details(text: str) -> tuple[Memory, dict[str, float]]:
    """A stored plan's memory and step times, checked like the rest of the row (the digest of
    the texts matched on load, so a failure here is a bug in this module, not a damaged file)."""
    mem, step = _list(json.loads(text, parse_constant=_no_constant), 2)
    if not isinstance(mem, list) or len(mem) != len(_MEMORY):
        raise ValueError("memory row")
    _check_row(mem, _MEMORY_PLAN)
    return Memory(*mem), _dict_of_numbers(step)


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a finite number")


def _check_row(values: list[Any], plan: RowPlan) -> None:
    """Check a row's values in place, most of them at once rather than with a call each (an entry
    holds some 20,000): the fields of one exact type (strings, integers, booleans) by comparing
    their types with the declared ones; the plain numbers by their types (int or float, not bool)
    and their sum, which an infinity or a NaN among them makes infinite or NaN (a sum of finite
    plan figures that overflowed would only send the entry to be sized again); then every other
    field with its own check."""
    exact, exact_types, numbers, others = plan
    if tuple(map(type, exact(values))) != exact_types:
        raise TypeError("expected a string, an integer or true or false")
    picked = numbers(values)
    if not _NUMBER_TYPES.issuperset(map(type, picked)) or not math.isfinite(sum(picked)):
        raise TypeError("expected a finite number")
    for i, check in others:
        check(values[i])


_NUMBER_TYPES = frozenset((int, float))
RowPlan = tuple[Any, tuple[type, ...], Any, tuple[tuple[int, Any], ...]]


def _row_plan(checks: list[Any]) -> RowPlan:
    """How `_check_row` checks a row: (a picker of the exact-type fields, their types, a picker of
    the plain numbers, (position, check) of every other checked field)."""
    exact_types = {_int: int, _bool: bool, _str: str}
    exact = [i for i, c in enumerate(checks) if c in exact_types]
    numbers = [i for i, c in enumerate(checks) if c is _number]
    others = tuple((i, c) for i, c in enumerate(checks) if c is not None and c is not _number and i not in exact)
    return _picker(exact), tuple(exact_types[checks[i]] for i in exact), _picker(numbers), others


def _picker(positions: list[int]) -> Any:
    """The values at `positions` of a row, always as a tuple (`itemgetter` of one position gives
    the value itself)."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    return lambda values: tuple(values[i] for i in positions)


def _dict_of_numbers(value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise TypeError("expected an object")
    for k, v in value.items():
        cls = v.__class__
        if k.__class__ is not str or (cls is not float and cls is not int) or not math.isfinite(v):
            raise TypeError("expected a name and a finite number")
    return value


def _exactly(cls: type, what: str) -> Any:
    """A check that a value is of `cls` itself (a bool is not an int here), else `what` expected."""

    def check(value: Any) -> Any:
        if value.__class__ is not cls:
            raise TypeError(f"expected {what}")
        return value

    return check


_int = _exactly(int, "an integer")
_bool = _exactly(bool, "true or false")
_str = _exactly(str, "a string")


def _number(value: Any) -> float:
    cls = value.__class__
    if (cls is not float and cls is not int) or not math.isfinite(value):
        raise TypeError("expected a finite number")
    return value


_ROW_CHECKS = [_checker(f.type) for f in dataclasses.fields(Sizing) if f.name not in _LAZY]
_MEMORY_CHECKS = [_checker(f.type) for f in dataclasses.fields(Memory)]
_ROW_PLAN = _row_plan(_ROW_CHECKS)
_MEMORY_PLAN = _row_plan(_MEMORY_CHECKS)
