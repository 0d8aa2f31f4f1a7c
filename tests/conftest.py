"""Shared test helpers: run the CLI in-process with a fixed width and no colour."""

from __future__ import annotations

import dataclasses
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, settings

# Hypothesis profiles: small example budgets by default (the whole suite runs in under a minute on
# two cores); OPENCLOSED_THOROUGH=1 for a deep run. Tests that set their own budget keep it.
_HEALTH = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile(
    "openclosed-fast",
    max_examples=8,
    deadline=None,
    suppress_health_check=_HEALTH,
    derandomize=True,
    database=None,
    # No shrinking by default: a failure is reported as found, without minutes of minimising.
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile(
    "openclosed-thorough", max_examples=400, deadline=None, suppress_health_check=_HEALTH, print_blob=True
)
settings.load_profile("openclosed-thorough" if os.environ.get("OPENCLOSED_THOROUGH") else "openclosed-fast")


# The cyclic garbage collector walked every test's results (100,000 objects a comparison) once or
# twice more: about a sixth of the suite's CPU time. A run's objects hold no cycle (test_no_cycles:
# reference counting frees them), so a worker collects only every COLLECT_EVERY tests, for what
# tests themselves leave in cycles (caught exceptions and their frames), and what survives a pass
# (the modules, the tests, the catalogue, the sizing memo: kept for the session) is frozen out of
# later ones.
COLLECT_EVERY = 100
_ran = {"tests": 0}


def pytest_collection_finish(session: pytest.Session) -> None:
    import gc

    gc.collect()
    gc.freeze()
    gc.disable()


def pytest_sessionstart(session: pytest.Session) -> None:
    """pytest-xdist writes "bringing up nodes..." when it starts its workers and again when they have
    collected (off a terminal, with -q): the second line says nothing new. Keep the first."""
    reporter = session.config.pluginmanager.getplugin("terminaldistreporter")
    if reporter is None or not hasattr(reporter, "ensure_show_status"):
        return
    shown = reporter.ensure_show_status

    def once() -> None:
        if not getattr(reporter, "_openclosed_shown", False):
            reporter._openclosed_shown = True
            shown()

    reporter.ensure_show_status = once


def pytest_runtest_teardown(item: pytest.Item) -> None:
    import gc

    _ran["tests"] += 1
    if _ran["tests"] % COLLECT_EVERY == 0:
        gc.collect()
        gc.freeze()  # what survives is kept by the session (memos, caches): left out of later passes


ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-24"
# The sweep most tests draw: the chatbot preset across six decades of volume.
SWEEP_CHATBOT = ("sweep", "--preset", "chatbot", "--vary", "requests_per_month=1e3..1e9")


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> Any:
        return json.loads(self.out)


# Uncertainty sampling runs in every compare: the suite samples 8 scenarios (the tests of the
# sampling itself set their own count); OPENCLOSED_THOROUGH=1 uses the default 100, as it deepens
# the hypothesis budgets.
SAMPLES = "100" if os.environ.get("OPENCLOSED_THOROUGH") else "8"
# Set now, not only in a fixture: test modules build Settings() when they are imported.
os.environ["OPENCLOSED_SAMPLES"] = SAMPLES


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory: pytest.TempPathFactory):
    """Session-wide isolation, set before any session fixture (such as `catalog`) runs."""
    cache = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        mp.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("xdg-config")))
        mp.setenv("XDG_CACHE_HOME", str(cache))
        mp.setenv("OPENCLOSED_CONFIG_DIR", str(tmp_path_factory.mktemp("no-config")))
        mp.setenv("OPENCLOSED_SAMPLES", SAMPLES)
        yield cache


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _session_cache: Path) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.delenv("OPENCLOSED_CATALOG", raising=False)
    monkeypatch.setenv("OPENCLOSED_SAMPLES", SAMPLES)
    # Tests never touch the user's home: HOME and the XDG directories are fresh tmp dirs. The cache
    # directory is shared by the whole session so the catalogue is not rebuilt for every test.
    # Not created: a test's tmp_path holds only what the test itself writes.
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(_session_cache))
    # No user overlay leaks into tests.
    monkeypatch.setenv("OPENCLOSED_CONFIG_DIR", str(tmp_path / "no-config"))
    from openclosed.cli import common
    from openclosed.selfhost import store

    common._consoles.clear()
    # Plans sized by a subprocess of the session must not answer a test that patches sizing code.
    monkeypatch.setattr(store, "ENABLED", False)
    # Likewise the validated workloads kept between runs (tests/test_validated_workloads.py turns it on).
    from openclosed.workload import validated

    monkeypatch.setattr(validated, "ENABLED", False)


def invoke(capsys: pytest.CaptureFixture[str], main: Any, args: list[str]) -> Run:
    """Run a CLI entry `main(args)` in-process: its exit code and what it wrote."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]):
    """cli("compare", "--format", "json") -> Run(code, out, err)."""
    from openclosed.cli.app import main

    def run(*args: str) -> Run:
        return invoke(capsys, main, list(args))

    return run


# The comparison most tests read: every option of the default workload (the chatbot preset).
COMPARE_ALL = ("compare", "--all", "--format", "json", "--today", TODAY)
_shared_runs: dict[tuple[str, ...], Run] = {}


@pytest.fixture
def shared_cli(cli):
    """shared_cli(*args) -> Run, as cli(*args), for a command that no test alters (the embedded
    catalogue, nothing patched, no file written): the first test of a worker to ask runs it, and
    the others read the same output. For tests that read what a command prints, not how it runs
    (a full comparison is a fifth of a second; `COMPARE_ALL` alone was run 12 times)."""

    def run(*args: str) -> Run:
        hit = _shared_runs.get(args)
        if hit is None:
            hit = _shared_runs[args] = cli(*args)
        return dataclasses.replace(hit)

    return run


@pytest.fixture(scope="session")
def small_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real catalogue cut to two models (gpt-4o, llama-3.3-70b), one API provider (OpenAI) and
    one cloud (AWS), every licence and GPU kept: valid, and rebuilt in milliseconds, not a second."""
    models = yaml_load((ROOT / "data" / "models.yaml").read_text())
    providers = yaml_load((ROOT / "data" / "providers.yaml").read_text())
    keep = {"gpt-4o", "llama-3.3-70b"}
    models["models"] = [m for m in models["models"] if m["id"] in keep]
    api = [p for p in providers["api_providers"] if p["id"] == "openai"]
    for p in api:
        p["offerings"] = [o for o in p["offerings"] if o["model"] in keep]
    providers["api_providers"] = api
    providers["gpu_clouds"] = [c for c in providers["gpu_clouds"] if c["id"] == "aws"]
    out = tmp_path_factory.mktemp("small-data")
    (out / "models.yaml").write_text(yaml_dump(models))
    (out / "providers.yaml").write_text(yaml_dump(providers))
    return out


@pytest.fixture(scope="session")
def catalog():
    from openclosed.catalog import load_catalog

    return load_catalog(use_env=False)


def yaml_load(text: str) -> Any:
    """yaml.safe_load with libyaml's parser where it is installed (as the catalogue's own fast
    path reads): the same data, about ten times faster on the 300 KB catalogue files."""
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def yaml_dump(data: Any) -> str:
    """yaml.safe_dump(data, sort_keys=False) with libyaml's emitter where it is installed."""
    import yaml

    return yaml.dump(data, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=False)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
