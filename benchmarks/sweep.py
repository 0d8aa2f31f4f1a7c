"""Sweep speed (DESIGN.md §9): 10,000 points over the whole embedded catalogue under 5 s,
cost linear in points.

    python benchmarks/sweep.py [--runs 5] [--preset chatbot] [--range 1e3..1e9]

Times the core `openclosed.sweep.sweep` in-process (catalogue loaded once, outside the timing;
each run builds a fresh Engine, so the engine run at the base workload, sizing, and every
option's closed form are inside it) over every option (`--options all`) for 1k, 3k and 10k
log-spaced points, and prints medians, the time per point, the ratio to the 1k run, and a
linear fit (fixed cost + cost per point). Rendering is not timed: 10k points × ~700 options are
7M rows, whose CSV/JSON text would dwarf the computation.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--preset", default="chatbot")
    parser.add_argument("--range", default="1e3..1e9", help="requests_per_month range")
    parser.add_argument("--points", default="1000,3000,10000")
    args = parser.parse_args()

    from openclosed import sweep as sw
    from openclosed.catalog import load_catalog
    from openclosed.engine import Engine
    from openclosed.workload import preset

    cat = load_catalog(use_env=False)
    wl = preset(args.preset)
    rows = []
    base = None
    options = None
    for n in (int(p) for p in args.points.split(",")):
        spec = sw.parse_spec(f"requests_per_month={args.range}", wl, steps=n, log=True)
        sw.sweep(Engine(cat, wl), spec, ["all"])  # warm-up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            res = sw.sweep(Engine(cat, wl), spec, ["all"])
            times.append(time.perf_counter() - start)
        med = statistics.median(times)
        options = len(res.series)
        base = base or (n, med)
        rows.append((n, med, min(times), max(times), med / (n * options) * 1e9, med / base[1], n / base[0], res.method))
    print(
        f"sweep over every option ({options}) of the embedded catalogue, preset {args.preset}, "
        f"requests_per_month {args.range} (log), {args.runs} runs each"
    )
    print(
        f"{'points':>8} {'median s':>9} {'min s':>7} {'max s':>7} {'ns/(point*option)':>18} "
        f"{'time ratio':>10} {'points ratio':>12}  method"
    )
    for n, med, lo, hi, per, tr, pr, method in rows:
        print(f"{n:>8,} {med:>9.3f} {lo:>7.3f} {hi:>7.3f} {per:>18.1f} {tr:>10.2f} {pr:>12.1f}  {method}")
    ten = next((r for r in rows if r[0] == 10_000), None)
    if ten is not None:
        verdict = "within" if ten[1] < 5.0 else "OVER"
        print(f"10,000 points: median {ten[1]:.2f} s, {verdict} the 5 s budget")
    if len(rows) >= 2:
        (n0, t0, *_), (n1, t1, *_) = rows[0], rows[-1]
        slope = (t1 - t0) / (n1 - n0)
        print(f"linear fit: {t0 - slope * n0:.3f} s fixed + {slope * 1e3:.3f} ms per point")


if __name__ == "__main__":
    main()
