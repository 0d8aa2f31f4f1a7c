"""Layering reads only the files it keeps: under an overlay that says `extends: none`, the
layers below it are not merged, and the embedded files are not even parsed; errors in the
overlays are reported exactly as before (the lowest overlay's first)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, write

FIXTURE = ROOT / "tests" / "fixtures" / "catalog"


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Every catalogue file the loader reads, in order."""
    from openclosed.catalog import loader

    seen: list[Path] = []
    read_text = loader.read_text

    def spy(path: Path):  # type: ignore[no-untyped-def]
        seen.append(Path(path))
        return read_text(path)

    monkeypatch.setattr(loader, "read_text", spy)
    return seen


def test_extends_none_parses_no_embedded_file(parsed: list[Path]) -> None:
    from openclosed.catalog.loader import load_catalog

    cat = load_catalog(FIXTURE, use_env=False)
    assert sorted(p.name for p in parsed) == ["models.yaml", "providers.yaml"]
    assert all(p.parent == FIXTURE for p in parsed)
    assert cat.counts()["models"] == 4  # the fixture's own (its header: 4 models)


def test_an_overlay_below_extends_none_is_parsed_and_its_error_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parsed: list[Path]
) -> None:
    from openclosed.catalog.loader import load_catalog
    from openclosed.errors import InputError

    low = write(tmp_path / "low" / "models.yaml", "extends: nothing\n")
    high = write(tmp_path / "high" / "models.yaml", "version: 1\nextends: maybe\n")
    monkeypatch.setenv("OPENCLOSED_CATALOG", str(low.parent))
    with pytest.raises(InputError) as exc:
        load_catalog(high.parent)
    p = exc.value.problems[0]
    assert (p.file, p.line, p.field) == (str(low), 1, "extends")
    assert "expected 'embedded' or 'none' (got 'nothing')" in p.message
    # Under a good `extends: none` on top, the lower overlay's error is still the one reported.
    write(high, (FIXTURE / "models.yaml").read_text())
    with pytest.raises(InputError) as exc:
        load_catalog(high.parent)
    assert exc.value.problems[0].file == str(low)


def test_the_embedded_layer_is_located_once_per_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Its origins (file and line of every value) are recorded once; each load gets its own copy,
    so what one load merges or changes never reaches the next."""
    from openclosed.catalog import loader

    ov = write(tmp_path / "ov" / "providers.yaml", "api_providers:\n  - id: together\n    price_multiplier: 0.7\n")
    embedded = str(loader.embedded_dir() / "models.yaml")
    tops: list[str] = []
    record = loader._record

    def spy(origin, loc, value, lines, src_loc, file):  # type: ignore[no-untyped-def]
        if loc == ():
            tops.append(file)
        return record(origin, loc, value, lines, src_loc, file)

    monkeypatch.setattr(loader, "_record", spy)
    loader._LAYERS.clear()
    first = loader.load_catalog(ov.parent, use_env=False).origins["models"]
    # What a caller may do to its own copy: change a value and an origin.
    first.data["models"][0]["name"] = "changed"
    first.origin[("models", 0, "name")] = ("elsewhere", 1)
    second = loader.load_catalog(ov.parent, use_env=False).origins["models"]
    assert tops == [embedded, str(loader.embedded_dir() / "providers.yaml")]  # each once, not twice
    assert second.data["models"][0]["name"] != "changed"
    assert second.origin[("models", 0, "name")][0] == embedded
    assert (
        second.origin[("models", 0, "name")]
        == loader.layer("models.yaml", [loader.embedded_dir()]).origin[("models", 0, "name")]
    )
