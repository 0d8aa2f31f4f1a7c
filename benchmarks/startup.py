"""Start-up and compare latency against baselines measured in the same run (DESIGN.md §9).

    python benchmarks/startup.py [--runs 9]

Budgets: `openclosed --version` within 4x a bare `python -c pass`; `openclosed compare` on the
embedded catalogue and a preset, JSON out, under 250 ms and faster than one genai-prices price
calculation in a fresh process (import + calc, the way a script would use it).
"""

from __future__ import annotations

import argparse
import importlib.util
import sys

from _timing import median_seconds, openclosed

GENAI = (
    "from genai_prices import Usage, calc_price; "
    "calc_price(Usage(input_tokens=1200, output_tokens=300), 'gpt-4o', provider_id='openai')"
)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    rows = []
    bare = median_seconds([sys.executable, "-c", "pass"], args.runs)
    rows.append(("python -c pass (baseline)", bare, ""))
    version = median_seconds(openclosed("--version"), args.runs)
    rows.append(("openclosed --version", version, f"{version / bare:.2f}x baseline (budget 4x)"))
    compare = median_seconds(openclosed("compare", "--preset", "chatbot", "--format", "json"), args.runs)
    rows.append(("openclosed compare --preset chatbot -f json", compare, "budget 250 ms"))
    if importlib.util.find_spec("genai_prices"):
        genai = median_seconds([sys.executable, "-c", GENAI], args.runs)
        rows.append(("genai-prices: one calc_price (fresh process)", genai, f"compare is {compare / genai:.2f}x this"))
    else:
        rows.append(("genai-prices", float("nan"), "not installed: pip install 'openclosed[prices]'"))
    print(f"{'what':<48} {'median ms':>10}  note")
    for name, seconds, note in rows:
        print(f"{name:<48} {seconds * 1e3:>10.1f}  {note}")


if __name__ == "__main__":
    main()
