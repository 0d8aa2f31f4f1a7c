"""The embedded-catalogue load cache: used when fresh, rebuilt when the files change."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT


def test_cache_is_written_reused_and_invalidated(tmp_path: Path, monkeypatch) -> None:
    from openclosed.catalog import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENCLOSED_NO_CACHE", raising=False)
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    loader._CACHE.clear()
    first = loader._fast_load(data)
    assert first is not None
    files = list((tmp_path / "cache" / "openclosed").glob("catalog-*.pickle"))
    assert len(files) == 1
    loader._CACHE.clear()
    again = loader._fast_load(data)  # from the pickle
    assert again is not None and again.counts() == first.counts()
    # Change a price: the key changes, a new cache entry is built and it carries the new value.
    text = (data / "providers.yaml").read_text()
    (data / "providers.yaml").write_text(text.replace("memory_gb: 80", "memory_gb: 81", 1))
    loader._CACHE.clear()
    changed = loader._fast_load(data)
    assert changed is not None
    assert any(g.memory_gb == 81 for g in changed.all_gpus())
    assert len(list((tmp_path / "cache" / "openclosed").glob("catalog-*.pickle"))) == 2


def test_corrupt_cache_is_rebuilt(tmp_path: Path, monkeypatch) -> None:
    from openclosed.catalog import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    data = tmp_path / "data"
    shutil.copytree(ROOT / "data", data)
    loader._CACHE.clear()
    assert loader._fast_load(data) is not None
    [cache] = (tmp_path / "cache" / "openclosed").glob("catalog-*.pickle")
    cache.write_bytes(b"not a pickle")
    loader._CACHE.clear()
    assert loader._fast_load(data) is not None
    loader._CACHE.clear()
