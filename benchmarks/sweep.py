"""Sweep speed (issue 14): `openclosed sweep --options all` over the whole embedded catalogue as
a fresh process writing CSV to a file: 1,000 log-spaced points under 3 s, 10,000 under 20 s.

    python benchmarks/sweep.py [--runs 3] [--points 1000,10000] [--preset chatbot] [--range 1e3..1e9]
    python benchmarks/sweep.py --in-process      # the core sweep alone, no rendering

Fresh process (the default): runs `python -m openclosed sweep … --options all -f csv -o FILE`
with this checkout's `src` first on PYTHONPATH, `--runs` times per point count, alternating with
`python -c pass` (the interpreter's own start, measured in the same run so that a loaded machine
shows as a larger baseline rather than as a slower sweep). Prints the median, min and max, the
median over the baseline, the peak memory (ru_maxrss of the child) and the target.

In-process (`--in-process`): times the core `openclosed.sweep.sweep` plus materialising every
cost (catalogue loaded once, outside the timing; each run builds a fresh Engine), without the CSV.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = {1000: 3.0, 10000: 20.0}  # seconds, fresh process, CSV to a file


def _child(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one child process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} exited with {proc.returncode}")
    return wall, usage.ru_maxrss


def fresh(args: argparse.Namespace) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])}
    env.setdefault("XDG_CACHE_HOME", tempfile.mkdtemp(prefix="openclosed-bench-cache-"))
    base_cmd = [sys.executable, "-c", "pass"]
    print(
        f"fresh-process sweep over every option of the embedded catalogue, preset {args.preset}, "
        f"requests_per_month {args.range} (log), CSV to a file, {args.runs} runs each"
    )
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep.csv"

        def sweep_cmd(n: int) -> list[str]:
            return [
                *[sys.executable, "-m", "openclosed", "sweep", "--preset", args.preset],
                *["--vary", f"requests_per_month={args.range}", "--steps", str(n), "--options", "all"],
                *["-f", "csv", "-o", str(out), "--today", args.today],
            ]

        subprocess.run(sweep_cmd(10), env=env, check=True, capture_output=True)  # warm the catalogue cache
        print(f"{'points':>8} {'median s':>9} {'min s':>7} {'max s':>7} {'/ baseline':>10} {'peak MiB':>9}  target")
        for n in (int(p) for p in args.points.split(",")):
            times, bases, peak = [], [], 0
            for _ in range(args.runs):
                bases.append(_child(base_cmd, env)[0])
                wall, rss = _child(sweep_cmd(n), env)
                times.append(wall)
                peak = max(peak, rss)
            med, base = statistics.median(times), statistics.median(bases)
            target = TARGETS.get(n)
            verdict = "" if target is None else f"{target:.0f} s: {'within' if med < target else 'OVER'}"
            rows = sum(1 for _ in out.open()) - 1
            print(
                f"{n:>8,} {med:>9.2f} {min(times):>7.2f} {max(times):>7.2f} {med / base:>10.1f} "
                f"{peak / 1024:>9.0f}  {verdict} ({rows:,} rows)"
            )
        print(f"baseline (python -c pass): median {statistics.median(bases):.3f} s")


def in_process(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from openclosed.analyses import sweep as sw
    from openclosed.catalog import load_catalog
    from openclosed.engine import Engine
    from openclosed.workload.presets import preset

    cat = load_catalog(use_env=False)
    wl = preset(args.preset)
    print(f"in-process sweep + every cost (no CSV), preset {args.preset}, {args.runs} runs each")
    print(f"{'points':>8} {'median s':>9} {'min s':>7} {'max s':>7} {'ns/(point*option)':>18}")
    for n in (int(p) for p in args.points.split(",")):
        spec = sw.parse_spec(f"requests_per_month={args.range}", wl, steps=n, log=True)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            res = sw.sweep(Engine(cat, wl), spec, ["all"])
            res.materialize()
            times.append(time.perf_counter() - start)
        med = statistics.median(times)
        per = med / (n * len(res.series)) * 1e9
        print(f"{n:>8,} {med:>9.3f} {min(times):>7.3f} {max(times):>7.3f} {per:>18.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--preset", default="chatbot")
    parser.add_argument("--range", default="1e3..1e9", help="requests_per_month range")
    parser.add_argument("--points", default="1000,10000")
    parser.add_argument("--today", default="2026-11-24")
    parser.add_argument("--in-process", action="store_true", help="time the core sweep without the CLI or CSV")
    args = parser.parse_args()
    (in_process if args.in_process else fresh)(args)


if __name__ == "__main__":
    main()
