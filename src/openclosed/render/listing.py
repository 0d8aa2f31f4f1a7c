"""The list a command outputs: its ranks, and the shorter default a terminal table shows.

`rank` in JSON, CSV, HTML and the table's `#` is the position in the list the command outputs
(1..n); `rank_among_all` keeps the engine's position among every feasible option.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..report import OptionOut

DEFAULT_ROWS = 10  # rows a terminal table shows before the best of each kind is added
KINDS = ("closed API", "open-weight API", "self-hosted")


def kind_of(o: OptionOut) -> str:
    if o.deployment == "self-hosted":
        return "self-hosted"
    return "open-weight API" if o.open_weights else "closed API"


def best_per_model_and_kind(options: Sequence[OptionOut]) -> list[OptionOut]:
    """The first option of each model, plus the first of each kind (closed API, open-weight API,
    self-hosted) when no model's first option is of that kind; in the given order."""
    seen: set[str] = set()
    picked: set[int] = set()
    for o in options:
        if o.model not in seen:
            seen.add(o.model)
            picked.add(id(o))
    kinds = {kind_of(o) for o in options if id(o) in picked}
    for o in options:
        kind = kind_of(o)
        if kind not in kinds:
            kinds.add(kind)
            picked.add(id(o))
    return [o for o in options if id(o) in picked]


def renumber(options: Sequence[OptionOut]) -> list[OptionOut]:
    """Copies of `options` ranked 1..n in their order; the engine's rank moves to `rank_among_all`."""
    out = []
    for i, o in enumerate(options, 1):
        among = o.rank_among_all if o.rank_among_all is not None else o.rank
        out.append(o.model_copy(update={"rank": i, "rank_among_all": among}))
    return out


def readable_rows(options: Sequence[OptionOut], rows: int = DEFAULT_ROWS) -> list[OptionOut]:
    """The first `rows` options plus the first option of each kind not among them, in list order."""
    picked = list(options[:rows])
    have = {kind_of(o) for o in picked}
    extra = {}
    for o in options[rows:]:
        kind = kind_of(o)
        if kind not in have and kind not in extra:
            extra[kind] = o
    chosen = {id(o) for o in picked} | {id(o) for o in extra.values()}
    return [o for o in options if id(o) in chosen]


def rows_note(shown: int, total: int, rows: int = DEFAULT_ROWS) -> str | None:
    """Says what a shortened table left out and how to see it; None when nothing is left out."""
    if shown >= total:
        return None
    return (
        f"Showing {shown} of {total} rows: the first {rows} and the best of each kind "
        f"(closed API, open-weight API, self-hosted). Every row: --top all, or --format csv/json."
    )
