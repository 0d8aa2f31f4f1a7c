"""Routing with many traffic classes does only the work it reports (Hardening 4).

Each class is compared alone; before, every class run also sampled its own uncertainty (a
hundred samples of every option, for a confidence nobody reads) and kept what only `explain`
shows of each option. The time and memory of 100 classes are in benchmarks/bounded.py.
"""

from __future__ import annotations

from openclosed.decide import confidence
from openclosed.engine import Settings
from openclosed.workload.model import workload_from_dict

WL = {
    "version": 1,
    "name": "three-classes",
    "traffic": {
        "requests_per_month": 300_000,
        "input_tokens": 1000,
        "output_tokens": 200,
        "classes": [
            {"name": "a", "share": 0.5},
            {"name": "b", "share": 0.3, "input_tokens": 3000},
            {"name": "c", "share": 0.2, "output_tokens": 600},
        ],
    },
}


def test_class_runs_sample_no_uncertainty_and_keep_no_explain_data(catalog, monkeypatch) -> None:
    from openclosed.analyses import class_runs, routing

    calls: list[int] = []
    real = confidence.assess
    monkeypatch.setattr(confidence, "assess", lambda ctx, *a, **k: calls.append(ctx.st.samples) or real(ctx, *a, **k))
    kept: list[class_runs.ClassRun] = []
    real_runs = routing.run_classes
    monkeypatch.setattr(routing, "run_classes", lambda *a: kept.extend(real_runs(*a)) or kept)
    settings = Settings(models=["llama-3.1-8b", "gpt-4o-mini"], samples=8, today=None)
    result = routing.compare_routed(catalog, workload_from_dict(WL), settings)
    assert result.report.routing is not None and len(kept) == 3
    # The whole traffic samples its 8 scenarios; the three classes sample none; the one answer
    # (every option re-priced for the classes, issue 22) samples its 8 again.
    assert calls == [8, 0, 0, 0, 8]
    assert result.report.recommendation_confidence is not None
    for run in kept:
        assert all(d.candidates == [] and d.hosting == {} and d.sizing is None for d in run.details.values())
        assert any(d.curve is not None for d in run.details.values())  # what fleet() reads
