"""Which options a sweep draws by default: the recommended option, its counterpart across the
build-or-buy line, and the best option of the remaining kind (docs/methodology.md §8.2)."""

from __future__ import annotations

from ..engine import Result
from ..report import OptionOut

KINDS = ("closed API", "open-weight API", "self-hosted")


def kind_of(o: OptionOut) -> str:
    if o.deployment == "self-hosted":
        return "self-hosted"
    return "open-weight API" if o.open_weights else "closed API"


def _best_first(options: list[OptionOut]) -> list[OptionOut]:
    """Feasible options first, each group by overall score (the profile's), then cost and id."""
    return sorted(
        (o for o in options if o.monthly_cost is not None),
        key=lambda o: (not o.feasible, -o.scores.overall, o.monthly_cost, o.id),
    )


def default_picks(result: Result) -> list[tuple[str, str]]:
    """What a sweep compares by default, each with why it was drawn (docs/methodology.md, "Sweep").

    The question a sweep answers is build or buy, so it draws the recommended option, its
    counterpart across that line, and the best option of the remaining kind:

    * a self-hosted recommendation against the same model at its best API provider;
    * an open model's API against the same model self-hosted;
    * a closed model's API against the best self-hosted open model of at least its quality.

    Comparing a 1 T-parameter model on owned servers with a 120 B model's API would say when one
    cheap model beats another expensive one, not when self-hosting pays. Where a pick would repeat
    one already drawn, or has no candidate, the next best option of that kind is drawn and the
    text says so. "Best" is the highest overall score under the run's profile, feasible first.
    """
    ranked = _best_first(list(result.report.options))
    by_id = {o.id: o for o in ranked}
    rec = by_id.get(result.report.recommended or "")
    if rec is None:
        rec = next((o for o in ranked if o.feasible), None)
    if rec is None:
        return []
    picks: list[tuple[str, str]] = [(rec.id, "the recommended option")]
    drawn = {rec.id}

    def best(kind: str, pool: list[OptionOut]) -> OptionOut | None:
        return next((o for o in pool if kind_of(o) == kind and o.id not in drawn), None)

    def draw(kind: str, pool: list[OptionOut], why: str, fallback_why: str) -> None:
        pick, text = best(kind, pool), why
        if pick is None:
            pick, text = best(kind, ranked), fallback_why
        if pick is not None:
            if not pick.feasible:
                text += f"; ruled out at this workload ({pick.violations[0] if pick.violations else 'infeasible'})"
            picks.append((pick.id, text))
            drawn.add(pick.id)

    kind = kind_of(rec)
    same_model = [o for o in ranked if o.model == rec.model]
    if kind == "self-hosted":
        other = "closed API"
        draw(
            "open-weight API",
            same_model,
            f"its counterpart: {rec.model} at its best API provider",
            f"no API provider serves {rec.model}: the best open-weight API option",
        )
    elif kind == "open-weight API":
        other = "closed API"
        draw(
            "self-hosted",
            same_model,
            f"its counterpart: {rec.model} self-hosted, at its best GPU and host",
            f"{rec.model} cannot be self-hosted here: the best self-hosted option",
        )
    else:
        other = "open-weight API"
        floor = rec.quality_index or 0.0
        able = [o for o in ranked if (o.quality_index or 0.0) >= floor]
        draw(
            "self-hosted",
            able,
            f"its counterpart: the best self-hosted open model of at least its quality ({floor:g})",
            f"no self-hosted open model reaches its quality ({floor:g}): the best self-hosted option",
        )
    draw(other, ranked, f"the best {other} option", f"the best {other} option")
    return picks
