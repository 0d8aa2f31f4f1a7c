"""Bounded work on the largest inputs the tool accepts: wall time and peak memory of one run each.

    python benchmarks/bounded.py [usage] [classes] [replicas] [--mb 200]

- usage: `workload from-usage` on a LiteLLM spend log of about 200 MB (the reader's limit), as
  CSV and as a JSON array, generated into a temporary directory. Target: memory flat in file
  size, under 300 MB.
- classes: `compare` and `check` on a workload with 100 traffic classes (the schema's maximum),
  each with its own token profile, some with a quality floor or a first-token target. Target:
  under 5 s and 500 MB each. Then `compare` and `check` on the same classes with no floor or
  target, where every option that serves every class is priced in each: the same target, under
  5 s and 500 MB (the time is not met yet: docs/architecture.md, "Where the time goes").
- replicas: `compare` with `self_hosting.min_replicas` at its maximum (100,000). Target: under 5 s.

Each command runs once in a fresh process; the figures are its wall time, its CPU time and its
peak resident memory (ru_utime + ru_stime and ru_maxrss from wait4). Run it on a quiet machine:
on a shared one the wall times move.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = "request_id,call_type,startTime,model,prompt_tokens,completion_tokens,spend,custom_llm_provider,status\n"
MODELS = ("gpt-4o", "gpt-4o-mini", "claude-sonnet-4-5-20250929", "together_ai/meta-llama/Llama-3.3-70B-Instruct")


def measure(cmd: list[str]) -> tuple[float, float, int, float]:
    """(seconds, peak MB, exit code, CPU seconds) of one run of `cmd`. On a shared machine the
    wall time follows the others' load; the CPU time (user + system) much less."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode() if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit(f"failed ({code}): {' '.join(cmd)}\n{err}")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024, code, cpu  # ru_maxrss is in KiB on Linux


def openclosed(*args: str) -> list[str]:
    return [sys.executable, "-m", "openclosed", *args]


def spend_log(path: Path, megabytes: float) -> int:
    """A month of per-request rows (one a few seconds) until the file reaches `megabytes`."""
    rows, size, target = 0, 0, int(megabytes * 1_000_000)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER)
        chunk = []
        while size < target:
            second = rows * 3 % (30 * 86400)
            day, rest = divmod(second, 86400)
            stamp = f"2026-11-{day + 1:02d}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}Z"
            line = (
                f"chatcmpl-{rows:09d},acompletion,{stamp},{MODELS[rows % 4]},{900 + rows % 700},"
                f"{150 + rows % 300},0.00{rows % 97:02d},openai,success\n"
            )
            chunk.append(line)
            size += len(line)
            rows += 1
            if len(chunk) == 10_000:
                fh.write("".join(chunk))
                chunk = []
        fh.write("".join(chunk))
    return rows


def spend_log_json(path: Path, megabytes: float) -> int:
    """The same rows as `spend_log`, as the JSON array LiteLLM's GET /spend/logs returns."""
    import json

    rows, size, target = 0, 2, int(megabytes * 1_000_000)
    with path.open("w", encoding="utf-8") as fh:
        fh.write("[\n")
        while size < target:
            second = rows * 3 % (30 * 86400)
            day, rest = divmod(second, 86400)
            row = {
                "request_id": f"chatcmpl-{rows:09d}",
                "call_type": "acompletion",
                "startTime": f"2026-11-{day + 1:02d}T{rest // 3600:02d}:{rest // 60 % 60:02d}:{rest % 60:02d}Z",
                "model": MODELS[rows % 4],
                "prompt_tokens": 900 + rows % 700,
                "completion_tokens": 150 + rows % 300,
                "spend": 0.001 * (rows % 97),
                "status": "success",
            }
            line = ("," if rows else "") + json.dumps(row) + "\n"
            fh.write(line)
            size += len(line)
            rows += 1
        fh.write("]\n")
    return rows


def classes_workload(path: Path, n: int = 100, floors: bool = True) -> None:
    """`n` classes, each its own token profile; with `floors`, every third one a quality floor and
    every fourth a first-token target (without: the shape `from-usage --by-model` writes)."""
    lines = [
        "version: 1",
        f"name: classes-{n}",
        "traffic:",
        "  requests_per_day: 500000",
        "  input_tokens: 1000",
        "  output_tokens: 300",
        "  classes:",
    ]
    shares = [round(1 / n, 10)] * n
    shares[0] = round(1 - sum(shares[1:]), 10)
    for i, share in enumerate(shares):
        line = f"    - {{name: c{i}, share: {share}, input_tokens: {200 + 37 * i}, output_tokens: {100 + 11 * i}"
        if floors and i % 3 == 0:
            line += f", quality: {{min_score: {20 + i % 50}}}"
        if floors and i % 4 == 1:
            line += f", latency: {{max_ttft_ms: {2000 + 100 * i}}}"
        lines.append(line + "}")
    path.write_text("\n".join(lines) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("which", nargs="*", default=["usage", "classes", "replicas"])
    parser.add_argument("--mb", type=float, default=199.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        if "usage" in args.which:
            csv = d / "spend.csv"
            rows = spend_log(csv, args.mb)
            mb = csv.stat().st_size / 1e6
            s, peak, _, cpu = measure(openclosed("workload", "from-usage", str(csv), "--by-model"))
            print(
                f"usage: {mb:.0f} MB LiteLLM CSV ({rows:,} requests): {s:.1f} s, peak {peak:.0f} MB (target < 300 MB)"
            )
            small = d / "small.csv"
            spend_log(small, args.mb / 20)
            s, peak_small, _, cpu = measure(openclosed("workload", "from-usage", str(small), "--by-model"))
            print(f"usage: {args.mb / 20:.0f} MB for comparison: {s:.1f} s, peak {peak_small:.0f} MB")
            csv.unlink()
            js = d / "spend.json"
            rows = spend_log_json(js, args.mb)
            s, peak, _, cpu = measure(openclosed("workload", "from-usage", str(js), "--by-model"))
            mb = js.stat().st_size / 1e6
            print(f"usage: {mb:.0f} MB LiteLLM JSON ({rows:,} requests): {s:.1f} s, peak {peak:.0f} MB")
        if "classes" in args.which:
            wl = d / "classes.yaml"
            classes_workload(wl)
            for cmd in (("compare", str(wl), "--format", "json"), ("check", str(wl), "--max-monthly-cost", "1e9")):
                s, peak, _, cpu = measure(openclosed(*cmd))
                print(
                    f"classes: {cmd[0]} with 100 classes: {s:.1f} s ({cpu:.1f} s CPU), peak {peak:.0f} MB "
                    "(target < 5 s, < 500 MB)"
                )
            # No class rules anything out: every option that serves them all is priced in each
            # (the report counts them all: docs/architecture.md, "Where the time goes").
            bare = d / "bare.yaml"
            classes_workload(bare, floors=False)
            for cmd in (("compare", str(bare), "--format", "json"), ("check", str(bare), "--max-monthly-cost", "1e9")):
                s, peak, _, cpu = measure(openclosed(*cmd))
                verdict = "met" if s < 5 and peak < 500 else "missed"
                print(
                    f"classes: {cmd[0]} with 100 classes, no floors: {s:.1f} s ({cpu:.1f} s CPU), peak {peak:.0f} MB "
                    f"(target < 5 s, < 500 MB: {verdict})"
                )
        if "replicas" in args.which:
            wl = d / "replicas.yaml"
            wl.write_text(
                "version: 1\nname: replicas\n"
                "traffic: {requests_per_day: 50000, input_tokens: 1000, output_tokens: 300}\n"
                "self_hosting: {min_replicas: 100000}\n"
            )
            s, peak, _, cpu = measure(openclosed("compare", str(wl), "--format", "json"))
            print(f"replicas: compare with min_replicas 100,000: {s:.1f} s, peak {peak:.0f} MB (target < 5 s)")


if __name__ == "__main__":
    main()
