"""Scores, ranking order and the recommendation with its prose."""

from __future__ import annotations

from ..catalog.schema import GpuCloud, OnPrem
from ..evaluation import Context, Detail
from ..report import OptionOut, Recommendation, Saving, Scores, adopt
from ..units import money
from . import scoring


def score(ctx: Context, options: list[OptionOut], details: dict[str, Detail]) -> None:
    """Fill every option's scores and the reasons behind them."""
    scorer = _Scorer(ctx, options)
    lean = getattr(ctx.st, "lean_scores", False)
    for o in options:
        d = o.__dict__
        if lean:
            # Ranking, the recommendation and sampling read only a feasible option's figures, and
            # nothing reads a ruled-out option's (`Settings.lean_scores`): the model and the
            # reasons wait for a command to print the option (`Result.fill_ranges`).
            if o.feasible:
                d["scores"] = PendingScores(*scorer.figures(o, details[o.id]))
            else:
                d["scores"] = PendingScores(None, None, (scorer, _Facts(o), details[o.id]))
            continue
        figures, why = scorer.figures(o, details[o.id])
        # Written to the instance directly, as pydantic's own assignment does (the options are
        # built by `construct`, so both fields are already in the set of fields given); its
        # __setattr__ costs a few ms over 1,400 options.
        d["scores"] = adopt(Scores, dict(zip(_SCORE_FIELDS, figures, strict=True)))
        d["reasons"] = _reasons(*why)


class _Scorer:
    """What scoring an option reads beyond the option: the run's cheapest feasible cost, the
    materiality amount, the budget, the weights, and each combination's shared scores. Privacy
    and lock-in depend on the provider or host and the model, quality on the index and the
    lifecycle penalty on the model or offering, not on the option: each combination's scores,
    reasons and weighted parts of the overall score are worked out once (the 1,678 options of a
    preset share 344); only the cost is the option's own. It holds no `Context` (a pending score
    would keep the run's sampled frame through it)."""

    def __init__(self, ctx: Context, options: list[OptionOut]) -> None:
        costs = [o.monthly_cost for o in options if o.monthly_cost is not None and o.monthly_cost > 0]
        feasible = [o.monthly_cost for o in options if o.feasible and o.monthly_cost is not None and o.monthly_cost > 0]
        self.cheapest = min(feasible) if feasible else min(costs, default=1.0)
        self.material = ctx.materiality
        self.material_text = money(self.material) if self.material is not None else ""
        self.serving = _serving(ctx)
        self.budget = ctx.wl.budget.max_monthly_cost
        self.expiring, self.weights, self.cat, self.best_quality = ctx.expiring, ctx.weights, ctx.cat, ctx.best_quality
        self.privacy_of: dict[tuple, tuple[float, list[str]]] = {}
        self.lock_of: dict[tuple, tuple[float, list[str]]] = {}
        self.rest_of: dict[tuple, tuple] = {}

    def figures(self, o: OptionOut | _Facts, det: Detail) -> tuple[tuple, tuple]:
        """The option's five scores, as reported, and the arguments of `_reasons`."""
        monthly = o.monthly_cost
        kind = host_kind(det.hosting.get("host"))
        hold = _hold(o, kind)
        expiring = self.expiring
        lifecycle = "model" if o.model in expiring else "offering" if o.id in expiring else None
        key = (id(det.provider), kind, o.model, o.deployment, o.customisation, hold, o.quality_index, lifecycle)
        rest = self.rest_of.get(key)
        if rest is None:
            serving = self.serving.get(o.model, 0)
            rest = self.rest_of[key] = _rest(
                self, o, det, kind, hold, serving, lifecycle, self.privacy_of, self.lock_of
            )
        privacy, lock, quality, privacy_part, lock_part, quality_part, penalty, tail = rest
        cheapest, material = self.cheapest, self.material
        cost = scoring.cost_score(monthly, cheapest, material)
        # `scoring.overall`, its sum in the same order: the weighted parts that are the same for
        # the combination are its products, worked out once.
        overall = self.weights["cost"] * cost + privacy_part + lock_part + quality_part
        overall = round(max(0.0, min(100.0, overall - penalty)), 1)
        figures = (round(cost, 1), privacy, lock, quality, overall)
        return figures, (monthly, cheapest, material, self.material_text, self.budget, tail)


class _Facts:
    """What scoring reads of a ruled-out option whose scores wait (`PendingScores`): a copy, so
    that the pending scores do not point back at the option that holds them (a reference cycle)."""

    __slots__ = ("customisation", "deployment", "id", "model", "monthly_cost", "quality_index", "self_hosting")

    def __init__(self, o: OptionOut) -> None:
        self.id, self.model, self.deployment, self.customisation = o.id, o.model, o.deployment, o.customisation
        self.monthly_cost, self.quality_index, self.self_hosting = o.monthly_cost, o.quality_index, o.self_hosting


_SCORE_FIELDS = ("cost", "privacy", "lock_in", "quality", "overall")


def _reasons(
    monthly: float | None,
    cheapest: float,
    material: float | None,
    material_text: str,
    budget: float | None,
    tail: list[str],
) -> list[str]:
    """An option's reasons: its cost's, its budget's, then those it shares with its combination."""
    reasons = [_cost_reason(monthly, cheapest, material, material_text)]
    if budget is not None and monthly is not None and monthly > budget:
        reasons.append(f"budget: {money(monthly)} a month is over the {money(budget)} budget")
    reasons += tail
    return reasons


class PendingScores:
    """An option's scores until a command prints it (`Settings.lean_scores`): the five figures,
    which ranking, the recommendation and sampling read, and the arguments of its reasons. A
    `compare` without `--all` prints a few dozen of some 1,700 options (none of the 860 ruled
    out); `fill` writes the `Scores` and the reasons `score` would have written. A ruled-out
    option's figures are worked out when first read (`later`: the scorer, the option's facts and
    its detail), which a compare never does: it ranks the feasible options only."""

    __slots__ = ("_later", "_why", "cost", "lock_in", "overall", "privacy", "quality")

    def __init__(self, figures: tuple | None, why: tuple | None, later: tuple | None = None) -> None:
        self._later = later
        self._why = why
        if figures is not None:
            self.cost, self.privacy, self.lock_in, self.quality, self.overall = figures

    def __getattr__(self, name: str) -> float:
        # Only a figure not yet worked out gets here (an unset slot).
        later = self._later
        if later is None or name not in _SCORE_FIELDS:
            raise AttributeError(name)
        scorer, facts, det = later
        figures, self._why = scorer.figures(facts, det)
        self.cost, self.privacy, self.lock_in, self.quality, self.overall = figures
        self._later = None
        return getattr(self, name)  # type: ignore[no-any-return]

    def fill(self, o: OptionOut) -> None:
        d = o.__dict__
        d["scores"] = adopt(Scores, {k: getattr(self, k) for k in _SCORE_FIELDS})
        d["reasons"] = _reasons(*self._why)  # type: ignore[misc]


def _rest(
    ctx: _Scorer,
    o: OptionOut | _Facts,
    det: Detail,
    kind: str | None,
    hold: str | None,
    serving: int,
    lifecycle: str | None,
    privacy_of: dict[tuple, tuple[float, list[str]]],
    lock_of: dict[tuple, tuple[float, list[str]]],
) -> tuple:
    """What an option's scores share with every option of the same provider or host, model,
    customisation, quality index and lifecycle: (privacy, lock-in, quality, each rounded as
    reported; their weighted parts of the overall score; the lifecycle penalty; the reasons
    after the cost's and the budget's)."""
    weights = ctx.weights
    # Privacy and lock-in alone are shared more widely still (privacy by provider or host kind).
    key: tuple = (id(det.provider), kind)
    hit = privacy_of.get(key)
    if hit is None:
        said: list[str] = []
        hit = privacy_of[key] = (scoring.privacy_score(det.provider, kind, said), said)
    privacy, tail = hit[0], list(hit[1])
    # Fine-tunes count for lock-in only when the workload customises (scoring.customisation_lock_in).
    key = (o.model, o.deployment, serving, o.customisation, hold)
    hit = lock_of.get(key)
    if hit is None:
        said = []
        lic = ctx.cat.licence(det.model.licence)
        self_hosted = o.deployment == "self-hosted"
        lock_score = scoring.lock_in_score(det.model, lic, self_hosted, serving, said, hold)
        lock_score += scoring.customisation_lock_in(det.model.open_weights, self_hosted, o.customisation, said)
        hit = lock_of[key] = (min(100.0, lock_score), said)
    lock = hit[0]
    tail += hit[1]
    quality = scoring.quality_score(o.quality_index, ctx.best_quality)
    tail.append(
        f"quality: index {o.quality_index:g}" if o.quality_index is not None else "quality: no index in the catalogue"
    )
    penalty = scoring.LIFECYCLE_PENALTY if lifecycle else 0.0
    if penalty:
        what = "the model shuts down" if lifecycle == "model" else "the provider retires this offering"
        tail.append(f"overall: −{penalty:g} because {what} within the horizon")
    parts = (weights["privacy"] * privacy, weights["lock_in"] * (100.0 - lock), weights["quality"] * quality)
    return (round(privacy, 1), round(lock, 1), round(quality, 1), *parts, penalty, tail)


def _serving(ctx: Context) -> dict[str, int]:
    """How many API providers serve each model (`Catalog.providers_serving`, counted in one pass
    over the offerings rather than one per model)."""
    by_model: dict[str, set[str]] = {}
    for p in ctx.cat.providers_file.api_providers:
        for off in p.offerings:
            by_model.setdefault(off.model, set()).add(p.id)
    return {m.id: len(by_model.get(m.id, ())) for m in ctx.cat.all_models()}


def _hold(o: OptionOut | _Facts, kind: str | None) -> str | None:
    """How a self-hosted option holds its GPUs, for the lock-in score: "owned", "1y", "3y" or None.
    `kind`: `host_kind` of the option's host."""
    if kind == "on-prem":
        return "owned"
    sh = o.self_hosting
    return sh.pricing if sh is not None and sh.pricing in ("1y", "3y") else None


def host_kind(host: object) -> str | None:
    """How a self-hosted option's GPUs are held, for the privacy score (None: an API option)."""
    if isinstance(host, OnPrem):
        return "on-prem"
    if isinstance(host, GpuCloud):
        return host.tenancy
    return None


def _cost_reason(cost: float | None, cheapest: float, material: float | None, material_text: str) -> str:
    """`material_text`: `money(material)`, the same for every option of a run."""
    if cost is None:
        return "cost: none, the option cannot run"
    ratio = cost / cheapest if cheapest else 1.0
    if ratio <= 1.0001:
        return "cost: the cheapest feasible option"
    text = f"cost: {ratio:,.1f}× the cheapest feasible option"
    if material is not None:
        extra = cost - cheapest
        weight = scoring.money_weight(extra, material)
        text += f" ({money(extra)} a month more; {weight:.0%} of the ratio penalty, materiality {material_text})"
    return text


def _cost_key(o: OptionOut) -> float:
    """Monthly cost for ordering; an option that cannot run (no cost) goes last."""
    return o.monthly_cost if o.monthly_cost is not None else float("inf")


def over_budget(o: OptionOut, budget: float | None) -> bool:
    """Above the workload's `budget.max_monthly_cost` (no budget: never)."""
    return budget is not None and o.monthly_cost is not None and o.monthly_cost > budget


def sort_key(sort: str, o: OptionOut, budget: float | None = None) -> tuple:
    """Feasible options first, then options that can run; by overall score, options within the
    workload's budget before those above it; then the chosen sort, then cost and id."""
    s = o.scores
    # Only the key asked for is worked out (this runs for every option of every ranking).
    if sort == "overall":
        key = -s.overall
    elif sort == "cost":
        key = _cost_key(o)
    elif sort == "privacy":
        key = -s.privacy
    elif sort == "lock-in":
        key = s.lock_in
    elif sort == "quality":
        key = -s.quality
    else:
        raise KeyError(sort)
    above = sort == "overall" and over_budget(o, budget)
    return (not o.feasible, o.monthly_cost is None, above, key, _cost_key(o), o.id)


def by_overall(options: list[OptionOut], budget: float | None = None) -> list[OptionOut]:
    """Feasible options, best overall score first (ties: cheaper, then id). With a budget, the
    options within it come first: a reviewer does not sign an answer that breaks the budget when
    one that keeps it serves the workload."""
    feasible = [o for o in options if o.feasible]
    if not any(not over_budget(o, budget) for o in feasible):
        budget = None  # everything is over: the ranking by score stands, and `check` says so
    return sorted(feasible, key=lambda o: (over_budget(o, budget), -o.scores.overall, _cost_key(o), o.id))


def _not_compared(ctx: Context, kind: str) -> str:
    """Why no option of a kind was evaluated at all: the filters the command was given."""
    st = ctx.st
    if st.deployment == "self-hosted" and kind == "closed":
        return "No closed option was compared: --deployment self-hosted leaves only self-hosted open models."
    parts = []
    if st.models:
        parts.append(f"--models {','.join(st.models)}")
    if st.providers:
        parts.append(f"--providers {','.join(st.providers)}")
    if st.deployment:
        parts.append(f"--deployment {st.deployment}")
    if parts:
        return f"No {kind} option was compared: {' and '.join(parts)} select none."
    return f"The catalogue has no {kind} option for this workload."


def recommend(ctx: Context, ranked: list[OptionOut], compared: set[bool] | None = None) -> Recommendation:
    """The best option by overall score, with why it wins and what the other kind offers.

    `compared` holds the kinds evaluated at all (open_weights values), feasible or not, so that
    the text can tell a kind the filters left out from a kind whose every option failed."""
    best = ranked[0]
    runner = ranked[1] if len(ranked) > 1 else None
    other = next((o for o in ranked if o.open_weights != best.open_weights), None)
    sav = saving(ctx, ranked)
    parts = [
        f"{best.id} scores {best.scores.overall:g} overall: {money(best.monthly_cost)} a month "
        f"({money(best.cost_per_million_tokens)} per million tokens)"
        f"{_capex_words(best) or ','} privacy {best.scores.privacy:g}, "
        f"lock-in {best.scores.lock_in:g}, {_quality_words(best)}."
    ]
    tuned = customisation_words(ctx, best)
    if tuned:
        parts.append(tuned)
    if best.id in ctx.latency_unchecked:
        checked = next((o for o in ranked if o.id not in ctx.latency_unchecked), None)
        hidden = best.reasoning_tokens_per_request
        parts.append(
            "Its latency targets could not be checked (no published speed for it"
            + (f"; it writes about {hidden:,.0f} hidden reasoning tokens before its answer" if hidden else "")
            + "): measure it before committing"
            + (
                f"; the best option whose latency was checked is {checked.id} (overall "
                f"{checked.scores.overall:g}, {money(checked.monthly_cost)}/month)."
                if checked is not None
                else "."
            )
        )
    kind = "closed" if best.open_weights else "open-weight"
    if runner is not None:
        parts.append(_against_runner(best, runner, kind if runner is other else None))
    if other is None and compared is not None and (not best.open_weights) not in compared:
        parts.append(_not_compared(ctx, kind))
    elif other is None:
        parts.append(f"No {kind} option meets every constraint (see --all for why).")
    elif other is not runner:
        parts.append(
            f"The best {kind} option is {other.id} (overall {other.scores.overall:g}, "
            f"{money(other.monthly_cost)}/month)."
        )
    if sav is not None:
        verb = "less" if sav.saving_pct >= 0 else "more"
        parts.append(
            f"Against the best closed option of equal or higher quality, {sav.open_option} costs "
            f"{abs(sav.saving_pct):.0f}% {verb} "
            f"than {sav.closed_option} ({money(sav.open_monthly_cost)} vs "
            f"{money(sav.closed_monthly_cost)} a month; quality gap {sav.quality_gap:+g} index points)."
        )
    return Recommendation.model_construct(
        id=best.id,
        why=" ".join(parts),
        runner_up=runner.id if runner else None,
        best_other_kind=other.id if other else None,
        saving=sav,
    )


def _capex_words(o: OptionOut) -> str:
    """The cash an owned option needs up front, as the recommendation states it (nothing for the rest)."""
    capex = getattr(o, "capex", 0.0)
    if not capex:
        return ""
    sh = o.self_hosting
    how = ""
    if sh is not None and sh.write_off_years:
        how = f", written off in the monthly cost over {sh.write_off_years:g} years"
        if sh.residual_value:
            how += f" less {sh.residual_value:.0%} recovered at the end"
    return f"; capex {money(capex)} for servers and network paid up front{how};"


def customisation_words(ctx: Context, o: OptionOut) -> str:
    """The customisation priced, in one sentence (nothing when the workload does not customise)."""
    c = ctx.wl.customisation
    if c is None or c.method == "none" or o.customisation is None:
        return ""
    bd = o.cost_breakdown
    hosting = f" plus {money(bd['tuned_hosting'])} a month of tuned-model hosting" if "tuned_hosting" in bd else ""
    return (
        f"Priced with {c.describe()}: training {money(bd.get('training', 0.0))} a month{hosting} "
        f"(the first run {money(bd.get('first_training_run', 0.0))} up front)."
    )


def _quality_words(o: OptionOut) -> str:
    """The quality index as the tables show it (the scale quality.min_score uses)."""
    if o.quality_index is None:
        return "no quality index"
    return f"quality index {o.quality_index:g}" + (" (estimate)" if o.quality_estimated else "")


def _against_runner(best: OptionOut, runner: OptionOut, other_kind: str | None) -> str:
    wins, loses = [], []
    for key, label, better in (
        ("cost", "cost", best.monthly_cost < runner.monthly_cost - 0.005),
        ("privacy", "privacy", best.scores.privacy > runner.scores.privacy),
        ("lock_in", "lock-in", best.scores.lock_in < runner.scores.lock_in),
        ("quality", "quality", best.scores.quality > runner.scores.quality),
    ):
        same = getattr(best.scores, key) == getattr(runner.scores, key)
        if key == "cost":
            same = abs(best.monthly_cost - runner.monthly_cost) < 0.005
        if not same:
            (wins if better else loses).append(label)
    also = f", also the best {other_kind} option" if other_kind else ""
    txt = (
        f"Against the runner-up {runner.id} (overall {runner.scores.overall:g}, "
        f"{money(runner.monthly_cost)}/month{also})"
    )
    if wins:
        txt += f" it wins on {', '.join(wins)}"
    if loses:
        txt += ("; " if wins else " it ") + f"gives up {', '.join(loses)}"
    return txt + "."


def saving(ctx: Context, ranked: list[OptionOut]) -> Saving | None:
    """The best open-weight option against the best closed option (by the same overall score)
    of equal or higher quality: the closed model one would really pick instead, never a weaker
    or needlessly expensive one. None when no feasible closed option reaches its quality."""
    opens = [o for o in ranked if o.open_weights and o.quality_index is not None and o.monthly_cost is not None]
    closed = [o for o in ranked if not o.open_weights and o.quality_index is not None and o.monthly_cost is not None]
    if not opens or not closed:
        return None
    o = opens[0]
    q = o.quality_index or 0.0
    # Prefer closed models that are not about to shut down: they are the real alternative.
    lasting = [c for c in closed if c.model not in ctx.expiring and c.id not in ctx.expiring]
    closed = lasting or closed
    # `ranked` is best overall first, so the first closed option at least as good is the one
    # the same scoring would choose among them.
    c = next((c for c in closed if (c.quality_index or 0) >= q), None)
    if c is None:
        return None
    pct = (1 - o.monthly_cost / c.monthly_cost) * 100 if c.monthly_cost > 0 else 0.0
    return Saving.model_construct(
        open_option=o.id,
        closed_option=c.id,
        open_monthly_cost=o.monthly_cost,
        closed_monthly_cost=c.monthly_cost,
        saving_pct=round(pct, 1),
        quality_gap=round(q - (c.quality_index or 0), 1),
    )


def named_in_text(rec: Recommendation | None) -> set[str]:
    """Every option the recommendation's text names: itself, the runner-up, the best of the other
    kind, the saving's two options."""
    if rec is None:
        return set()
    named = {rec.id, rec.runner_up, rec.best_other_kind}
    if rec.saving is not None:
        named |= {rec.saving.open_option, rec.saving.closed_option}
    return {n for n in named if n}


def with_named(options: list[OptionOut], rows: list[OptionOut], rec: Recommendation | None) -> list[OptionOut]:
    """`rows` plus every option the recommendation's text names, in the order of `options`, so
    that no option named in the text is missing from the table it is read beside."""
    ids = {o.id for o in rows}
    missing = named_in_text(rec) - ids
    if not missing:
        return rows
    keep = ids | missing
    return [o for o in options if o.id in keep]
