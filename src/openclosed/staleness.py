"""The stale-price warning: one line for the options a command shows, naming the oldest price.

The engine knows, for every option, the date of the price it used (`unit_prices.as_of` for APIs,
`self_hosting.price_as_of` for GPUs). A command that shows 10 options should warn about those 10,
not the 700 it priced; the warning prints once, with a count and the oldest entry so the user knows
what to refresh first. Pure: no I/O.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache


# Immutable, but nothing compares, hashes or prints it: no generated `==`, hash or repr (each
# generated method is compiled when the module is imported, a start-up cost of every command).
@dataclass(frozen=True, eq=False, repr=False)
class Staleness:
    """How many of the options shown use old prices, and the oldest of them."""

    stale: int
    shown: int
    stale_days: int
    oldest_id: str
    oldest_as_of: dt.date
    oldest_age_days: int

    @property
    def message(self) -> str:
        return (
            f"{self.stale} of {self.shown} options shown use prices older than {self.stale_days} days; "
            f"the oldest is {self.oldest_id} (as of {self.oldest_as_of.isoformat()}, {self.oldest_age_days} days); "
            "refresh the catalogue (docs/catalogue.md)"
        )


def price_date(option: object) -> dt.date | None:
    """The date of the price an OptionOut used (a GPU purchase price for owned servers; None when it carries none)."""
    text = None
    unit = getattr(option, "unit_prices", None)
    if unit is not None:
        text = unit.as_of
    sh = getattr(option, "self_hosting", None)
    if sh is not None:
        # Owned hardware too: a purchase price goes stale like a rental price (issue 22).
        text = sh.price_as_of
    if not text:
        return None
    return _parse_date(str(text)[:10])


@lru_cache(maxsize=1024)
def _parse_date(text: str) -> dt.date | None:
    """A price's date, parsed once per distinct date (a run asks for some 1,700 of a few dozen)."""
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def staleness(shown: Iterable[tuple[str, dt.date | None]], today: dt.date, stale_days: int) -> Staleness | None:
    """Count the (option id, price date) pairs older than `stale_days` on `today`; None when none are.

    Ties for the oldest go to the first shown (the best-ranked).
    """
    items = list(shown)
    stale = [(oid, d) for oid, d in items if d is not None and (today - d).days > stale_days]
    if not stale:
        return None
    oldest_id, oldest = min(stale, key=lambda x: x[1])
    return Staleness(
        stale=len(stale),
        shown=len(items),
        stale_days=stale_days,
        oldest_id=oldest_id,
        oldest_as_of=oldest,
        oldest_age_days=(today - oldest).days,
    )
