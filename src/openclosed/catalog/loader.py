"""Find, merge, validate and index the catalogue files.

The embedded catalogue ships inside the package. Overlay directories (`--catalog DIR`,
`OPENCLOSED_CATALOG`, the user config directory) are layered over it: entries are merged by their
key (`id`, or `model` for offerings and `gpu` for GPU offers), an entry with `disabled: true` is
removed, and every value remembers the file and line it came from.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem
from ..modelbase import ValidationError
from ..yamlio import Loc, copy_tree, load_yaml, read_text
from .dates import newest_as_of
from .index import Catalog
from .places import FILES, embedded_dir, overlay_dirs
from .schema import ModelsFile, ProvidersFile

# Keys that identify an entry inside a list, so overlays merge instead of appending.
LIST_KEYS = ("id", "model", "gpu")


@dataclass
class Layered:
    """Raw merged data of one file kind, with the origin (file, line) of every value."""

    data: dict[str, Any] = field(default_factory=dict)
    origin: dict[Loc, tuple[str, int | None]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    # Ids removed with `disabled: true`, and where that was said (so a dangling reference to one
    # blames the overlay that disabled it, not the embedded file that still uses it).
    disabled: dict[str, tuple[str, int | None]] = field(default_factory=dict)

    def where(self, loc: Loc) -> tuple[str | None, int | None]:
        for cut in range(len(loc), -1, -1):
            if tuple(loc[:cut]) in self.origin:
                return self.origin[tuple(loc[:cut])]
        return (self.files[0] if self.files else None, None)


def _entry_key(item: Any) -> tuple[str, str] | None:
    if isinstance(item, dict):
        for k in LIST_KEYS:
            if isinstance(item.get(k), str):
                return (k, item[k].lower())
    return None


def _record(origin: dict, loc: Loc, value: Any, lines: Any, src_loc: Loc, file: str) -> None:
    origin[loc] = (file, lines.line_for(src_loc))
    if isinstance(value, dict):
        for k, v in value.items():
            _record(origin, (*loc, k), v, lines, (*src_loc, k), file)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _record(origin, (*loc, i), v, lines, (*src_loc, i), file)


def _merge(base: Any, over: Any, loc: Loc, src: Loc, lay: Layered, lines: Any, file: str) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            if k in out:
                out[k] = _merge(out[k], v, (*loc, k), (*src, k), lay, lines, file)
            else:
                out[k] = v
                _record(lay.origin, (*loc, k), v, lines, (*src, k), file)
        return out
    if isinstance(base, list) and isinstance(over, list) and all(_entry_key(x) for x in over):
        out_list = list(base)
        index = {_entry_key(x): i for i, x in enumerate(out_list)}
        for j, item in enumerate(over):
            key = _entry_key(item)
            if key in index:
                i = index[key]
                out_list[i] = _merge(out_list[i], item, (*loc, i), (*src, j), lay, lines, file)
            else:
                out_list.append(item)
                index[key] = len(out_list) - 1
                _record(lay.origin, (*loc, len(out_list) - 1), item, lines, (*src, j), file)
        return out_list
    _record(lay.origin, loc, over, lines, src, file)
    return over


def _drop_disabled(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_disabled(v) for k, v in value.items()}
    if isinstance(value, list):
        return [
            _drop_disabled(v)
            for v in value
            if not (isinstance(v, dict) and _entry_key(v) and v.get("disabled") is True)
        ]
    return value


def _read(path: Path, text: str | None = None) -> tuple[dict[str, Any], Any, str, str]:
    """One catalogue file: its data (without `extends`), line map, name and `extends` value."""
    name = str(path)
    data, lines = load_yaml(read_text(path) if text is None else text, name)
    if not isinstance(data, dict):
        raise InputError.one("expected a mapping at the top level", name, 1)
    extends = data.pop("extends", "embedded")
    if extends not in ("embedded", "none"):
        raise InputError.one(
            f"expected 'embedded' or 'none' (got {extends!r})", name, lines.line_for(("extends",)), "extends"
        )
    return data, lines, name, extends


def layer(fname: str, dirs: list[Path]) -> Layered:
    paths = [d / fname for d in dirs if (d / fname).exists()]
    # The overlays are read first, bottom up as always; the lowest file (the embedded one, 30 ms
    # of parsing with line tracking) only when no overlay above it says `extends: none`.
    read: list[Any] = [None] * len(paths)
    try:
        for i in range(1, len(paths)):
            read[i] = _read(paths[i])
    except InputError:
        _read(paths[0])  # a problem of its own was always the one reported first
        raise
    # A standalone file replaces every layer below it.
    start = max((i for i in range(1, len(paths)) if read[i][3] == "none"), default=0)
    lay = Layered()
    if start == 0 and paths:
        lay = _bottom_layer(paths[0])
        start = 1
    for data, lines, name, _extends in read[start:]:
        lay.files.append(name)
        if not lay.data:
            lay.data = data
            _record(lay.origin, (), data, lines, (), name)
        else:
            lay.data = _merge(lay.data, data, (), (), lay, lines, name)
    # Keep the disabled entries out; their positions shift, so re-index the origins.
    if _has_disabled(lay.data):
        lay = _reindex_without_disabled(lay)
    return lay


# The lowest layer with the file and line of every value, by (file name, text): recording them is
# most of an overlay load (about 20 ms for the embedded files), and the suite and a long-lived
# process load the same embedded files under many overlays. Each load gets its own copy (callers
# merge into both); a few entries (~3 MB each) bound the memory.
_LAYERS: dict[tuple[str, str], tuple[dict[str, Any], dict[Loc, tuple[str, int | None]]]] = {}
_LAYERS_MAX = 4


def _bottom_layer(path: Path) -> Layered:
    name, text = str(path), read_text(path)
    hit = _LAYERS.get((name, text))
    if hit is None:
        data, lines, _, _ = _read(path, text)
        lay = Layered(data=data, files=[name])
        _record(lay.origin, (), data, lines, (), name)
        if len(_LAYERS) >= _LAYERS_MAX:
            _LAYERS.pop(next(iter(_LAYERS)))
        _LAYERS[(name, text)] = (copy_tree(data), dict(lay.origin))
        return lay
    return Layered(data=copy_tree(hit[0]), origin=dict(hit[1]), files=[name])


def _has_disabled(value: Any) -> bool:
    if isinstance(value, dict):
        if value.get("disabled") is True and _entry_key(value):
            return True
        return any(_has_disabled(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_disabled(v) for v in value)
    return False


def _reindex_without_disabled(lay: Layered) -> Layered:
    out = Layered(files=lay.files)

    def walk(value: Any, old: Loc, new: Loc) -> Any:
        if old in lay.origin:
            out.origin[new] = lay.origin[old]
        if isinstance(value, dict):
            return {k: walk(v, (*old, k), (*new, k)) for k, v in value.items()}
        if isinstance(value, list):
            kept = []
            for i, v in enumerate(value):
                if isinstance(v, dict) and _entry_key(v) and v.get("disabled") is True:
                    where = lay.origin.get((*old, i, "disabled")) or lay.origin.get((*old, i)) or (None, None)
                    out.disabled[_entry_key(v)[1]] = where  # type: ignore[index]
                    continue
                kept.append(walk(v, (*old, i), (*new, len(kept))))
            return kept
        return value

    out.data = walk(lay.data, (), ())
    return out


def _validate(model: type, lay: Layered) -> Any:
    try:
        return model.model_validate(lay.data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            loc = tuple(err["loc"])
            file, line = lay.where(loc)
            problems.append(Problem(_pretty(err), file, line, _field_name(lay.data, loc)))
        raise InputError(problems) from None


def _field_name(data: Any, loc: Loc) -> str:
    """Dotted path that names list entries by their id: models[llama-3.3-70b].architecture."""
    out, cur = "", data
    for part in loc:
        if isinstance(part, int) and isinstance(cur, list) and part < len(cur):
            key = _entry_key(cur[part])
            out += f"[{key[1]}]" if key else f"[{part}]"
            cur = cur[part]
        elif isinstance(part, int):
            out += f"[{part}]"
            cur = None
        else:
            out += ("." if out else "") + str(part)
            cur = cur.get(part) if isinstance(cur, dict) else None
    return out


def _pretty(err: dict[str, Any]) -> str:
    kind, msg = err.get("type", ""), err.get("msg", "invalid")
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "missing":
        return "required field is missing"
    msg = msg.removeprefix("Value error, ")
    given = err.get("input")
    if kind not in ("missing",) and not isinstance(given, (dict, list)) and given is not None:
        return f"{msg} (got {given!r})"
    return msg


def load_catalog(catalog_dir: str | Path | None = None, use_env: bool = True) -> Catalog:
    """Load the embedded catalogue with any overlays. Raises InputError with located problems."""
    overlays = overlay_dirs(catalog_dir, use_env)
    base = embedded_dir()
    if not overlays:
        cached = _fast_load(base)
        if cached is not None:
            return cached
    return _located_load([base, *overlays])


def _located_load(dirs: list[Path]) -> Catalog:
    return from_layers({f: layer(f, dirs) for f in FILES}, [str(d) for d in dirs])


def from_layers(lays: dict[str, Layered], sources: list[str]) -> Catalog:
    """Validate already layered raw data (one `Layered` per file name) into a located Catalog."""
    problems: list[Problem] = []
    parsed: dict[str, Any] = {}
    for fname, model in zip(FILES, (ModelsFile, ProvidersFile), strict=True):
        try:
            parsed[fname] = _validate(model, lays[fname])
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    cat = Catalog(parsed[FILES[0]], parsed[FILES[1]], sources=sources)
    cat.origins = {"models": lays[FILES[0]], "providers": lays[FILES[1]]}
    xref = cat.cross_reference_problems()
    for p in xref:
        p.file, p.line = _locate_reference(p, lays)
    if xref:
        raise InputError(list(xref))
    return cat


def _locate_reference(p: Any, lays: dict[str, Layered]) -> tuple[str | None, int | None]:
    """Where a cross-reference problem belongs: at the reference, unless the id it names was
    disabled by an overlay; then at that `disabled: true`, which is what the user just wrote."""
    lay = lays[p.file]
    file, line = lay.where(p.loc)
    value: Any = lay.data
    for part in p.loc:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return file, line
    if isinstance(value, str):
        for other in lays.values():
            found = other.disabled.get(value.lower())
            if found is not None and found[0] is not None:
                p.message = (
                    f"'{value}' is disabled here but {file}{f':{line}' if line else ''} still refers to it "
                    "(at the field named); disable or change that entry too"
                )
                return found
    return file, line


_CACHE: dict[str, Catalog] = {}


def _fast_load(base: Path) -> Catalog | None:
    """Load the embedded files without line tracking; None sends us down the located path.

    The validated data is cached as JSON in the user's cache directory (see `cache.py`: keyed by a
    hash of the files' contents, the package version and the schema code; data only), which saves
    the YAML parse and validation on every run.
    """
    from . import cache

    paths = [base / f for f in FILES]
    try:
        key = cache.cache_key(paths)
    except OSError:
        return None
    if key in _CACHE:
        return _CACHE[key]
    directory = cache.cache_dir()
    payload = cache.read(directory, key) if directory is not None else None
    if payload is not None:
        try:
            cat = Catalog(
                cache.construct(ModelsFile, payload["models"]),
                cache.construct(ProvidersFile, payload["providers"]),
                sources=[str(base)],
            )
        except Exception:  # a cache entry of the wrong shape is simply rebuilt
            cat = None
        if cat is not None:
            cat.cache_key = key  # the sizing store's key too (selfhost/store.py)
            _newest_from(cat, payload.get("newest_as_of"))
            _CACHE[key] = cat
            return cat
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        raw = [yaml.load(p.read_text("utf-8"), Loader=loader) for p in paths]
        models, providers = ModelsFile.model_validate(raw[0]), ProvidersFile.model_validate(raw[1])
        cat = Catalog(models, providers, sources=[str(base)])
    except Exception:
        return None
    if cat.cross_reference_problems():
        return None
    cat.cache_key = key
    _CACHE[key] = cat
    if directory is not None:
        dump = {"mode": "json", "exclude_unset": True}
        payload = {"models": models.model_dump(**dump), "providers": providers.model_dump(**dump)}
        # The newest entry date is kept beside the data: finding it walks every entry (about 9 ms a run).
        payload["newest_as_of"] = newest_as_of(cat).isoformat()
        cache.write(directory, key, payload)
    return cat


def _newest_from(cat: Catalog, value: Any) -> None:
    """Take the cached newest entry date when it is a date no older than the files' own; otherwise
    (an older entry without it, or a damaged one) `newest_as_of` walks the entries as before."""
    if isinstance(value, str):
        try:
            found = dt.date.fromisoformat(value)
        except ValueError:
            return
        if found >= cat.as_of:
            cat.__dict__["_newest_as_of"] = found


def validate_dir(catalog_dir: str | Path | None, use_env: bool = True) -> Catalog:
    """Like load_catalog, but always takes the located path so every problem is listed."""
    return _located_load([embedded_dir(), *overlay_dirs(catalog_dir, use_env)])
