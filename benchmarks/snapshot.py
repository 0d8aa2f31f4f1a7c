"""Write the outputs that a refactor must leave byte-identical into a folder, to compare two runs.

    python benchmarks/snapshot.py OUT_DIR [--today YYYY-MM-DD]
    diff -r BEFORE_DIR AFTER_DIR

It writes the JSON of every preset and every example (`compare --all`), the `explain` of each
recommended option, and each preset's default sweep (JSON). Each command runs in a fresh process
through the console entry (`python -m openclosed`), so the snapshot sees what a user sees.
`--today` pins the date that staleness warnings are computed against, so that two runs on
different days compare equal.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ("chatbot", "rag", "batch", "code-assistant", "agent")


def _run(args: list[str]) -> tuple[int, str, str]:
    proc = subprocess.run([sys.executable, "-m", "openclosed", *args], capture_output=True, text=True, check=False)
    return proc.returncode, proc.stdout, proc.stderr


def _write(out: Path, name: str, result: tuple[int, str, str]) -> None:
    code, stdout, stderr = result
    (out / f"{name}.out").write_text(stdout, encoding="utf-8")
    (out / f"{name}.err").write_text(f"exit {code}\n{stderr}", encoding="utf-8")


def _inputs() -> list[tuple[str, list[str]]]:
    cases = [(f"preset-{p}", ["--preset", p]) for p in PRESETS]
    cases += [(f"example-{e.stem}", [str(e)]) for e in sorted((ROOT / "examples").glob("*.yaml"))]
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--today", default="2026-12-01")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    day = ["--today", args.today]
    cases = _inputs()
    with ThreadPoolExecutor(max_workers=2) as pool:
        compares = list(pool.map(lambda c: _run(["compare", *c[1], "--all", "-f", "json", *day]), cases))
        for (name, _), res in zip(cases, compares, strict=True):
            _write(args.out, f"compare-{name}", res)
        explains = []
        for (name, given), (_, stdout, _) in zip(cases, compares, strict=True):
            try:
                rec = json.loads(stdout).get("recommended")
            except json.JSONDecodeError:
                rec = None
            if rec:
                explains.append((name, ["explain", rec, *given, *day]))
        for (name, _), res in zip(explains, pool.map(lambda c: _run(c[1]), explains), strict=True):
            _write(args.out, f"explain-{name}", res)
        sweeps = [(f"preset-{p}", ["sweep", "--preset", p, "-f", "json", *day]) for p in PRESETS]
        for (name, _), res in zip(sweeps, pool.map(lambda c: _run(c[1]), sweeps), strict=True):
            _write(args.out, f"sweep-{name}", res)
    print(f"wrote {len(list(args.out.iterdir()))} files to {args.out}")


if __name__ == "__main__":
    main()
