"""A compare builds the self-hosting figures of the options it prints only (`Settings.lean_options`,
issue 21): scores, ranks, the recommendation and every figure printed are the same as when every
option's figures are built."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import TODAY

MODELS = ["llama-3.3-70b", "qwen3.5-397b-a17b", "gemma-4-26b-a4b", "gpt-4o-mini"]


def _run(catalog, lean: bool):  # type: ignore[no-untyped-def]
    from openclosed.engine import Engine, Settings
    from openclosed.workload.presets import preset

    settings = Settings(
        today=dt.date.fromisoformat(TODAY), models=MODELS, samples=8, lazy_ranges=True, lean_options=lean
    )
    return Engine(catalog, preset("chatbot"), settings).run()


def test_lean_and_full_runs_give_the_same_report_once_filled(catalog) -> None:  # type: ignore[no-untyped-def]
    from openclosed.report import SelfHostingOut, to_plain
    from openclosed.selfhost.options import PendingHosting

    full, lean = _run(catalog, False), _run(catalog, True)
    pending = [o for o in lean.report.options if isinstance(o.self_hosting, PendingHosting)]
    # Every priced self-hosted option waits (on-prem ones too), except those the recommendation's
    # prose read a figure of: those were built when read.
    assert len(pending) > 50
    assert any(o.provider == "on-prem" for o in pending)
    for o in pending:
        built = o.self_hosting.built()
        assert (o.self_hosting.gpu, o.self_hosting.pricing) == (built.gpu, built.pricing)
        assert (o.self_hosting.price_as_of, o.self_hosting.on_prem) == (built.price_as_of, built.on_prem)
    assert lean.report.recommendation == full.report.recommendation
    assert lean.report.recommendation_confidence == full.report.recommendation_confidence
    assert lean.report.warnings == full.report.warnings
    full.fill_ranges(full.report.options)
    lean.fill_ranges(lean.report.options)
    assert all(o.self_hosting is None or type(o.self_hosting) is SelfHostingOut for o in lean.report.options)
    assert to_plain(lean.report) == to_plain(full.report)


def test_compare_builds_the_figures_of_the_options_it_prints(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fails when every self-hosted option's figures are built (about 1,000 here)."""
    from openclosed.selfhost import options

    built: list[str] = []
    real = options.hosting_out

    def spy(ctx, host, gpu_id, plan, *rest):  # type: ignore[no-untyped-def]
        built.append(f"{host.id}:{gpu_id}")
        return real(ctx, host, gpu_id, plan, *rest)

    monkeypatch.setattr(options, "hosting_out", spy)
    r = cli("compare", "--preset", "chatbot", "--format", "json", "--today", TODAY)
    assert r.code == 0, r.err
    printed = [o for o in r.json()["options"] if o["self_hosting"] is not None]
    assert printed
    # The printed ones, and at most the few the recommendation's prose reads (best, runner-up, other kind).
    assert len(printed) <= len(built) <= len(printed) + 3
    assert {f"{o['self_hosting']['cloud']}:{o['self_hosting']['gpu']}" for o in printed} <= set(built)


def test_a_pending_figure_reads_through_to_the_built_one(catalog) -> None:  # type: ignore[no-untyped-def]
    from openclosed.selfhost.options import PendingHosting

    lean = _run(catalog, True)
    o = next(o for o in lean.report.options if isinstance(o.self_hosting, PendingHosting))
    sh = o.self_hosting
    assert sh._built is None
    assert sh.replicas == sh.built().replicas and sh.tp == sh.built().tp
    with pytest.raises(AttributeError):
        sh.__deepcopy__  # noqa: B018  # copy protocols are not lent the built figures
    import copy

    clone = copy.copy(sh)  # a copy is built from the slots, without recursing through __getattr__
    assert clone.built() is sh.built()


def test_self_hosted_options_of_one_model_share_no_mutable_field(catalog) -> None:  # type: ignore[no-untyped-def]
    """`_self_out` copies a per-model template: every field in the model's order, as `construct`
    gives, and each option its own lists and dicts."""
    from openclosed.report import OptionOut, construct

    lean = _run(catalog, True)
    mine = [o for o in lean.report.options if o.model == "llama-3.3-70b" and o.deployment == "self-hosted"]
    assert len(mine) > 10
    for o in mine:
        assert tuple(o.__dict__) == tuple(OptionOut.__pydantic_fields__)
        assert o.__pydantic_fields_set__ == set(OptionOut.__pydantic_fields__)
        assert o == construct(OptionOut, **o.__dict__)
    for name in ("cost_breakdown", "violations", "warnings", "reasons"):
        assert len({id(getattr(o, name)) for o in mine}) == len(mine), name


def test_each_option_s_overall_score_is_scoring_overall_of_its_parts(catalog) -> None:  # type: ignore[no-untyped-def]
    """`recommend.score` works out the parts an option shares with others once and sums them as
    `scoring.overall` does: every option's scores equal those worked out one by one."""
    from openclosed.decide import recommend, scoring
    from openclosed.engine import Engine, Settings
    from openclosed.workload.presets import preset

    settings = Settings(today=dt.date.fromisoformat(TODAY), models=MODELS, samples=8, lean_options=True)
    engine = Engine(catalog, preset("chatbot"), settings)
    lean = engine.run()
    options = lean.report.options
    ctx = engine.ctx  # the run's weights, materiality, best quality and options retired within the horizon
    cheapest = min(o.monthly_cost for o in options if o.feasible and o.monthly_cost)
    seen = set()
    for o in options:
        det = lean.details[o.id]
        kind = recommend.host_kind(det.hosting.get("host"))
        hold = recommend._hold(o, kind)
        serving = len(catalog.providers_serving(o.model))
        lic = catalog.licence(det.model.licence)
        parts = {
            "cost": scoring.cost_score(o.monthly_cost, cheapest, ctx.materiality),
            "privacy": scoring.privacy_score(det.provider, kind, []),
            "lock_in": min(
                100.0,
                scoring.lock_in_score(det.model, lic, o.deployment == "self-hosted", serving, [], hold)
                + scoring.customisation_lock_in(det.model.open_weights, o.deployment == "self-hosted", None, []),
            ),
            "quality": scoring.quality_score(o.quality_index, ctx.best_quality),
        }
        penalty = scoring.LIFECYCLE_PENALTY if (o.model in ctx.expiring or o.id in ctx.expiring) else 0.0
        assert o.scores.overall == round(scoring.overall(parts, ctx.weights, penalty), 1), o.id
        assert (o.scores.privacy, o.scores.lock_in) == (round(parts["privacy"], 1), round(parts["lock_in"], 1))
        seen.add((o.deployment, penalty > 0))
    assert seen == {("api", False), ("api", True), ("self-hosted", False)}


def _scored(catalog, lean: bool, workload):  # type: ignore[no-untyped-def]
    from openclosed.engine import Engine, Settings

    settings = Settings(
        today=dt.date.fromisoformat(TODAY), models=MODELS, samples=8, lazy_ranges=True, lean_options=True
    )
    settings.lean_scores = lean
    return Engine(catalog, workload, settings).run()


@pytest.mark.parametrize("floor", [None, 101.0])
def test_scores_and_ruled_out_entries_wait_until_printed(catalog, floor) -> None:  # type: ignore[no-untyped-def]
    """`Settings.lean_scores`: every option's scores are pending (its figures only) and a ruled-out
    option's sampled entry unbuilt until a caller prints it; the report is the same once filled,
    the order of the ruled-out options included. A floor of 101 rules every option out (the
    sampled frame then prices every option for the cheapest cost)."""
    from openclosed.decide.recommend import PendingScores
    from openclosed.report import Scores, to_plain
    from openclosed.workload.presets import preset

    wl = preset("chatbot")
    if floor is not None:
        wl = wl.model_copy(update={"quality": wl.quality.model_copy(update={"min_score": floor})})
    full, lean = _scored(catalog, False, wl), _scored(catalog, True, wl)
    ruled_out = [o for o in lean.report.options if not o.feasible]
    assert len(ruled_out) > 20
    assert all(type(o.scores) is PendingScores for o in lean.report.options)
    assert all(o.reasons == [] for o in lean.report.options)
    assert all(type(o.scores) is Scores for o in full.report.options)
    # The feasible options ranked as before; the ruled-out ones after them, unranked.
    head = [o.id for o in full.report.options if o.feasible]
    assert [o.id for o in lean.report.options[: len(head)]] == head
    assert [o.id for o in lean.report.options[len(head) :]] == [o.id for o in lean.all_options if not o.feasible]
    assert sorted(o.id for o in lean.report.options) == sorted(o.id for o in full.report.options)
    unread = [o for o in ruled_out if o.scores._later is not None]
    assert len(unread) == len(ruled_out) - (len(ruled_out) if floor is not None else 0)
    by_id = {f.id: f for f in full.report.options}
    for o in lean.report.options:
        for key in ("cost", "privacy", "lock_in", "quality", "overall"):
            assert getattr(o.scores, key) == getattr(by_id[o.id].scores, key)
    assert lean.report.recommendation == full.report.recommendation
    assert lean.report.recommendation_confidence == full.report.recommendation_confidence
    assert lean.report.warnings == full.report.warnings
    frame = lean.ranges.frame
    pending = [i for i, e in enumerate(frame.entries) if e is None]
    assert len(pending) == (0 if floor is not None else len(ruled_out))  # nothing feasible: every one priced
    full.fill_ranges(full.report.options)
    lean.fill_ranges(lean.report.options)
    assert all(type(o.scores) is Scores for o in lean.report.options)
    assert None not in frame.entries
    plain, want = to_plain(lean.report), to_plain(full.report)
    assert sorted(plain.pop("options"), key=lambda o: o["id"]) == sorted(want.pop("options"), key=lambda o: o["id"])
    assert plain == want


def test_compare_without_all_fills_the_scores_of_the_options_it_prints(cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """Scores are built only for the options printed by a plain compare (feasible ones), and not
    deferred at all for `--all`."""
    from openclosed.decide import recommend

    filled: list[str] = []
    real = recommend.PendingScores.fill

    def spy(self, o):  # type: ignore[no-untyped-def]
        filled.append(o.id)
        real(self, o)

    monkeypatch.setattr(recommend.PendingScores, "fill", spy)
    args = ("compare", "--preset", "chatbot", "--models", ",".join(MODELS), "--today", TODAY)
    r = cli(*args, "--format", "json")
    assert r.code == 0, r.err
    printed = r.json()["options"]
    assert all(o["feasible"] for o in printed) and sorted(filled) == sorted(o["id"] for o in printed)
    assert all(o["reasons"][0].startswith("cost: ") for o in printed)
    filled.clear()
    r = cli(*args, "--all", "--format", "csv")
    assert r.code == 0, r.err
    assert filled == [] and "false" in r.out.lower()
