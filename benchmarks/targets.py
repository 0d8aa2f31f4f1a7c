"""Issue 14's figures in one run: start-up, large sweeps and the test suite, against their targets.

    python benchmarks/targets.py [--runs 7] [--skip-tests] [--skip-10k]

Every command runs as a fresh process, the way a user or CI runs it, and each timing is the
median of several runs measured in this same go. A command and its baseline run back to back in
each round, and a ratio is the median of those pairs' ratios (the machine's speed drifts):

- `openclosed --version` against a bare `python -c pass` (target: within 3×);
- `compare --preset chatbot --format json` (uncertainty sampling on, as by default) against one
  genai-prices `calc_price` in a fresh process (target: at most 1×, aim 0.5×);
- `sweep --options all` over the whole catalogue, CSV to a file, 1,000 points (target < 3 s) and
  10,000 points (target < 20 s), with the peak memory of each (flat in the points);
- the README's test command, `python -m pytest` (target < 60 s on 2 cores).

The catalogue cache and the sizing store (selfhost/store.py) are warmed first, as after any earlier
run of the same command on the machine.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENAI = (
    "from genai_prices import Usage, calc_price; "
    "calc_price(Usage(input_tokens=1200, output_tokens=300), 'gpt-4o', provider_id='openai')"
)
SWEEP = ["sweep", "--preset", "chatbot", "--vary", "requests_per_month=1e3..1e9", "--options", "all", "-f", "csv"]


def _run(cmd: list[str], out: Path | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB of this child, exit code)."""
    start = time.perf_counter()
    with open(out or os.devnull, "wb") as sink:
        proc = subprocess.Popen(cmd, stdout=sink, stderr=subprocess.DEVNULL, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return wall, usage.ru_maxrss / 1024, proc.returncode


def median(cmd: list[str], runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        _run(cmd)
    times = []
    for _ in range(runs):
        wall, _, code = _run(cmd)
        if code not in (0, 1):
            sys.exit(f"benchmark command failed ({code}): {' '.join(cmd)}")
        times.append(wall)
    return statistics.median(times)


def paired(cmd: list[str], baseline: list[str], runs: int) -> tuple[float, float, float]:
    """(median of cmd, median of baseline, median of the ratios of each pair), the two run one
    after the other in every round: the machine's speed drifts by tens of per cent over a
    minute here, and each ratio compares runs made under the same conditions."""
    _run(cmd)  # warm-up: disk caches, the catalogue cache
    _run(baseline)
    a, b = [], []
    for _ in range(runs):
        for cmd_, out in ((cmd, a), (baseline, b)):
            wall, _, code = _run(cmd_)
            if code not in (0, 1):
                sys.exit(f"benchmark command failed ({code}): {' '.join(cmd_)}")
            out.append(wall)
    return statistics.median(a), statistics.median(b), statistics.median(x / y for x, y in zip(a, b, strict=True))


def openclosed(*args: str) -> list[str]:
    return [sys.executable, "-m", "openclosed", *args]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--sweep-runs", type=int, default=3)
    parser.add_argument("--skip-tests", action="store_true")
    parser.add_argument("--skip-10k", action="store_true")
    args = parser.parse_args()
    rows: list[tuple[str, str, str, str]] = []

    version, bare, ratio = paired(openclosed("--version"), [sys.executable, "-c", "pass"], args.runs)
    rows.append(("python -c pass", f"{bare * 1e3:.0f} ms", "baseline", ""))
    rows.append(("openclosed --version", f"{version * 1e3:.0f} ms", f"{ratio:.2f}× bare", _met(ratio <= 3, "≤ 3×")))

    compare_cmd = openclosed("compare", "--preset", "chatbot", "--format", "json")
    if importlib.util.find_spec("genai_prices"):
        compare, genai, ratio = paired(compare_cmd, [sys.executable, "-c", GENAI], args.runs)
        rows.append(("genai-prices calc_price (fresh)", f"{genai * 1e3:.0f} ms", "baseline", ""))
        verdict = _met(ratio <= 1, "≤ 1×")
        rows.append(("compare --preset chatbot -f json", f"{compare * 1e3:.0f} ms", f"{ratio:.2f}× genai", verdict))
    else:
        compare = median(compare_cmd, args.runs)
        rows.append(("compare --preset chatbot -f json", f"{compare * 1e3:.0f} ms", "genai-prices not installed", ""))

    with tempfile.TemporaryDirectory() as tmp:
        for points, target in ((1000, 3.0), (10_000, 20.0)):
            if points == 10_000 and args.skip_10k:
                continue
            out = Path(tmp) / f"sweep-{points}.csv"
            cmd = openclosed(*SWEEP, "--steps", str(points), "--out-file", str(out))
            _run(cmd)  # warm-up
            walls, peaks = [], []
            for _ in range(args.sweep_runs):
                wall, peak, code = _run(cmd)
                if code != 0:
                    sys.exit(f"sweep failed ({code})")
                walls.append(wall)
                peaks.append(peak)
            wall = statistics.median(walls)
            rows_out = sum(1 for _ in out.open()) - 1
            peak = max(peaks)
            rows.append(
                (
                    f"sweep --options all, {points:,} points",
                    f"{wall:.2f} s",
                    f"{rows_out:,} rows, peak {peak:.0f} MB",
                    _met(wall < target, f"< {target:g} s"),
                )
            )

    if not args.skip_tests:
        start = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - start
        last = (proc.stdout.strip().splitlines() or ["?"])[-1]
        rows.append(("python -m pytest (README)", f"{wall:.1f} s", last.strip("= "), _met(wall < 60, "< 60 s")))

    print(
        f"{os.cpu_count()} CPUs; medians of {args.runs} (sweeps: {args.sweep_runs}) fresh processes, same run; "
        "ratios: median of pairs run back to back"
    )
    width = max(len(r[0]) for r in rows)
    for name, value, note, verdict in rows:
        print(f"{name:<{width}}  {value:>9}  {note:<34} {verdict}")


def _met(ok: bool, target: str) -> str:
    return f"target {target}: {'met' if ok else 'missed'}"


if __name__ == "__main__":
    main()
