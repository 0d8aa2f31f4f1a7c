"""Safe YAML reading that remembers the line of every value.

PyYAML's safe loader gives plain Python objects with no positions. We compose the node tree
instead and build the objects ourselves, so that a validation error on `traffic.input_tokens`
can name its line, and so that alias bombs, duplicate keys, NaN and absurd sizes are refused
before anything else sees them.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from .errors import InputError, Problem

Loc = tuple[str | int, ...]

MAX_BYTES = 5_000_000
MAX_NODES = 200_000
MAX_NUMBER = 1e15


class LineMap(dict[Loc, int]):
    """Maps a path of keys and indices to the 1-based line where its value starts."""

    def line_for(self, loc: Loc) -> int | None:
        # Walk up to the nearest ancestor we know, so a missing field points at its parent.
        for cut in range(len(loc), -1, -1):
            key = tuple(loc[:cut])
            if key in self:
                return self[key]
        return None


def read_text(path: Path, kind: str = "YAML") -> str:
    """A small text file's contents, or one clear InputError (missing, directory, binary, huge)."""
    name = str(path)
    if not path.exists():
        raise InputError.one("file not found", name)
    if path.is_dir():
        raise InputError.one(f"is a directory, expected a {kind} file", name)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror}", name) from None
    if len(raw) > MAX_BYTES:
        raise InputError.one(f"file is larger than {MAX_BYTES // 1_000_000} MB", name)
    if b"\x00" in raw:
        raise InputError.one(f"binary file, expected {kind} text", name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.one(f"not UTF-8 text, expected {kind}", name) from None


def load_yaml(text: str, name: str) -> tuple[Any, LineMap]:
    """Parse YAML text into plain objects plus a line map. Raises InputError."""
    if not text.strip():
        raise InputError.one("file is empty", name)
    import yaml  # here, not at the top: the cached-catalogue path never parses YAML

    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError.one(f"invalid YAML: {problem}", name, line) from None
    if node is None:
        raise InputError.one("file is empty", name)
    lines = LineMap()
    builder = _Builder(name, lines)
    try:
        data = builder.build(node, ())
    finally:
        builder.loader.dispose()
    return data, lines


def load_file(path: Path) -> tuple[Any, LineMap]:
    return load_yaml(read_text(path), str(path))


class _Builder:
    def __init__(self, name: str, lines: LineMap) -> None:
        import yaml

        self.yaml = yaml
        self.name, self.lines, self.budget = name, lines, MAX_NODES
        self.loader = yaml.SafeLoader("")

    def build(self, node: Any, loc: Loc) -> Any:
        self.budget -= 1
        if self.budget < 0:
            raise InputError.one(f"more than {MAX_NODES} values (an alias bomb?); refusing to expand", self.name)
        line = node.start_mark.line + 1
        self.lines[loc] = line
        yaml = self.yaml
        if isinstance(node, yaml.MappingNode):
            out: dict[str, Any] = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise InputError.one("merge keys (<<) are not supported", self.name, key_line)
                key = self.scalar(key_node, loc)
                if not isinstance(key, (str, int)) or isinstance(key, bool):
                    raise InputError.one("keys must be text", self.name, key_line)
                key = str(key)
                if key in out:
                    raise InputError.one(f"duplicate key '{key}'", self.name, key_line)
                out[key] = self.build(value_node, (*loc, key))
                # A field's line is its key's line, which is where a reader looks.
                self.lines[(*loc, key)] = key_line
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(v, (*loc, i)) for i, v in enumerate(node.value)]
        return self.scalar(node, loc)

    def scalar(self, node: Any, loc: Loc) -> Any:
        line = node.start_mark.line + 1
        yaml = self.yaml
        if not isinstance(node, yaml.ScalarNode):
            raise InputError.one("keys must be plain values", self.name, line)
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise InputError.one(f"invalid value: {exc}", self.name, line) from None
        field = dotted(loc) or None
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise InputError([Problem("NaN and infinity are not allowed", self.name, line, field)])
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise InputError([Problem(f"number {value:g} is too large", self.name, line, field)])
        return value


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
