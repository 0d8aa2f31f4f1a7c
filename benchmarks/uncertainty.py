"""Time the uncertainty sampling: the seconds it adds to a `compare` of the whole catalogue.

python benchmarks/uncertainty.py [--runs 9]

For each preset the engine runs once with sampling off; then `confidence.assess` (the whole
of what sampling adds: the frame, the draws, pricing every option in every scenario, finding
each scenario's winner, the percentiles) runs `--runs` times on that result. Printed: medians of
wall-clock and CPU seconds (CPU time is steadier on a shared machine). Target (issue 12):
under 0.2 s for the whole catalogue.
"""

from __future__ import annotations

import argparse
import statistics
import time

from openclosed.catalog import load_catalog
from openclosed.decide import confidence
from openclosed.engine import Engine, Settings
from openclosed.workload.presets import PRESETS, preset

TARGET_S = 0.2


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    cat = load_catalog(use_env=False)
    samples = Settings().samples
    print(f"{'preset':<16} {'options':>7} {'wall s':>8} {'cpu s':>8}  (medians of {args.runs}; {samples} samples)")
    worst = 0.0
    for name in PRESETS:
        engine = Engine(cat, preset(name), Settings(samples=0))
        result = engine.run()
        ctx = engine.ctx
        ctx.st.samples = samples
        rec = result.report.recommended
        walls, cpus = [], []
        for _ in range(args.runs):
            w, c = time.perf_counter(), time.process_time()
            confidence.assess(ctx, result.all_options, result.details, rec)
            walls.append(time.perf_counter() - w)
            cpus.append(time.process_time() - c)
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        worst = max(worst, wall)
        print(f"{name:<16} {len(result.all_options):>7} {wall:>8.3f} {cpu:>8.3f}")
    print(f"worst median: {worst:.3f} s wall (target < {TARGET_S} s): {'ok' if worst < TARGET_S else 'OVER'}")


if __name__ == "__main__":
    main()
