"""How a sweep writes its numbers: CSV and JSON cells formatted once per distinct value, and the
small containers the streamed output uses."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

from ..units import csv_text


def csv_text_cell(text: str) -> str:
    text = csv_text(text)  # an id that a spreadsheet would read as a formula
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n\r') else text


def num_cell(value: float) -> str:
    """csv_cell for a float, inlined for the millions of cells a large sweep writes."""
    try:
        whole = int(value)
    except (OverflowError, ValueError):  # inf, nan
        return ""
    return str(whole) if value == whole and -1e15 < value < 1e15 else repr(value)


def cost_cells(costs: tuple[float, ...], tokens: float, numbers: dict[float, str]) -> dict[float, str]:
    """The "monthly_cost,cost_per_million_tokens" cells of each distinct cost at one point, as
    `num_cell` writes them. `numbers` keeps the cost cells already written: a self-hosted option's
    cost is the same over each run of equal replica counts."""
    keys = list(dict.fromkeys(costs))
    texts = list(map(numbers.get, keys))
    if None in texts:
        missing = [c for c, text in zip(keys, texts, strict=True) if text is None]
        numbers.update(zip(missing, [f"{text}," for text in num_cells(missing)], strict=True))
        texts = list(map(numbers.__getitem__, keys))
    if tokens and per_million_fast(keys, tokens):
        per = [("%.6f" % (c / tokens * 1e6)).rstrip("0").rstrip(".") for c in keys]
    else:
        per = [num_cell(round(c / tokens * 1e6, 6) if tokens else 0.0) for c in keys]
    return dict(zip(keys, map(str.__add__, texts, per), strict=True))


def num_cells(values: list[float]) -> list[str]:
    """[num_cell(v) for v in values], with repr done in bulk: a float's repr ends in ".0" only when it
    is whole, and below 1e15 num_cell writes a whole number as the integer (so: drop the ".0")."""
    try:
        bulk = math.isfinite(sum(values)) and min(values, default=0.0) > -1e15 and max(values, default=0.0) < 1e15
    except TypeError:  # not numbers: num_cell says what it makes of them
        bulk = False
    if not bulk:
        return [num_cell(v) for v in values]
    texts = list(map(repr, values))
    if ".0\n" in "\n".join(texts) + "\n":
        texts = [("0" if t == "-0.0" else t[:-2]) if t.endswith(".0") else t for t in texts]
    return texts


def per_million_fast(costs: list[float], tokens: float) -> bool:
    """Whether `("%.6f" % m).rstrip("0").rstrip(".")` is `num_cell(round(m, 6))` for every
    m = cost / tokens × 1e6 (tokens: a positive number).

    Both roundings are the same correctly rounded 6-decimal digits (CPython's dtoa, mode 3). The
    repr of the rounded float is those digits without trailing zeros when they are at most 15
    significant digits (below 1e9) and the float is written without an exponent (from 1e-4);
    a whole number has no ".0" in either. The bounds are computed with the same operations on
    the extreme costs, and rounding is monotonic, so every m lies within them."""
    try:
        if not (math.isfinite(sum(costs)) and math.isfinite(tokens) and tokens > 0):
            return False
        low, high = min(costs), max(costs)
    except (TypeError, ValueError):
        return False
    return low / tokens * 1e6 >= 1e-4 and high / tokens * 1e6 < 1e9


def json_num(value: float) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "null"
    return repr(value) if isinstance(value, float) else str(value)


def finite(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [finite(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class Repeat:
    """The same value at every point, in constant memory (a fast-path option's feasibility)."""

    def __init__(self, value: bool, n: int) -> None:
        self.value, self.n = value, n

    def __len__(self) -> int:
        return self.n

    def __getitem__(self, i: int) -> bool:
        return self.value

    def __iter__(self) -> Iterator[bool]:
        return iter([self.value] * min(self.n, 1))
