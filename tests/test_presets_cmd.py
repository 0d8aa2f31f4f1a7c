"""Issue 26 item 2: presets you can see (`workload presets`) and start from (`workload init`)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from openclosed.workload.model import workload_from_dict
from openclosed.workload.presets import PRESETS, preset


@pytest.mark.parametrize("width", [80, 120])
def test_presets_are_listed(cli, monkeypatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    r = cli("workload", "presets")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert max(len(ln) for ln in lines) <= width
    rows = {ln.split()[0]: ln.split() for ln in lines[3:] if ln.split() and ln.split()[0] in PRESETS}
    assert list(rows) == list(PRESETS)
    # The chatbot preset, by hand: 50,000 requests a day, 1,200 in, 300 out, TTFT 2,000 ms, 20 tok/s.
    assert rows["chatbot"][1:7] == ["50,000", "1,200", "300", "2,000", "20", "internal"]
    assert rows["batch"][4:6] == ["–", "–"]  # no latency target
    assert "openclosed workload init --preset NAME -o FILE" in " ".join(r.out.split())


def test_presets_as_json(cli) -> None:
    data = cli("workload", "presets", "-f", "json").json()
    assert [p["name"] for p in data] == list(PRESETS)
    assert data[1]["sensitivity"] == "confidential" and data[1]["requests_per_day"] == 20_000


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_init_writes_the_preset_as_a_file_to_edit(cli, tmp_path: Path, name: str) -> None:
    out = tmp_path / f"{name}.yaml"
    r = cli("workload", "init", "--preset", name, "-o", str(out))
    assert r.code == 0, r.err
    text = out.read_text()
    assert text.startswith("# openclosed workload, from the") and "  # mean prompt tokens per request" in text
    assert workload_from_dict(yaml.safe_load(text)) == preset(name)  # loads back as exactly the preset
    # The file works where a preset does.
    assert cli("compare", str(out), "--deployment", "api", "--top", "1", "-f", "json").code == 0


def test_init_keeps_an_existing_file(cli, tmp_path: Path) -> None:
    out = tmp_path / "mine.yaml"
    out.write_text("edited\n")
    r = cli("workload", "init", "--preset", "rag", "-o", str(out))
    assert r.code == 2 and r.err.strip().count("\n") == 0 and "--force" in r.err
    assert out.read_text() == "edited\n"
    assert cli("workload", "init", "--preset", "rag", "-o", str(out), "--force").code == 0
    assert "name: rag" in out.read_text()
    bad = cli("workload", "init", "--preset", "chatbto")
    assert bad.code == 2 and "did you mean 'chatbot'" in bad.err
