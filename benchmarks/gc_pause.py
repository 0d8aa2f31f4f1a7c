"""A warm `compare` in a process that already holds earlier results, with the cyclic garbage
collector paused (as `Engine.run` does) and running, alternated in one go.

    python benchmarks/gc_pause.py [--runs 6] [--preset rag]

Prints the CPU time of each run (sorted) and the medians. Sizing is memoised per process, so
this is the cost a test suite, a notebook or a sweep pays for each further comparison.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=6)
    parser.add_argument("--preset", default="rag")
    args = parser.parse_args()

    from openclosed import engine as eng
    from openclosed.analyses.compare import compare
    from openclosed.catalog import load_catalog
    from openclosed.engine import Settings
    from openclosed.workload.presets import preset

    cat, wl = load_catalog(use_env=False), preset(args.preset)
    kept = [compare(cat, wl, Settings(samples=8)) for _ in range(3)]  # a heap like a test worker's
    times: dict[str, list[float]] = {"paused": [], "running": []}
    real = eng.paused_gc
    for _ in range(args.runs):
        for mode in times:
            # "running": the engine's pause replaced by a no-op, the collector left on.
            eng.paused_gc = real if mode == "paused" else _no_pause  # type: ignore[assignment]
            start = time.process_time()
            kept.append(compare(cat, wl, Settings(samples=8)))
            times[mode].append(time.process_time() - start)
            kept = kept[-4:]
    eng.paused_gc = real  # type: ignore[assignment]
    print(f"warm compare --preset {args.preset}, {args.runs} runs each, CPU ms (gc enabled: {gc.isenabled()})")
    for mode, ts in times.items():
        print(f"{mode:>8}: median {statistics.median(ts) * 1e3:6.0f}   runs {sorted(round(t * 1e3) for t in ts)}")


class _NoPause:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


def _no_pause() -> _NoPause:
    return _NoPause()


if __name__ == "__main__":
    main()
