"""What a compare no longer builds until it is read (issue 21): the candidates `explain` lists."""

from __future__ import annotations

from pathlib import Path


def test_a_self_hosted_option_s_candidates_are_built_when_read_and_hold_the_chosen_plan(
    small_catalogue: Path,
) -> None:
    """A compare builds no candidate list; read, each is one row per plan that could be priced,
    and the plan the option chose is among them with its replicas, GPUs billed and precision."""
    from openclosed.catalog import loader
    from openclosed.engine import Engine, Settings
    from openclosed.selfhost.options import Candidates
    from openclosed.workload.presets import preset

    cat = loader._fast_load(small_catalogue)
    result = Engine(cat, preset("chatbot"), Settings(samples=0)).run()
    hosted = [o for o in result.all_options if o.deployment == "self-hosted" and o.self_hosting is not None]
    assert hosted
    for o in hosted:
        cands = result.details[o.id].candidates
        assert isinstance(cands, Candidates) and cands._rows is None  # nothing built by the compare
    for o in hosted:
        cands = result.details[o.id].candidates
        sh = o.self_hosting
        rows = list(cands)
        assert len(cands) == len(rows) >= 1 and cands[0] == rows[0] and cands == rows
        assert {"precision", "replicas", "billed_gpus", "gpu_cost", "operations", "gpus_per_replica"} <= rows[0].keys()
        chosen = [
            r
            for r in rows
            if (r["precision"], r["replicas"], r["billed_gpus"], r["gpus_per_replica"])
            == (sh.precision, sh.replicas, sh.billed_gpus, sh.gpus_per_replica)
        ]
        assert chosen, (o.id, rows)
