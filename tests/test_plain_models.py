"""A compare on plain records (modelbase.py, plain_models.py) is the compare pydantic gives: the same
fields in every model, the same output byte for byte, and pydantic left unimported; anything that
would validate starts the run again with pydantic."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

# Every model module, and a description of each model's fields: order, type, default (or what its
# factory gives), bounds, description; and the settings a run reads of its config.
DESCRIBE = """
import importlib, json, sys, typing
import openclosed.modelbase as mb
if sys.argv[1] == "plain":
    assert mb.use_plain()
MODULES = ["catalog.base", "catalog.architecture", "catalog.schema", "report", "workload.customisation",
           "workload.model"]
BASE = mb.BaseModel
out = {}
for name in MODULES:
    module = importlib.import_module("openclosed." + name)
    for cls in vars(module).values():
        if not (isinstance(cls, type) and issubclass(cls, BASE)) or cls.__module__ != module.__name__:
            continue
        fields = []
        for f, info in cls.__pydantic_fields__.items():
            required = info.is_required()
            default = None if required else repr(
                info.default_factory() if info.default_factory is not None else info.get_default())
            bounds = sorted((a, getattr(m, a)) for m in info.metadata for a in ("gt", "ge", "lt", "le")
                            if getattr(m, a, None) is not None)
            annotation = info.annotation
            if isinstance(annotation, typing.ForwardRef):  # pydantic resolves it when first validating
                annotation = eval(annotation.__forward_arg__, vars(module))
            fields.append([f, repr(annotation), required, default, info.default_factory is not None,
                           bounds, info.description])
        config = {k: cls.model_config.get(k) for k in ("extra", "validate_assignment", "allow_inf_nan")}
        out[cls.__module__ + "." + cls.__qualname__] = {"fields": fields, "config": config}
print(json.dumps({"models": out, "pydantic": "pydantic" in sys.modules}))
"""


def _env(**extra: str) -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), **extra}
    env.pop("OPENCLOSED_PYDANTIC", None)
    return env


def _describe(mode: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", DESCRIBE, mode], capture_output=True, text=True, env=_env(), check=True
    )
    return json.loads(proc.stdout)


def test_every_model_has_pydantics_fields_on_plain_records() -> None:
    plain, real = _describe("plain"), _describe("pydantic")
    assert not plain["pydantic"] and real["pydantic"]
    assert len(real["models"]) >= 60
    assert plain["models"].keys() == real["models"].keys()
    for name, described in real["models"].items():
        assert plain["models"][name] == described, name


def _compare(args: list[str], *options: str, **env: str) -> tuple[int, str, str]:
    """`options`: the interpreter's."""
    proc = subprocess.run(
        [sys.executable, *options, "-m", "openclosed", "compare", *args, "--today", "2026-12-01"],
        capture_output=True,
        text=True,
        env=_env(**env),
        cwd=ROOT,
    )
    return proc.returncode, proc.stdout, proc.stderr


def _starts(importtime: str) -> int:
    """How many processes ran the command: each imports the fast path once."""
    return sum(
        line.endswith("|   openclosed.cli.fast") or line.endswith("| openclosed.cli.fast")
        for line in importtime.splitlines()
    )


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A cache directory holding the validated catalogue, as after any earlier run."""
    from openclosed.workload import validated
    from openclosed.workload.model import load_workload

    cache = tmp_path_factory.mktemp("plain-cache")
    code, _, _ = _compare(["--preset", "batch", "-f", "csv"], XDG_CACHE_HOME=str(cache))
    assert code == 0 and any(cache.glob("openclosed/catalog-*.json"))
    with pytest.MonkeyPatch.context() as mp:  # each workload validated once, as by an earlier run
        mp.setenv("XDG_CACHE_HOME", str(cache))
        mp.setattr(validated, "ENABLED", True)
        for name in WORKLOADS:
            load_workload(ROOT / "examples" / name)
    assert len(list(cache.glob("openclosed/workload-*.json"))) == len(WORKLOADS)
    return cache


WORKLOADS = ("startup.yaml", "support-tuned.yaml", "regulated-health.yaml")


# Each compare run in one process per mode (entry.main, as the console script runs it, less the
# process's start and end): what each prints, its exit code, and whether pydantic was imported.
DRIVER = """
import contextlib, io, json, sys
import openclosed.modelbase as mb
if sys.argv[1] == "plain":
    assert mb.use_plain()
from openclosed.cli import entry, fast

def restart():  # a plain run that falls back would print the same after a restart: refuse it here
    raise AssertionError("a compare on plain records needed pydantic")

fast._again_with_pydantic = restart
runs = []
for args in json.loads(sys.argv[2]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            entry.main(["compare", *args, "--today", "2026-12-01"])
            code = 0
        except SystemExit as exc:
            code = exc.code or 0
    runs.append([args, code, out.getvalue(), err.getvalue()])
from openclosed.selfhost import store

store.MAX_WRITES = len(runs)  # every shape sized here is stored: the other mode's run reads them
store.flush()
print(json.dumps({"runs": runs, "pydantic": "pydantic" in sys.modules}))
"""
CASES = [
    ["--preset", "chatbot", "-f", "json"],
    ["--preset", "batch", "-f", "json"],  # a batch window and spot
    ["--preset", "chatbot", "-f", "table"],
    ["--preset", "chatbot", "-f", "csv"],
    ["--preset", "chatbot", "-f", "markdown"],
    ["--preset", "chatbot", "-f", "html"],
    ["-f", "json"],  # no workload: the default preset, with its note
    ["--preset", "no-such-preset"],  # exit 2, one line
    # Workload files validated on an earlier run (workload/validated.py): one with a fine-tuning
    # section, one with regulated data and EU residency.
    [str(ROOT / "examples" / "startup.yaml"), "-f", "json"],
    [str(ROOT / "examples" / "support-tuned.yaml"), "-f", "json"],
    [str(ROOT / "examples" / "regulated-health.yaml"), "-f", "table"],
]


def _drive(mode: str, cache: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER, mode, json.dumps(CASES)],
        capture_output=True,
        text=True,
        env=_env(XDG_CACHE_HOME=str(cache)),
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-800:]
    return json.loads(proc.stdout)


def test_compares_on_plain_records_print_what_pydantic_prints(warm_cache: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    shutil.copytree(warm_cache, cache)  # the sizing store may write: the others' cache stays as it is
    plain, real = _drive("plain", cache), _drive("pydantic", cache)
    assert not plain["pydantic"] and real["pydantic"]
    for (args, *printed), (_, *expected) in zip(plain["runs"], real["runs"], strict=True):
        assert printed == expected, args
        assert printed[0] == (2 if "no-such-preset" in args else 0), args
        assert printed[1] or printed[0] == 2, args


def _imports(args: list[str], cache: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "openclosed", "compare", *args],
        capture_output=True,
        text=True,
        env=_env(XDG_CACHE_HOME=cache),
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-500:]
    return proc.stderr


def test_only_a_compare_that_validates_nothing_leaves_pydantic_unimported(warm_cache: Path, tmp_path: Path) -> None:
    cache = str(tmp_path / "cache")
    shutil.copytree(warm_cache, cache)  # this test adds an entry: the others' cache stays as it is
    # (A preset on the warm cache leaves pydantic unimported: the damaged-entry test's last run.)
    # A workload file not seen before is validated (and kept: the next run of it validates nothing);
    # so is a catalogue not yet in the cache; routing validates each class's workload.
    new = tmp_path / "new.yaml"
    new.write_text((ROOT / "examples" / "startup.yaml").read_text() + "\n# edited\n")
    assert "pydantic" in _imports([str(new), "-f", "json"], cache)
    assert "pydantic" not in _imports([str(new), "-f", "json"], cache)
    assert "pydantic" in _imports(["--preset", "rag", "-f", "json"], str(tmp_path / "empty-cache"))
    assert "pydantic" in _imports([str(ROOT / "examples" / "routed-support.yaml"), "-f", "json"], cache)


def test_a_damaged_cache_entry_starts_the_run_again_with_pydantic(warm_cache: Path, tmp_path: Path) -> None:
    """The entry passes the file checks (so the run takes plain records) but its data has the wrong
    shape: the loader would validate the YAML, so the run starts again with pydantic, which
    rebuilds the entry."""
    cache = tmp_path / "cache"
    (cache / "openclosed").mkdir(parents=True, mode=0o700)
    for entry in (warm_cache / "openclosed").glob("catalog-*.json"):
        damaged = json.loads(entry.read_text())
        damaged["models"] = "damaged"
        (cache / "openclosed" / entry.name).write_text(json.dumps(damaged))
    args = ["--preset", "chatbot", "-f", "json"]
    restarted = _imports(args, str(cache))
    assert _starts(restarted) == 2 and "pydantic" in restarted
    # Rebuilt: the next run reads it on plain records, in one process.
    rebuilt = _imports(args, str(cache))
    assert "pydantic" not in rebuilt and _starts(rebuilt) == 1


def test_an_entry_the_cache_refuses_keeps_pydantic_from_the_start(warm_cache: Path, tmp_path: Path) -> None:
    """An entry that `read` refuses (here: writable by others) is not taken for plain records, so
    the run does not start twice; it rebuilds the entry safely."""
    cache = tmp_path / "cache"
    (cache / "openclosed").mkdir(parents=True, mode=0o700)
    for entry in (warm_cache / "openclosed").glob("catalog-*.json"):
        copy = cache / "openclosed" / entry.name
        copy.write_bytes(entry.read_bytes())
        copy.chmod(0o666)
    out = _imports(["--preset", "chatbot", "-f", "json"], str(cache))
    assert "pydantic" in out and _starts(out) == 1


def test_plain_records_refuse_what_would_validate() -> None:
    """In this (pydantic) process, through a subprocess on plain records."""
    code = """
import openclosed.modelbase as mb
assert mb.use_plain()
from openclosed.plain_models import NeedsValidation
from openclosed.catalog.schema import Quality
from openclosed.workload.model import Traffic
q = Quality.model_construct(index=50.0, benchmark="b", source="s", as_of="2026-01-01")
assert q.estimated is False and q.error is None and q.model_fields_set == {"index", "benchmark", "source", "as_of"}
c = q.model_copy(update={"index": 60.0})
assert c.index == 60.0 and q.index == 50.0 and c != q and "index" in c.model_fields_set
assert q == Quality.model_construct(index=50.0, benchmark="b", source="s", as_of="2026-01-01")
assert str(c).startswith("source='s' as_of='2026-01-01' note=None index=60.0") and repr(c).startswith("Quality(source=")
c._memo = 1  # an undeclared private name is kept, as pydantic keeps it
assert c.__dict__["_memo"] == 1
refused = []
for call in (lambda: Quality(index=1), lambda: Quality.model_validate({}), lambda: q.model_dump(),
             lambda: Quality.model_json_schema(), lambda: setattr(Traffic.model_construct(), "input_tokens", 5)):
    try:
        call()
    except NeedsValidation:
        refused.append(True)
print(len(refused))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=_env(), check=True)
    assert proc.stdout.strip() == "5"


def test_no_module_but_modelbase_imports_pydantic() -> None:
    """A direct import would bring pydantic into a plain-records run (and mix the two kinds of model)."""
    offenders = []
    for path in sorted((ROOT / "src" / "openclosed").rglob("*.py")):
        if path.name == "modelbase.py":
            continue
        for line in path.read_text().splitlines():
            stripped = line.strip()
            if stripped.startswith(("import pydantic", "from pydantic")):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []
