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

# Limits on every YAML or JSON input (workloads, catalogue overlays, saved reports), enforced while
# reading: bytes before parsing, nesting depth and node count while the parser streams events
# (before any tree is built), alias expansion while building. docs/workload.md and
# docs/security.md document them. The embedded catalogue files are about 90 kB and 4,500 values each.
MAX_BYTES = 2_000_000
MAX_JSON_BYTES = 100_000_000  # saved reports: `compare --all` is about 2 kB per option; JSON parses fast
MAX_DEPTH = 64
MAX_NODES = 100_000
MAX_NUMBER = 1e15
MAX_DIGITS = 30  # an integer literal longer than this is refused before Python converts it
MIN_NUMBER = 1e-12  # nonzero numbers nearer zero than this are refused: they divide to infinity


class LineMap(dict[Loc, int]):
    """Maps a path of keys and indices to the 1-based line where its value starts."""

    def line_for(self, loc: Loc) -> int | None:
        # Walk up to the nearest ancestor we know, so a missing field points at its parent.
        for cut in range(len(loc), -1, -1):
            key = tuple(loc[:cut])
            if key in self:
                return self[key]
        return None


def open_regular(path: Path, expected: str, limit: int) -> int:
    """A file descriptor of a regular file no larger than `limit`, or one clear InputError.

    Only regular files are opened: a FIFO would block forever waiting for a writer and /dev/zero
    never ends, so the file is opened non-blocking and checked with fstat before a byte is read.
    `expected` names what the file should be ("a YAML file"). The caller closes the descriptor.
    """
    import os
    import stat

    name = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise InputError.one("file not found", name) from None
    except IsADirectoryError:
        raise InputError.one(f"is a directory, expected {expected}", name) from None
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", name) from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise InputError.one(f"is a directory, expected {expected}", name)
        if not stat.S_ISREG(st.st_mode):
            raise InputError.one(f"not a regular file (a device, FIFO or socket), expected {expected}", name)
        if st.st_size > limit:
            raise InputError.one(f"file is larger than {limit // 1_000_000} MB", name)
    except BaseException:
        os.close(fd)
        raise
    return fd


def read_bytes(path: Path, kind: str = "YAML", limit: int = MAX_BYTES) -> bytes:
    """The bytes of a small regular file (`open_regular`), or one clear InputError."""
    import os

    name = str(path)
    fd = open_regular(path, f"a {kind} file", limit)
    try:
        chunks, total = [], 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
    except OSError as exc:
        raise InputError.one(f"cannot read: {exc.strerror or exc}", name) from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > limit:  # the file grew while we read it
        raise InputError.one(f"file is larger than {limit // 1_000_000} MB", name)
    return raw


def read_text(path: Path, kind: str = "YAML", limit: int = MAX_BYTES) -> str:
    """A small text file's contents, or one clear InputError (missing, directory, special, binary, huge)."""
    name = str(path)
    raw = read_bytes(path, kind, limit)
    if b"\x00" in raw:
        raise InputError.one(f"binary file, expected {kind} text", name)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError.one(f"not UTF-8 text, expected {kind}", name) from None


def _loader_class() -> Any:
    import yaml

    # libyaml's parser is about twenty times faster than the pure-Python one on our files.
    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _one_line(exc: Any) -> str:
    """PyYAML's messages span several lines ('while parsing ... in <unicode string>'); keep the problem."""
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return " ".join(str(problem).split())


def check_shape(text: str, name: str) -> None:
    """Stream the parser's events (no tree is built) and refuse deep nesting or too many values."""
    import yaml

    loader = _loader_class()(text)
    depth = nodes = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise InputError.one(f"nested more than {MAX_DEPTH} levels deep", name, line)
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                depth -= 1
            if isinstance(event, (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                nodes += 1
                if nodes > MAX_NODES:
                    line = event.start_mark.line + 1 if event.start_mark else None
                    raise InputError.one(f"more than {MAX_NODES:,} values; refusing to read further", name, line)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        if "nesting depth" in _one_line(exc):
            # libyaml 0.2.6 (PyYAML 6.0.4 wheels) has a depth limit of its own, met while it scans
            # ahead of the events we count: the same refusal, in the same words.
            raise InputError.one(f"nested more than {MAX_DEPTH} levels deep", name, line) from None
        raise InputError.one(f"invalid YAML: {_one_line(exc)}", name, line) from None
    finally:
        loader.dispose()


_PARSED: dict[tuple[str, str], tuple[Any, LineMap]] = {}
_PARSED_MAX = 16


def load_yaml(text: str, name: str) -> tuple[Any, LineMap]:
    """Parse YAML text into plain objects plus a line map. Raises InputError.

    A text parsed before in this process (the embedded catalogue under every overlay, a diff
    against it, a test suite loading it hundreds of times) is not parsed again: the caller gets
    its own copy of the earlier result, as callers merge into what they get."""
    hit = _PARSED.get((name, text))
    if hit is not None:
        return copy_tree(hit[0]), LineMap(hit[1])
    data, lines = _parse(text, name)
    if len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)))
    _PARSED[(name, text)] = (copy_tree(data), LineMap(lines))
    return data, lines


def copy_tree(value: Any) -> Any:
    """A copy of parsed YAML: new dicts and lists, the same (immutable) scalars."""
    kind = type(value)
    if kind is dict:
        return {k: copy_tree(v) for k, v in value.items()}
    if kind is list:
        return [copy_tree(v) for v in value]
    return value


def _parse(text: str, name: str) -> tuple[Any, LineMap]:
    if not text.strip():
        raise InputError.one("file is empty", name)
    if len(text) > MAX_BYTES:
        raise InputError.one(f"text is larger than {MAX_BYTES // 1_000_000} MB", name)
    import yaml  # here, not at the top: the cached-catalogue path never parses YAML

    check_shape(text, name)
    try:
        node = yaml.compose(text, Loader=_loader_class())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError.one(f"invalid YAML: {_one_line(exc)}", name, line) from None
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


_STANDARD_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


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
        if not isinstance(node, yaml.ScalarNode) and node.tag not in _STANDARD_TAGS:
            raise InputError.one(f"unsupported tag {node.tag!r}; plain mappings and lists only", self.name, line)
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
        field = dotted(loc) or None
        if node.tag == "tag:yaml.org,2002:int" and len(node.value.lstrip("+-0").replace("_", "")) > MAX_DIGITS:
            # Checked on the text: Python would refuse (or take long) to convert thousands of digits.
            raise InputError([Problem(f"number is too large (more than {MAX_DIGITS} digits)", self.name, line, field)])
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise InputError.one(f"invalid value: {_one_line(exc)}", self.name, line, field) from None
        except (ValueError, OverflowError) as exc:
            raise InputError.one(f"invalid value: {exc}", self.name, line, field) from None
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            raise InputError([Problem("NaN and infinity are not allowed", self.name, line, field)])
        if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
            raise InputError([Problem(f"number {float(value):g} is too large", self.name, line, field)])
        if isinstance(value, float) and value != 0 and abs(value) < MIN_NUMBER:
            raise InputError([Problem(f"number {value:g} is too small (write 0 for zero)", self.name, line, field)])
        if isinstance(value, str) and _has_surrogate(value):
            raise InputError([Problem("text holds a lone surrogate (not valid Unicode)", self.name, line, field)])
        if isinstance(value, bytes):
            raise InputError([Problem("binary values are not supported", self.name, line, field)])
        return value


def _has_surrogate(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
