"""Warnings as a user reads them: each once, after the output, with how many options it concerns.

The engine attaches warnings to every option they concern ("price of X at Y is 120 days old",
"latency: no published speed for X at Y; ..."), and a few to the report. Printed one by one they
bury the output; `summarise` folds those of one kind into a single line with a count.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_STALE = re.compile(r"^price of (?P<what>.+) at (?P<where>\S+) is (?P<days>\d+) days old \(as of (?P<as_of>[^)]+)\)$")
_SPEED = re.compile(
    r"^latency: no published speed for (?P<what>.+) at (?P<where>\S+); the tokens/s target was not checked$"
)
_STALE_SUMMARY = re.compile(r"^\d+ of \d+ options (?:shown )?use prices older than \d+ days")
_CATEGORY = re.compile(r"^(?P<cat>[a-z-]+): (?P<rest>.+)$")
FOLD_AT = 3  # distinct warnings of one category ("lifecycle: ...") folded into one line


def _options(n: int) -> str:
    return f"{n} option" + ("" if n == 1 else "s")


def summarise(
    report_warnings: Iterable[str],
    option_warnings: Sequence[tuple[str, Sequence[str]]],
    name_options: bool = False,
) -> list[str]:
    """One line per distinct warning, in first-seen order.

    `report_warnings`: the report's own list (which repeats the recommended option's warnings);
    `option_warnings`: (option id, its warnings) for each option the command outputs.
    Stale prices and unknown speeds fold into one line each; so do FOLD_AT or more different
    warnings of one category ("lifecycle: ..."). `name_options` (commands about one or two
    options): stale prices and unknown speeds of fewer than FOLD_AT options stay one line each,
    and a warning about one option starts with its id.
    """
    report_warnings = list(report_warnings)
    has_stale_summary = any(_STALE_SUMMARY.match(w) for w in report_warnings)
    # key -> option ids, in first-seen order; texts: key -> the warnings seen under it
    ids: dict[str, list[str]] = {}
    texts: dict[str, list[str]] = {}
    days: list[int] = []
    for oid, warnings in option_warnings:
        for w in warnings:
            stale, speed = _STALE.match(w), _SPEED.match(w)
            if stale and has_stale_summary:
                continue  # the report's summary already counts every stale option
            if stale:
                days.append(int(stale["days"]))
            key = "stale" if stale else "speed" if speed else w
            members = ids.setdefault(key, [])
            if oid not in members:
                members.append(oid)
            texts.setdefault(key, [])
            if w not in texts[key]:
                texts[key].append(w)
    _fold_categories(ids, texts)
    per_option = {w for _, ws in option_warnings for w in ws}
    out: list[str] = []
    for w in report_warnings:
        if w in per_option or (_STALE.match(w) and has_stale_summary) or w in out:
            continue  # counted with the options below
        out.append(w)
    for key, members in ids.items():
        n, first = len(members), texts[key][0]
        if name_options and n < FOLD_AT and not key.startswith("category:"):
            for oid, ws in option_warnings:
                out += [f"{oid}: {w}" for w in ws if w in texts[key] and f"{oid}: {w}" not in out]
        elif n == 1 and len(texts[key]) == 1:
            out.append(first)
        elif key == "stale":
            out.append(
                f"prices {min(days)} to {max(days)} days old for {_options(n)}; "
                "refresh the catalogue (docs/catalogue.md)"
            )
        elif key == "speed":
            out.append(
                f"latency: no published speed for {_options(n)} (e.g. {members[0]}); "
                "the tokens/s target was not checked for them"
            )
        elif key.startswith("category:"):
            m = _CATEGORY.match(first)
            rest = m["rest"] if m else first
            out.append(f"{key.removeprefix('category:')}: {_options(n)} concerned, e.g. {rest}")
        else:
            out.append(f"{first} ({_options(n)})")
    return out


def _fold_categories(ids: dict[str, list[str]], texts: dict[str, list[str]]) -> None:
    """Merge, in place, FOLD_AT or more distinct warnings that share a category prefix."""
    by_cat: dict[str, list[str]] = {}
    for key in ids:
        m = _CATEGORY.match(key) if key not in ("stale", "speed") else None
        if m:
            by_cat.setdefault(m["cat"], []).append(key)
    for cat, keys in by_cat.items():
        if len(keys) < FOLD_AT:
            continue
        merged = f"category:{cat}"
        members: list[str] = []
        for key in keys:
            members += [o for o in ids.pop(key) if o not in members]
            texts.setdefault(merged, []).extend(texts.pop(key))
        ids[merged] = members


def _kind(w: str) -> str:
    if _STALE.match(w):
        return "stale prices"
    if _SPEED.match(w) or w.startswith("latency"):
        return "latency"
    m = _CATEGORY.match(w)
    return m["cat"] if m else "other"


def rest_line(hidden: Sequence[object]) -> str | None:
    """One line counting the warnings of the options an output leaves out (the terminal table
    shows the first rows; JSON lists every warning); None when they have none."""
    concerned = [o for o in hidden if getattr(o, "warnings", None)]
    if not concerned:
        return None
    n = sum(len(o.warnings) for o in concerned)  # type: ignore[attr-defined]
    kinds = list(dict.fromkeys(_kind(w) for o in concerned for w in o.warnings))  # type: ignore[attr-defined]
    return (
        f"{n} more warning{'s' if n != 1 else ''} ({', '.join(kinds)}) concern {_options(len(concerned))} "
        "not in the table (--top all shows them; --format json lists every warning)"
    )
