"""Issue 26 item 9 (traceable to the end) and explain's warnings: the newest catalogue date in the
text and JSON, the note a source points to, each warning once."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT

FIXTURE = ROOT / "tests" / "fixtures" / "catalog"
COMMON = ("--today", "2026-11-24")


def _catalog(tmp_path: Path, old: str, new: str) -> str:
    """The frozen fixture catalogue with one text replaced (exactly once) in providers.yaml."""
    out = tmp_path / "catalog"
    shutil.copytree(FIXTURE, out)
    providers = out / "providers.yaml"
    text = providers.read_text(encoding="utf-8")
    assert text.count(old) == 1
    providers.write_text(text.replace(old, new), encoding="utf-8")
    return str(out)


def test_newest_as_of_is_the_newest_entry(cli, tmp_path: Path) -> None:
    # The fixture's files say 2026-11-24 and no entry is newer; one offering re-checked on
    # 2026-11-30 makes that the newest date, while catalog.as_of keeps the files' own date.
    r = cli("compare", "--preset", "chatbot", "--catalog", str(FIXTURE), *COMMON, "-f", "json")
    assert r.code == 0, r.err
    assert (r.json()["catalog"]["as_of"], r.json()["catalog"]["newest_as_of"]) == ("2026-11-24", "2026-11-24")
    cat = _catalog(tmp_path, "as_of: 2025-12-17", "as_of: 2026-11-30")
    r = cli("compare", "--preset", "chatbot", "--catalog", cat, *COMMON, "-f", "json")
    assert (r.json()["catalog"]["as_of"], r.json()["catalog"]["newest_as_of"]) == ("2026-11-24", "2026-11-30")


@pytest.mark.parametrize("width", [80, 120])
def test_report_text_states_the_newest_date(cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    cat = _catalog(tmp_path, "as_of: 2025-12-17", "as_of: 2026-11-30")
    r = cli("compare", "--preset", "chatbot", "--catalog", cat, *COMMON)
    flat = " ".join(r.out.split())
    assert "Catalogue as of 2026-11-30;" in flat and "2026-11-24" not in flat
    r = cli("check", "--preset", "chatbot", "--catalog", cat, *COMMON, "--max-monthly-cost", "1e9")
    assert "Catalogue as of 2026-11-30." in r.out
    html = cli("compare", "--preset", "chatbot", "--catalog", cat, *COMMON, "-f", "html").out
    assert "catalogue as of 2026-11-30" in html


@pytest.mark.parametrize("width", [80, 120])
def test_explain_prints_the_note_a_source_points_to(
    cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    cat = _catalog(
        tmp_path,
        "source: https://www.glennklockwood.com/garden/processors/H100",
        "source: see note; https://www.glennklockwood.com/garden/processors/H100",
    )
    r = cli("explain", "gpt-oss-20b@lambda:h100-sxm", "--preset", "chatbot", "--catalog", cat, *COMMON)
    assert r.code == 0, r.err
    flat = " ".join(r.out.split())
    assert "source: see note; https://" in flat
    assert "note: Dense values: datasheet prints 1,979 BF16 / 3,958 FP8 'with sparsity'; halved." in flat
    assert max(len(line) for line in r.out.splitlines()) <= width
    # JSON carries every entry's note, pointed to or not.
    steps = cli(
        "explain", "gpt-oss-20b@lambda:h100-sxm", "--preset", "chatbot", "--catalog", cat, *COMMON, "-f", "json"
    )
    gpu = next(s for s in steps.json()["steps"] if s["section"] == "GPU")
    assert gpu["note"].startswith("Dense values: datasheet prints 1,979 BF16")


def test_explain_prints_each_warning_once(cli, tmp_path: Path) -> None:
    args = ("explain", "gpt-4o@openai", "--preset", "chatbot", "--catalog", str(FIXTURE), *COMMON)
    r = cli(*args)
    both = " ".join((r.out + r.err).split())
    assert both.count("GPT-4o shuts down on 2027-01-14") == 1
    assert both.count("price of gpt-4o at openai is 123 days old") == 1
    # Written to a file, the warnings come on stderr (the terminal shows nothing else).
    r = cli(*args, "-o", str(tmp_path / "trace.txt"))
    assert "warning: gpt-4o@openai: lifecycle: GPT-4o shuts down on 2027-01-14" in r.err
