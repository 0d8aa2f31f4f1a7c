"""The hostile-input corpus (tests/hostile/): every case exits 2 with one clear `error:` line.

Never exit 3, never a traceback, never a hang: files under tests/hostile/workload are given to
`compare`, files under tests/hostile/report to `diff`, directories under tests/hostile/catalog to
`catalog validate --catalog`, and FLAG_CASES are command lines. tests/hostile/README.md lists them.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from conftest import ROOT

HOSTILE = ROOT / "tests" / "hostile"
REPORT = ROOT / "tests" / "data" / "report-a.json"
WORKLOADS = sorted((HOSTILE / "workload").iterdir())
REPORTS = sorted((HOSTILE / "report").iterdir())
CATALOGS = sorted(p for p in (HOSTILE / "catalog").iterdir() if p.is_dir())
SLOW_S = 15  # generous: the machines running CI are shared; a hang or a blow-up takes far longer

FLAG_CASES: dict[str, tuple[str, ...]] = {
    "size-input-inf": ("size", "llama-3.3-70b", "--gpu", "h100-sxm", "--input-tokens", "inf"),
    "size-input-nan": ("size", "llama-3.3-70b", "--gpu", "h100-sxm", "--input-tokens", "nan"),
    "size-output-overflow": ("size", "llama-3.3-70b", "--gpu", "h100-sxm", "--output-tokens", "1e400"),
    "size-tpot-inf": ("size", "llama-3.3-70b", "--gpu", "h100-sxm", "--max-tpot-ms", "inf"),
    "compare-rate-tiny": ("compare", "--requests-per-day", "1e-320", "--input-tokens", "9", "--output-tokens", "9"),
    "compare-rate-inf": ("compare", "--preset", "chatbot", "--requests-per-day", "inf"),
    "compare-horizon-tiny": ("compare", "--preset", "chatbot", "--horizon-months", "1e-320"),
    "compare-tokens-nan": ("compare", "--preset", "chatbot", "--input-tokens", "nan"),
    "compare-multiplier-tiny": ("compare", "--preset", "chatbot", "--gpu-price-multiplier", "1e-300"),
    "sweep-three-dots": ("sweep", "--preset", "chatbot", "--vary", "requests_per_month=1k...1M"),
    "sweep-open-range": ("sweep", "--preset", "chatbot", "--vary", "requests_per_month=1e3.."),
    "sweep-junk-range": ("sweep", "--preset", "chatbot", "--vary", "requests_per_month=1k..2k;rm"),
    "sweep-inf-range": ("sweep", "--preset", "chatbot", "--vary", "requests_per_month=1..inf"),
    "sweep-chart-gif": ("sweep", "--preset", "chatbot", "--chart", "chart.gif"),
    "breakeven-to-inf": ("breakeven", "gpt-4o@openai", "llama-3.3-70b@groq", "--to", "inf"),
    "breakeven-from-nan": ("breakeven", "gpt-4o@openai", "llama-3.3-70b@groq", "--from", "nan"),
    # /dev/full rather than /dev/null: a test that replaced it would break everything else.
    "out-file-device": ("models", "list", "--format", "json", "-o", "/dev/full"),
    "out-file-directory": ("models", "list", "--format", "json", "-o", "."),
    "today-invalid": ("compare", "--preset", "chatbot", "--today", "2026-13-45"),
    "preset-escape-codes": ("compare", "--preset", "\x1b[2Jchat"),
    "catalog-dev-null": ("compare", "--preset", "chatbot", "--catalog", os.devnull),
    "workload-dev-zero": ("compare", "/dev/zero"),
    "baseline-dev-zero": ("check", "--preset", "chatbot", "--baseline", "/dev/zero"),
    "diff-directory": ("diff", ".", str(REPORT)),
}


def _check(run, started: float, exactly_one: bool = True) -> None:
    took = time.monotonic() - started
    assert run.code == 2, (run.code, run.err[-2000:])
    assert "Traceback" not in run.err and "internal error" not in run.err, run.err[-2000:]
    lines = [line for line in run.err.splitlines() if line.startswith("error:")]
    assert lines, run.err[-2000:]
    if exactly_one:
        assert len(lines) == 1, run.err[-2000:]
    assert all(ch.isprintable() for line in lines for ch in line), lines  # control codes escaped
    assert took < SLOW_S, f"took {took:.1f} s"


def test_the_corpus_is_large_enough() -> None:
    assert len(WORKLOADS) + len(REPORTS) + len(CATALOGS) + len(FLAG_CASES) >= 60


@pytest.mark.parametrize("path", WORKLOADS, ids=[p.stem for p in WORKLOADS])
def test_hostile_workload(cli, path: Path) -> None:
    started = time.monotonic()
    run = cli("compare", str(path), "--format", "json")
    _check(run, started)
    assert run.out == ""
    assert str(path) in run.err


@pytest.mark.parametrize("path", REPORTS, ids=[p.stem for p in REPORTS])
def test_hostile_report(cli, path: Path) -> None:
    started = time.monotonic()
    run = cli("diff", str(path), str(REPORT))
    _check(run, started)
    assert str(path) in run.err


@pytest.mark.parametrize("path", CATALOGS, ids=[p.name for p in CATALOGS])
def test_hostile_catalogue_overlay(cli, path: Path) -> None:
    started = time.monotonic()
    run = cli("catalog", "validate", "--catalog", str(path))
    _check(run, started, exactly_one=False)  # one line per problem: a disabled id may be used twice
    assert all(str(path) in line for line in run.err.splitlines() if line.startswith("error:"))


@pytest.mark.parametrize("args", list(FLAG_CASES.values()), ids=list(FLAG_CASES))
def test_hostile_flags(cli, args: tuple[str, ...], tmp_path: Path, monkeypatch) -> None:
    import stat

    if "/dev/full" in args and not (os.path.exists("/dev/full") and stat.S_ISCHR(os.stat("/dev/full").st_mode)):
        pytest.skip("no /dev/full character device here")
    monkeypatch.chdir(tmp_path)
    started = time.monotonic()
    _check(cli(*args), started)
    assert os.listdir(tmp_path) == []  # nothing written, not even a temporary file
