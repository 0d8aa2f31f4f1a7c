"""Where the import time of openclosed's own modules goes in a `compare` (issue 21).

    python benchmarks/import_costs.py [--runs 9] [--preset chatbot] [--top 12] [--pydantic]

Each run is a fresh process that imports what the standard library brings (with `--pydantic`,
pydantic too, which genai-prices pays as well: the models' base when a run validates; without it,
the plain records a compare of a preset runs on, modelbase.py), then runs
`compare --preset P -f json` in process, as the console script's fast path does, with hooks that time:

- each openclosed module's own import (its exec, less the modules it imports in turn);
- the model classes: the whole `class` statement (its body's `Field()` calls and the field
  collection: pydantic's metaclass, which collects them even with `defer_build`, or the plain
  records' `__init_subclass__`);
- the dataclasses: what `@dataclass` does (it compiles each generated method from source);
- reading the bytecode of each module (`get_code`: the .pyc read and unmarshalled).

CPU time, medians over the runs; `-X importtime` gives the same totals without this split. Run it
with PYTHONPATH=<tree>/src to measure a working tree rather than the installed copy.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r"""
import gc, json, sys, time
gc.disable()  # as the console script does before importing the command (cli/entry.py)
import builtins, collections, contextlib, dataclasses, hashlib, io, statistics
import importlib._bootstrap_external as bx
if sys.argv[2] == "plain":  # what the console script's compare of a preset runs on (modelbase.py)
    import openclosed.modelbase as mb
    mb.use_plain()
    from openclosed.plain_models import BaseModel as Base
    is_model = lambda cls: isinstance(cls, type) and issubclass(cls, Base)
else:
    import pydantic, pydantic.fields, pydantic.main, pydantic.types
    from pydantic._internal._model_construction import ModelMetaclass
    is_model = lambda cls: isinstance(cls, ModelMetaclass)

clock = time.process_time
own = collections.defaultdict(float)  # module -> its own import time
models = collections.defaultdict(float)
records = collections.defaultdict(float)
code = collections.defaultdict(float)
counts = collections.Counter()
stack = []

real_exec = bx._LoaderBasics.exec_module
def exec_module(self, module):
    start = clock(); stack.append(0.0)
    try:
        real_exec(self, module)
    finally:
        took = clock() - start; inner = stack.pop()
        own[module.__name__] += took - inner
        if stack:
            stack[-1] += took
bx._LoaderBasics.exec_module = exec_module

real_code = bx.SourceLoader.get_code
def get_code(self, name):
    start = clock(); result = real_code(self, name); code[name] += clock() - start
    return result
bx.SourceLoader.get_code = get_code

real_build = builtins.__build_class__
def build_class(func, name, *bases, **kw):
    start = clock(); cls = real_build(func, name, *bases, **kw)
    if is_model(cls):
        models[cls.__module__] += clock() - start; counts["models"] += 1
    return cls
builtins.__build_class__ = build_class

real_process = dataclasses._process_class
def process_class(cls, *args):
    start = clock(); result = real_process(cls, *args)
    records[cls.__module__] += clock() - start; counts["records"] += 1
    return result
dataclasses._process_class = process_class

from openclosed.cli.compare_run import compare
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    compare(None, {"preset": sys.argv[1]}, "json")
mine = lambda table: {k: v * 1e3 for k, v in table.items() if k.startswith("openclosed")}
print(json.dumps({"own": mine(own), "models": mine(models), "records": mine(records), "code": mine(code),
                  "counts": {"models": counts["models"], "records": counts["records"]}}))
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--preset", default="chatbot")
    parser.add_argument("--top", type=int, default=12, help="modules listed by their own import time")
    parser.add_argument(
        "--pydantic", action="store_true", help="models on pydantic, as a run that validates (default: plain records)"
    )
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    runs = []
    for i in range(args.runs + 1):  # the first writes bytecode and warms the caches: not counted
        mode = "pydantic" if args.pydantic else "plain"
        proc = subprocess.run(
            [sys.executable, "-c", CHILD, args.preset, mode], capture_output=True, text=True, env=env, check=True
        )
        if i:
            runs.append(json.loads(proc.stdout))
    med = statistics.median

    def total(part: str) -> float:
        return med(sum(r[part].values()) for r in runs)

    counts = runs[-1]["counts"]
    kind = "pydantic" if args.pydantic else "plain-record"
    whole = total("own")
    parts = [
        (f"{kind} model classes ({counts['models']}: class body and field collection)", total("models")),
        (f"dataclasses ({counts['records']}: generated methods)", total("records")),
        ("reading bytecode (get_code)", total("code")),
    ]
    rest = med(sum(r["own"].values()) - sum(sum(r[p].values()) for p in ("models", "records", "code")) for r in runs)
    print(f"compare --preset {args.preset} -f json: openclosed's own modules ({len(runs[-1]['own'])}), CPU ms,")
    print(f"median of {args.runs} fresh processes\n")
    print(f"{'all of their imports (each module less those it imports)':<64} {whole:6.1f}")
    for name, value in parts:
        print(f"  {name:<62} {value:6.1f}")
    print(f"  {'the rest (module bodies, other classes, import machinery)':<62} {rest:6.1f}\n")
    names = sorted(runs[-1]["own"], key=lambda m: -med(r["own"].get(m, 0.0) for r in runs))
    print(f"{'module':<44} {'own':>6} {'models':>7} {'dataclasses':>12} {'bytecode':>9}")
    for m in names[: args.top]:
        row = [med(r[p].get(m, 0.0) for r in runs) for p in ("own", "models", "records", "code")]
        print(f"{m:<44} {row[0]:6.1f} {row[1]:7.1f} {row[2]:12.1f} {row[3]:9.1f}")


if __name__ == "__main__":
    main()
