"""JSON: deterministic, numbers as numbers, never NaN.

The text is exactly `json.dumps(value, indent=2, ensure_ascii=False)` of the value with models as
plain dicts, dates as ISO strings and non-finite floats as null. It is written in one walk over
the value, without building the plain copy first: the standard library encodes indented JSON in
pure Python, and `compare --all` writes 3 MB of it (about 430 ms that way, 160 ms this way).
"""

from __future__ import annotations

import math
from json.encoder import encode_basestring  # the C encoder where available, as json.dumps uses
from typing import Any

from ..modelbase import BaseModel

_INF, _NINF = math.inf, -math.inf


def _clean(value: Any) -> Any:
    """The value as plain JSON data (models as dicts, dates as strings, non-finite floats as None)."""
    if isinstance(value, BaseModel):
        from ..report import to_plain

        value = to_plain(value)
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def to_json(value: Any) -> str:
    out: list[str] = []
    _emit(value, out, "\n")
    return "".join(out)


def _emit(o: Any, out: list[str], nl: str) -> None:
    t = type(o)
    if t is str:
        out.append(encode_basestring(o))
    elif t is float:
        out.append("null" if o != o or o in (_INF, _NINF) else float.__repr__(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif t is int:
        out.append(int.__repr__(o))
    elif t is dict or isinstance(o, BaseModel):
        items = o.items() if t is dict else o.__dict__.items()
        if not items:
            out.append("{}")
            return
        inner = nl + "  "
        sep = "{" + inner
        for k, v in items:
            out.append(sep)
            out.append(encode_basestring(k if type(k) is str else str(k)))
            out.append(": ")
            _emit(v, out, inner)
            sep = "," + inner
        out.append(nl + "}")
    elif t is list or t is tuple:
        if not o:
            out.append("[]")
            return
        inner = nl + "  "
        sep = "[" + inner
        for v in o:
            out.append(sep)
            _emit(v, out, inner)
            sep = "," + inner
        out.append(nl + "]")
    else:
        _emit(_plain_leaf(o), out, nl)


def _plain_leaf(o: Any) -> Any:
    """Anything else as plain data, in the order `report.to_plain` and `_clean` convert it."""
    if isinstance(o, dict):
        return dict(o)
    if isinstance(o, (list, tuple)):
        return list(o)
    if isinstance(o, bool):
        return bool(o)
    if isinstance(o, str):
        return str.__str__(o)  # a str enum: its text, as json.dumps writes it
    if isinstance(o, int):
        return int.__int__(o)
    if isinstance(o, float):
        return float.__float__(o)
    if hasattr(o, "isoformat"):
        return o.isoformat()
    if hasattr(o, "value"):
        return o.value  # enums
    raise TypeError(f"Object of type {type(o).__name__} is not JSON serializable")
