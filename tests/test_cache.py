"""The embedded-catalogue load cache: JSON data only, keyed by content, refused when unsafe, pruned."""

from __future__ import annotations

import json
import os
import pickle
import shutil
from pathlib import Path

import pytest
from conftest import ROOT


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_catalogue: Path):
    """A private copy of a catalogue and an empty cache directory; returns (loader, data, cache dir)."""
    from openclosed.catalog import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENCLOSED_NO_CACHE", raising=False)
    data = tmp_path / "data"
    shutil.copytree(small_catalogue, data)
    loader._CACHE.clear()
    yield loader, data, tmp_path / "cache" / "openclosed"
    loader._CACHE.clear()


def _entries(directory: Path) -> list[Path]:
    return sorted(directory.glob("catalog-*.json"))


def _no_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make a YAML rebuild fail loudly, so a test proves the catalogue came from the cache."""
    from openclosed.catalog import schema

    def boom(*args, **kwargs):
        raise AssertionError("validated instead of reading the cache")

    monkeypatch.setattr(schema.ModelsFile, "model_validate", boom)


def _rebuilt(loader, data: Path) -> bool:
    """True when _fast_load validated the YAML again (rather than trusting a cache entry)."""
    from openclosed.catalog import schema

    calls = []
    original = schema.ModelsFile.model_validate.__func__

    def spy(cls, *args, **kwargs):
        calls.append(1)
        return original(cls, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(schema.ModelsFile, "model_validate", classmethod(spy))
        loader._CACHE.clear()
        assert loader._fast_load(data) is not None
    return bool(calls)


def test_cache_is_json_reused_and_equal_to_the_validated_catalogue(env, monkeypatch) -> None:
    loader, data, cdir = env
    first = loader._fast_load(data)
    [entry] = _entries(cdir)
    payload = json.loads(entry.read_text())
    assert payload["format"] == 1 and len(payload["key"]) == 64
    assert not list(cdir.glob("*.pickle"))
    loader._CACHE.clear()
    _no_validation(monkeypatch)
    again = loader._fast_load(data)
    assert again is not None and again is not first
    assert again.models_file == first.models_file and again.providers_file == first.providers_file
    # Fields left at their defaults stay unset, as after validation.
    m = again.model("llama-3.3-70b")
    assert m.model_fields_set == first.model("llama-3.3-70b").model_fields_set


def _newest_by_walking(cat) -> object:
    from openclosed.catalog import dates

    cat.__dict__.pop("_newest_as_of", None)
    return dates.newest_as_of(cat)


def test_newest_entry_date_is_kept_beside_the_data(env, monkeypatch) -> None:
    """The newest `as_of` of any entry is stored with the entry and read back without walking
    the catalogue; the small catalogue's newest entry is newer than the files' own date."""
    from openclosed.catalog import dates

    loader, data, cdir = env
    first = loader._fast_load(data)
    walked = _newest_by_walking(first)
    [entry] = _entries(cdir)
    assert json.loads(entry.read_text())["newest_as_of"] == walked.isoformat()
    assert walked > first.as_of
    loader._CACHE.clear()
    again = loader._fast_load(data)
    monkeypatch.setattr(dates, "_walk", lambda *a: pytest.fail("walked the catalogue"))
    assert dates.newest_as_of(again) == walked


@pytest.mark.parametrize("value", [None, "not a date", 20261206, "1999-01-01"])
def test_a_missing_or_bad_newest_date_is_found_by_walking(env, value) -> None:
    """An entry written before the date was kept, or one whose date is damaged or older than the
    files' own, gives the walked date (the rest of the entry is still used)."""
    from openclosed.catalog import dates

    loader, data, cdir = env
    walked = _newest_by_walking(loader._fast_load(data))
    [entry] = _entries(cdir)
    payload = json.loads(entry.read_text())
    if value is None:
        del payload["newest_as_of"]
    else:
        payload["newest_as_of"] = value
    entry.write_text(json.dumps(payload))
    loader._CACHE.clear()
    again = loader._fast_load(data)
    assert "_newest_as_of" not in again.__dict__
    assert dates.newest_as_of(again) == walked


def test_key_is_the_content_not_size_or_mtime(env) -> None:
    loader, data, cdir = env
    loader._fast_load(data)
    path = data / "providers.yaml"
    st = path.stat()
    text = path.read_text()
    assert "memory_gb: 80\n" in text
    path.write_text(text.replace("memory_gb: 80\n", "memory_gb: 81\n", 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only the bytes differ
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns
    loader._CACHE.clear()
    changed = loader._fast_load(data)
    assert any(g.memory_gb == 81 for g in changed.all_gpus())
    assert len(_entries(cdir)) == 2


@pytest.mark.parametrize("module", ["base", "architecture", "schema", "dates"])
def test_key_follows_every_module_that_defines_the_cached_models(env, tmp_path, monkeypatch, module: str) -> None:
    """A default or validator changed in any of the catalogue's model modules changes what a load
    yields, so it must change the key (the key once hashed schema.py alone, and the architecture
    and base models were split out of it)."""
    import importlib

    from openclosed.catalog import cache

    _, data, _ = env
    files = [data / "models.yaml", data / "providers.yaml"]
    before = cache.cache_key(files)
    mod = importlib.import_module(f"openclosed.catalog.{module}")
    edited = tmp_path / f"{module}.py"
    edited.write_bytes(Path(mod.__file__).read_bytes() + b"# edited\n")
    monkeypatch.setattr(mod, "__file__", str(edited))
    assert cache.cache_key(files) != before


def test_crafted_pickle_is_never_executed_and_is_pruned(env, tmp_path) -> None:
    loader, data, cdir = env
    marker = tmp_path / "pwned"

    class Exploit:
        def __reduce__(self):
            return (Path.write_text, (marker, "ran"))

    loader._fast_load(data)
    [entry] = _entries(cdir)
    evil = pickle.dumps(Exploit())
    entry.write_bytes(evil)  # at the JSON entry's own path
    (cdir / "catalog-0123456789abcdef0123.pickle").write_bytes(evil)  # where the old version looked
    assert _rebuilt(loader, data)
    assert not marker.exists()
    assert not list(cdir.glob("*.pickle"))  # legacy entries are removed
    assert json.loads(entry.read_text())["format"] == 1  # and the entry rewritten


@pytest.mark.parametrize(
    "payload",
    [
        "not json",
        "[]",
        '{"format": 1, "key": "0000", "models": {}, "providers": {}}',
        '{"format": 2}',
        "[" * 100_000,
    ],
    ids=["garbage", "list", "wrong-key", "wrong-format", "deep"],
)
def test_corrupt_or_foreign_entries_are_rebuilt(env, payload: str) -> None:
    loader, data, cdir = env
    loader._fast_load(data)
    [entry] = _entries(cdir)
    entry.write_text(payload)
    assert _rebuilt(loader, data)
    assert json.loads(entry.read_text())["format"] == 1


def test_right_key_wrong_shape_is_rebuilt(env) -> None:
    loader, data, cdir = env
    loader._fast_load(data)
    [entry] = _entries(cdir)
    payload = json.loads(entry.read_text())
    payload["models"]["models"][0]["surprise"] = 1  # an unknown key
    entry.write_text(json.dumps(payload))
    assert _rebuilt(loader, data)
    payload["models"] = {"as_of": "2026-01-01"}  # missing required lists
    entry.write_text(json.dumps(payload))
    assert _rebuilt(loader, data)


def test_symlinked_entry_and_directory_are_refused(env, tmp_path) -> None:
    loader, data, cdir = env
    loader._fast_load(data)
    [entry] = _entries(cdir)
    elsewhere = tmp_path / "elsewhere.json"
    shutil.move(entry, elsewhere)
    entry.symlink_to(elsewhere)
    assert _rebuilt(loader, data)
    assert not entry.is_symlink()  # replaced by a regular entry, the target untouched
    # A cache directory that is a symlink is neither read nor written through.
    shutil.rmtree(cdir)
    target = tmp_path / "target"
    target.mkdir()
    cdir.symlink_to(target)
    assert _rebuilt(loader, data)
    assert list(target.iterdir()) == []
    assert _rebuilt(loader, data)


def test_entries_writable_by_others_are_refused(env) -> None:
    loader, data, cdir = env
    loader._fast_load(data)
    [entry] = _entries(cdir)
    entry.chmod(0o666)
    assert _rebuilt(loader, data)
    assert entry.stat().st_mode & 0o022 == 0
    cdir.chmod(0o777)  # a loose directory is tightened when we write, and not trusted before
    assert _rebuilt(loader, data)
    assert cdir.stat().st_mode & 0o077 == 0
    assert not _rebuilt(loader, data)


@pytest.mark.skipif(not hasattr(os, "getuid") or os.getuid() != 0, reason="needs root to chown")
def test_entries_owned_by_another_user_are_refused(env) -> None:
    loader, data, cdir = env
    loader._fast_load(data)
    [entry] = _entries(cdir)
    os.chown(entry, 12345, 12345)
    assert _rebuilt(loader, data)
    assert entry.stat().st_uid == 0


def test_not_a_regular_file_is_not_read(env) -> None:
    loader, data, cdir = env
    loader._fast_load(data)
    [entry] = _entries(cdir)
    entry.unlink()
    os.mkfifo(entry)  # a FIFO with no writer would block a plain open() forever
    assert _rebuilt(loader, data)


def test_an_entry_that_grew_after_its_size_was_read_is_not_trusted(env, monkeypatch) -> None:
    """The read asks for the size `fstat` gave and a byte more: more than that size means the file
    changed under the reader, and the catalogue is rebuilt (here `fstat` reports 1 byte short)."""
    from openclosed.catalog import cache

    loader, data, cdir = env
    loader._fast_load(data)
    [entry] = _entries(cdir)
    key = json.loads(entry.read_text())["key"]
    assert cache.read(cdir, key) is not None
    real = os.fstat

    def short(fd: int) -> os.stat_result:
        st = list(real(fd))
        st[6] -= 1  # st_size
        return os.stat_result(st)

    monkeypatch.setattr(cache.os, "fstat", short)
    assert cache.read(cdir, key) is None


def test_old_entries_are_pruned(env) -> None:
    from openclosed.catalog import cache

    loader, data, cdir = env
    cdir.mkdir(parents=True, mode=0o700)
    for i in range(8):
        old = cdir / f"catalog-{i:032x}.json"
        old.write_text("{}")
        os.utime(old, (1_000_000 + i, 1_000_000 + i))
    (cdir / ".catalog.abc.tmp").write_text("half")  # left by a run killed an hour ago
    os.utime(cdir / ".catalog.abc.tmp", (1_000_000, 1_000_000))
    (cdir / ".catalog.now.tmp").write_text("being written")  # by a concurrent run: kept
    loader._fast_load(data)
    left = _entries(cdir)
    assert len(left) == cache.KEEP
    assert [p.name for p in cdir.glob(".catalog.*")] == [".catalog.now.tmp"]
    newest_old = {f"catalog-{i:032x}.json" for i in (7, 6, 5)}
    assert newest_old <= {p.name for p in left}


def test_no_cache_env_turns_it_off(env, monkeypatch) -> None:
    loader, data, cdir = env
    monkeypatch.setenv("OPENCLOSED_NO_CACHE", "1")
    assert loader._fast_load(data) is not None
    assert not cdir.exists()


def test_the_embedded_catalogue_round_trips(tmp_path: Path, monkeypatch) -> None:
    """Every model, offering and GPU of the real catalogue comes back from JSON equal to the validated one."""
    from openclosed.catalog import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENCLOSED_NO_CACHE", raising=False)
    loader._CACHE.clear()
    try:
        built = loader._fast_load(ROOT / "data")
        loader._CACHE.clear()
        _no_validation(monkeypatch)
        cached = loader._fast_load(ROOT / "data")
    finally:
        loader._CACHE.clear()
    assert cached is not built
    assert cached.models_file == built.models_file and cached.providers_file == built.providers_file
    assert cached.models_file.model_dump_json() == built.models_file.model_dump_json()
    assert cached.providers_file.model_dump_json() == built.providers_file.model_dump_json()
    # Every object alike, not only equal: its fields in declaration order, the same fields set.
    _same_objects(cached.models_file, built.models_file, "models")
    _same_objects(cached.providers_file, built.providers_file, "providers")


def _same_objects(a: object, b: object, where: str) -> None:
    """`a` and `b` are built alike: the same types, and each model's `__dict__` the same keys in
    the same order and its fields-set the same, all the way down."""
    from pydantic import BaseModel

    assert type(a) is type(b), where
    if isinstance(a, BaseModel):
        assert list(a.__dict__) == list(b.__dict__) == list(type(a).model_fields), where
        assert a.model_fields_set == b.model_fields_set, where
        for name, value in a.__dict__.items():
            _same_objects(value, b.__dict__[name], f"{where}.{name}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where  # type: ignore[arg-type]
        for i, (x, y) in enumerate(zip(a, b, strict=True)):  # type: ignore[call-overload]
            _same_objects(x, y, f"{where}[{i}]")
    elif isinstance(a, dict):
        assert list(a) == list(b), where  # type: ignore[call-overload]
        for k, v in a.items():
            _same_objects(v, b[k], f"{where}[{k!r}]")  # type: ignore[index]
    else:
        assert a == b, where


@pytest.mark.parametrize("value", ['"0.25"', "null", "1e999", "Infinity", "NaN", "-1", "true"])
def test_a_bad_value_under_the_right_key_is_rebuilt(env, value: str) -> None:
    # Hardening 15: a string, null or infinite price in the entry made every run exit 3 until the
    # cache was deleted. Every field is checked against its type and bounds when read.
    loader, data, cdir = env
    first = loader._fast_load(data)
    [entry] = _entries(cdir)
    payload = json.loads(entry.read_text())
    prices = payload["providers"]["api_providers"][0]["offerings"][0]["prices"]
    price = prices["input"]
    prices["input"] = "__VALUE__"
    entry.write_text(json.dumps(payload).replace('"__VALUE__"', value))
    assert _rebuilt(loader, data)
    again = json.loads(entry.read_text())  # and the entry is written again, whole
    assert again["providers"]["api_providers"][0]["offerings"][0]["prices"]["input"] == price
    loader._CACHE.clear()
    assert loader._fast_load(data).providers_file == first.providers_file
