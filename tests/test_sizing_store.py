"""The sizing store (selfhost/store.py): plans kept on disk per catalogue, code and request shape,
reused only under the exact key, checked when read, and never in the way of the answer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_catalogue: Path):
    """An empty cache directory, a private catalogue copy, and the store's process state reset."""
    from openclosed.catalog import loader
    from openclosed.selfhost import plans, store

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("OPENCLOSED_NO_CACHE", raising=False)
    monkeypatch.setattr(store, "ENABLED", True)  # off elsewhere in the suite's process (conftest)
    data = tmp_path / "data"
    shutil.copytree(small_catalogue, data)

    def reset() -> None:
        loader._CACHE.clear()
        plans._PLAN_MEMO.clear()
        store._shapes.clear()
        monkeypatch.setattr(store, "_written", 0)

    reset()
    yield data, tmp_path / "cache" / "openclosed", reset
    reset()


def _run(data: Path, **traffic: float) -> str:
    """The report of the chatbot preset (optionally reshaped) on the catalogue at `data`, as JSON."""
    from openclosed.catalog import loader
    from openclosed.engine import Engine, Settings
    from openclosed.workload.model import apply_overrides
    from openclosed.workload.presets import preset

    cat = loader._fast_load(data)
    assert cat is not None and cat.cache_key
    wl = apply_overrides(preset("chatbot"), {"traffic": traffic} if traffic else {})
    result = Engine(cat, wl, Settings(samples=0)).run()
    return result.report.model_dump_json()


def _no_sizing(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Count the replica searches (none when every plan comes from the store)."""
    from openclosed.selfhost import plans

    calls: list[int] = []
    original = plans.plan_replica

    def spy(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(plans, "plan_replica", spy)
    return calls


def _sizing_entries(cdir: Path) -> list[Path]:
    return sorted(cdir.glob("sizing-*.json"))


def test_plans_come_back_from_disk_and_the_report_is_the_same(env, monkeypatch) -> None:
    from openclosed.selfhost import store

    data, cdir, reset = env
    first = _run(data)
    assert not _sizing_entries(cdir)  # nothing is written before flush (the CLI flushes at exit)
    store.flush()
    [entry] = _sizing_entries(cdir)
    payload = json.loads(entry.read_text())
    # One entry per (model, GPU): llama-3.3-70b on the cloud's GPUs (gpt-4o is closed: never sized).
    pairs = [k.split("'") for k in payload["entries"]]
    assert {p[1] for p in pairs} == {"llama-3.3-70b"} and len({p[3] for p in pairs}) == len(pairs) >= 2
    reset()
    calls = _no_sizing(monkeypatch)
    assert _run(data) == first
    assert calls == []


def test_another_shape_or_code_is_another_entry(env, monkeypatch) -> None:
    from openclosed.selfhost import store

    data, cdir, reset = env
    _run(data)
    store.flush()
    reset()
    calls = _no_sizing(monkeypatch)
    _run(data, input_tokens=4000)  # another request shape: sized again, not read
    assert calls
    store.flush()
    assert len(_sizing_entries(cdir)) == 2
    reset()
    calls.clear()
    monkeypatch.setattr(store, "_code_hash", "0" * 64)  # the code changed
    _run(data)
    assert calls


@pytest.mark.parametrize(
    "value",
    # "1" and 400 zeros: an integer JSON reads whole, beyond any float (`math.isfinite` overflows).
    ['"12.5"', "null", "1e999", "true", "[]", pytest.param("1" + "0" * 400, id="integer-beyond-float")],
)
def test_a_bad_value_under_the_right_key_is_sized_again(env, monkeypatch, value: str) -> None:
    from openclosed.selfhost import store

    data, cdir, reset = env
    first = _run(data)
    store.flush()
    [entry] = _sizing_entries(cdir)
    payload = json.loads(entry.read_text())
    row = next(iter(payload["entries"].values()))[0][0]
    at = store._ROW.index("ttft_ms")
    original = row[1][at]
    row[1][at] = "__VALUE__"
    entry.write_text(json.dumps(payload).replace('"__VALUE__"', value))
    reset()
    calls = _no_sizing(monkeypatch)
    assert _run(data) == first
    assert calls  # the damaged entry was not trusted
    store.flush()  # and it is written again, whole
    again = json.loads(entry.read_text())
    assert next(iter(again["entries"].values()))[0][0][1][at] == original


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("gpus", "1.5"),  # a count given a fraction
        ("fits", "1"),  # a yes/no given a number
        ("memory", "true"),  # a memory figure given a boolean
        ("step", '"fast"'),  # a step time given a string
        ("step", "1e999"),  # ... or a number that is not finite
    ],
)
def test_a_bad_value_anywhere_in_a_row_is_sized_again(env, monkeypatch, where: str, value: str) -> None:
    """Every kind of field is checked on load: counts, flags, the memory row and the step times."""
    from openclosed.selfhost import store

    data, cdir, reset = env
    first = _run(data)
    store.flush()
    [entry] = _sizing_entries(cdir)
    payload = json.loads(entry.read_text())
    row = next(iter(payload["entries"].values()))[0][0][1]
    if where in ("memory", "step"):  # the plan's memory and step text, the last value of its row
        memory, step = json.loads(row[-1])
        if where == "memory":
            memory[0] = "__VALUE__"
        else:
            step[next(iter(step))] = "__VALUE__"
        row[-1] = json.dumps([memory, step]).replace('"__VALUE__"', value)
    else:
        row[store._ROW.index(where)] = "__VALUE__"
    entry.write_text(json.dumps(payload).replace('"__VALUE__"', value))
    reset()
    calls = _no_sizing(monkeypatch)
    assert _run(data) == first
    assert calls  # the damaged entry was not trusted


def test_a_catalogue_without_a_cache_key_is_never_stored(env) -> None:
    from openclosed.catalog import loader
    from openclosed.engine import Engine, Settings
    from openclosed.selfhost import store
    from openclosed.workload.presets import preset

    data, cdir, _ = env
    cat = loader._fast_load(data)
    cat.cache_key = None  # an overlay catalogue: loaded with line tracking, no cache key
    Engine(cat, preset("chatbot"), Settings(samples=0)).run()
    store.flush()
    assert not _sizing_entries(cdir)


def test_writes_are_bounded_and_leave_the_catalogue_entries_alone(env, monkeypatch) -> None:
    from openclosed.selfhost import store

    data, cdir, reset = env
    for n in range(store.MAX_WRITES + 2):
        _run(data, input_tokens=1000 + n)
    store.flush()
    assert len(_sizing_entries(cdir)) == store.MAX_WRITES  # per process
    assert len(list(cdir.glob("catalog-*.json"))) == 1
    monkeypatch.setattr(store, "KEEP", 3)
    for n in range(6):
        reset()
        _run(data, input_tokens=2000 + n)
        store.flush()
    assert len(_sizing_entries(cdir)) == 3  # the newest KEEP
    assert len(list(cdir.glob("catalog-*.json"))) == 1


@pytest.mark.parametrize(
    "damage",
    [
        lambda e: e.__setitem__(1, "abc"),  # reasons a string, not a list of strings
        lambda e: e.__setitem__(0, {"a": 1}),  # plans an object, not a list
        lambda e: e[0][0].append(True),  # a plan row of four items
        lambda e: e[0][0][1].pop(),  # a sizing row one field short
    ],
)
def test_a_damaged_structure_is_sized_again(env, monkeypatch, damage) -> None:
    from openclosed.selfhost import store

    data, cdir, reset = env
    first = _run(data)
    store.flush()
    [entry] = _sizing_entries(cdir)
    payload = json.loads(entry.read_text())
    damage(next(iter(payload["entries"].values())))
    entry.write_text(json.dumps(payload))
    reset()
    calls = _no_sizing(monkeypatch)
    assert _run(data) == first
    assert calls


def test_no_cache_or_unreadable_sources_only_cost_speed(env, monkeypatch) -> None:
    from openclosed.selfhost import store

    data, cdir, reset = env
    first = _run(data)
    reset()
    monkeypatch.setenv("OPENCLOSED_NO_CACHE", "1")
    assert _run(data) == first
    store.flush()
    assert not _sizing_entries(cdir)
    monkeypatch.delenv("OPENCLOSED_NO_CACHE")
    reset()

    def unreadable() -> str:
        raise PermissionError(13, "Permission denied", "x.py")

    monkeypatch.setattr(store, "code_hash", unreadable)
    assert _run(data) == first
    store.flush()
    assert not _sizing_entries(cdir)


def test_a_stored_plan_reads_its_memory_and_step_when_asked(env) -> None:
    """The memory plan and step times come back as text and are decoded on first read: equal to
    the freshly sized ones, and a value assigned before the first read is kept."""
    from openclosed.selfhost import store

    data, _, reset = env
    _run(data)
    fresh = {pair: plans for pair, (plans, _) in next(iter(store._shapes.values())).entries.items()}
    store.flush()
    reset()
    _run(data)
    stored = next(iter(store._shapes.values())).entries
    assert stored.keys() == fresh.keys()
    first = next(iter(stored))
    (_, s, _), *_ = stored[first][0]
    assert "_lazy" in s.__dict__ and "memory" not in s.__dict__  # a compare read neither
    for pair, (plans, _) in stored.items():
        assert plans == fresh[pair]  # == reads every field, both lazy ones included
        assert all(x.step and x.memory.gpu_memory_gb > 0 and "_lazy" not in x.__dict__ for _, x, _ in plans)
    reset()
    _run(data)
    (_, s, _), *_ = next(iter(store._shapes.values())).entries[first][0]
    s.step = {"kept": 1.0}  # assigned before the first read: decoding the text does not undo it
    assert s.memory == fresh[first][0][1].memory and s.step == {"kept": 1.0}


def test_the_code_hash_covers_every_source_by_its_relative_path_and_bytes(monkeypatch) -> None:
    """The store's code key: each `.py` of the package, in sorted walk order, as
    "relative/path:length:" + bytes + NUL (computed here independently with os.path.relpath)."""
    import hashlib
    import os

    from openclosed.selfhost import store

    monkeypatch.setattr(store, "_code_hash", None)
    root = os.path.dirname(os.path.dirname(os.path.realpath(store.__file__)))
    h = hashlib.sha256()
    for dirpath, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(n for n in files if n.endswith(".py")):
            path = os.path.join(dirpath, name)
            data = Path(path).read_bytes()
            h.update(f"{os.path.relpath(path, root)}:{len(data)}:".encode() + data + b"\0")
    assert store.code_hash() == h.hexdigest()


@pytest.mark.parametrize(
    ("where", "value"),
    [
        ("tp", True),  # a count given a boolean (bool is an int to Python)
        ("plan", 1),  # a text given a number
        ("fits", 0),  # a yes/no given a number
        ("reason", 3),  # an optional text given a number
        ("ttft_ms", False),  # a figure given a boolean
        ("ttft_ms", float("nan")),
        ("ttft_ms", float("-inf")),
        ("ttft_ms", "1"),
        ("ttft_ms", None),
    ],
)
def test_each_value_of_a_stored_row_is_checked(where: str, value: object) -> None:
    """The row checks of `store._sizing`, one damaged value at a time, against a good row."""
    from openclosed.selfhost import store

    good = {
        "model": "m", "gpu": "g", "precision": "bf16", "gpus": 1, "fits": True, "max_concurrency": 8,
        "concurrency": 8, "bound": "memory", "meets_tpot": True, "reason": None, "nodes": 1, "tp": 1,
        "ep": 1, "pp": 1, "dp": 1, "plan": "1×1 GPUs, TP1", "kv_cache_dtype": "bf16", "speculative": "none",
    }  # fmt: skip
    row = [good.get(name, 2.5) for name in store._ROW] + ["[]"]
    assert store._sizing(list(row), []).tp == 1
    row[store._ROW.index(where)] = value
    with pytest.raises(TypeError):
        store._sizing(row, [])
    # Two infinities of opposite signs sum to NaN: still refused.
    row = [good.get(name, 2.5) for name in store._ROW] + ["[]"]
    row[store._ROW.index("ttft_ms")], row[store._ROW.index("tpot_ms")] = float("inf"), float("-inf")
    with pytest.raises(TypeError):
        store._sizing(row, [])


def test_a_chosen_replica_is_what_sizing_returns_for_its_plan(env) -> None:
    """`Engine.sizing` of a plan that `plans` chose returns that very sizing, whether it was sized
    in this process or read from the store; a compare enters none of them in the sizing cache."""
    from openclosed.catalog import loader
    from openclosed.engine import Engine, Settings
    from openclosed.workload.presets import preset

    data, _, reset = env
    for fresh in (True, False):  # sized here, then (the store written) read back
        if not fresh:
            from openclosed.selfhost import store

            store.flush()
            reset()
        cat = loader._fast_load(data)
        engine = Engine(cat, preset("chatbot"), Settings(samples=0))
        engine.run()
        ctx = engine.ctx
        assert ctx.sizing_cache == {}
        chosen = [(key, p, s) for key, out in ctx.plan_cache.items() for p, s, _ in out]
        assert chosen
        for (model_id, gpu_id), precision, s in chosen:
            model = cat.model(model_id)
            assert engine.sizing(model, gpu_id, precision, s.plan_obj) is s
        # A replica count (not a plan) is sized afresh, as before: an int never equals a Plan.
        (model_id, gpu_id), precision, s = chosen[0]
        other = engine.sizing(cat.model(model_id), gpu_id, precision, s.gpus)
        assert other is not s and other.gpus == s.gpus
