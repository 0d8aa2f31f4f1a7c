"""Validated workload files kept between runs (workload/validated.py): a kept workload is the one
validation gives, an edit or a damaged entry is validated again, and classes are never kept."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


@pytest.fixture
def kept(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """The cache on, in a directory of this test's own; returns where the entries go."""
    from openclosed.workload import validated

    monkeypatch.setattr(validated, "ENABLED", True)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "openclosed"


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("workload-*.json")) if directory.exists() else []


def _fields_set(model: Any) -> Any:
    """Each model's fields-set, nested: what `exclude_unset` and the echo of a workload read."""
    from openclosed.modelbase import BaseModel

    return {
        name: (sorted(model.model_fields_set), _fields_set(value) if isinstance(value, BaseModel) else None)
        for name, value in model.__dict__.items()
    }


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_kept_workload_is_the_one_validation_gives(kept: Path, path: Path) -> None:
    from openclosed.workload import validated
    from openclosed.workload.model import load_workload

    first = load_workload(path)  # validated, and kept
    again = load_workload(path)  # rebuilt from the entry
    validated.ENABLED = False  # (the fixture restores it) validated once more, for comparison
    fresh = load_workload(path)
    classes = bool(fresh.traffic.classes)
    assert len(_entries(kept)) == (0 if classes else 1)
    if classes:
        return
    assert again is not first and again == fresh == first
    assert again.model_dump(mode="json") == fresh.model_dump(mode="json")
    assert _fields_set(again) == _fields_set(fresh)
    # Whole numbers given for float fields are floats, as validation makes them.
    assert type(again.traffic.input_tokens) is float


def test_an_edited_file_is_validated_again(kept: Path, tmp_path: Path) -> None:
    from openclosed.errors import InputError
    from openclosed.workload.model import load_workload

    path = tmp_path / "w.yaml"
    text = (ROOT / "examples" / "startup.yaml").read_text()
    path.write_text(text)
    load_workload(path)
    path.write_text(text.replace("input_tokens:", "input_tokens: -1\n  ignored_input_tokens:", 1))
    with pytest.raises(InputError) as exc:
        load_workload(path)
    assert str(path) in str(exc.value)
    assert len(_entries(kept)) == 1


def test_a_damaged_entry_is_validated_again_and_rewritten(kept: Path) -> None:
    from openclosed.workload.model import load_workload

    path = ROOT / "examples" / "support-tuned.yaml"
    good = load_workload(path)
    (entry,) = _entries(kept)
    data = json.loads(entry.read_text())
    data["workload"]["traffic"]["input_tokens"] = "many"  # a string where a number belongs
    entry.write_text(json.dumps(data))
    assert load_workload(path) == good
    assert json.loads(entry.read_text())["workload"]["traffic"]["input_tokens"] == good.traffic.input_tokens


def test_off_without_a_cache(kept: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from openclosed.workload.model import load_workload

    monkeypatch.setenv("OPENCLOSED_NO_CACHE", "1")
    load_workload(ROOT / "examples" / "startup.yaml")
    assert _entries(kept) == []


def test_the_key_follows_the_text_and_the_model_modules(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from openclosed.workload import model, validated

    text = (ROOT / "examples" / "startup.yaml").read_text()
    before = validated.key(text)
    assert validated.key(text) == before
    assert validated.key(text + "\n# a comment\n") != before
    edited = tmp_path / "model.py"
    edited.write_bytes(Path(model.__file__).read_bytes() + b"# edited\n")
    monkeypatch.setattr(model, "__file__", str(edited))
    assert validated.key(text) != before
