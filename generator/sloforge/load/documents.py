"""YAML files -> documents that remember the line of every field.

PyYAML composes the node tree (C parser when available) and we build plain
Python values from it ourselves, so that we can record each field's line,
reject duplicate keys (PyYAML silently keeps the last one) and cap alias
expansion (a "billion laughs" file must fail fast, not eat the machine).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.constructor import SafeConstructor

from sloforge.errors import Problem, SpecError

try:  # the C parser is ~10x faster; fall back quietly where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

SPEC_SUFFIXES = (".yml", ".yaml")
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

FieldPath = tuple[str | int, ...]


@dataclass(slots=True)
class Document:
    path: str
    index: int  # position in a multi-document file
    data: object
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line(self, path: FieldPath) -> int | None:
        """Line of a field, or of its nearest ancestor that has one."""
        for cut in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:cut]))
            if found is not None:
                return found
        return None

    def problem(self, path: FieldPath, message: str, warning: bool = False) -> Problem:
        return Problem(self.path, self.line(path), field_text(path), message, warning)


def field_text(path: FieldPath) -> str:
    """("slos", 1, "objective") -> "slos[1].objective"."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def discover(paths: list[str]) -> list[Path]:
    """Spec files under the given files and directories, sorted, recursive."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                found.extend(Path(root) / f for f in sorted(files) if f.endswith(SPEC_SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(Problem(raw, None, "", "no such file or directory"))
    if problems:
        raise SpecError(problems)
    return sorted(set(found), key=lambda p: p.as_posix())


def load_file(path: Path) -> list[Document]:
    """Every non-empty document in a YAML file. Raises SpecError."""
    name = path.as_posix()
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SpecError([Problem(name, None, "", f"file is {size // (1024 * 1024)} MiB; "
                                     f"spec files are limited to {MAX_FILE_BYTES // (1024 * 1024)} MiB")])
        raw = path.read_bytes()
    except OSError as exc:
        raise SpecError([Problem(name, None, "", f"cannot read file: {exc.strerror}")]) from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise SpecError([Problem(name, line, "", "file is not valid UTF-8 text")]) from None
    return load_text(text, name)


def load_text(text: str, name: str) -> list[Document]:
    try:
        _precheck(text, name)
        nodes = list(yaml.compose_all(text, Loader=_Loader))
    except RecursionError:
        raise SpecError([Problem(name, None, "", f"nested more than {MAX_DEPTH} levels deep; "
                                 "refusing to read it")]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if "maximum nesting depth" in (exc.problem or ""):
            # libyaml >= 0.2.5 (PyYAML 6.0.4's wheels) stops at 1,000 levels while scanning
            # ahead, before our own, lower limit sees the events: the same refusal.
            raise SpecError([Problem(name, line, "", f"nested more than {MAX_DEPTH} levels deep; "
                                     "refusing to read it")]) from None
        column = f", column {mark.column + 1}" if mark else ""
        what = (exc.problem or exc.context or "invalid YAML").strip()
        cmark, pmark = exc.context_mark, exc.problem_mark
        if exc.context and cmark is not None and pmark is not None \
                and (cmark.line, cmark.column) != (pmark.line, pmark.column):
            what += f" ({exc.context.strip()} at line {cmark.line + 1}, column {cmark.column + 1})"
        if mark and _char_at(text, mark.line, mark.column) == "\t":
            what += " (a tab: YAML is indented with spaces, not tabs)"
        raise SpecError([Problem(name, line, "", f"YAML syntax error{column}: {what}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(name, None, "", f"YAML error: {exc}")]) from None
    documents = []
    for index, node in enumerate(nodes):
        if node is None:
            continue
        builder = _Builder(name)
        data = builder.build(node, ())
        if data is None:
            continue
        documents.append(Document(name, index, data, builder.lines))
    return documents


def _precheck(text: str, name: str) -> None:
    """Refuse absurd nesting and size from the flat event stream, before composing.

    libyaml composes nodes recursively (200,000 nested `[` crash the process) and
    holds the whole node tree in memory; the event stream is flat, so one cheap
    pass bounds both before any of that happens."""
    depth = 0
    for events, event in enumerate(yaml.parse(text, Loader=_Loader), start=1):
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise SpecError([Problem(name, line, "", f"nested more than {MAX_DEPTH} levels deep; "
                                         "refusing to read it")])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if events > 2 * MAX_NODES:
            raise SpecError([Problem(name, None, "", f"holds more than {MAX_NODES} values; split it "
                                     "into several spec files")])


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""


def load_paths(paths: list[str]) -> list[Document]:
    """All documents of all spec files; every file's problems reported at once."""
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in discover(paths):
        try:
            loaded = load_file(path)
        except SpecError as exc:
            problems.extend(exc.problems)
            continue
        if not loaded:
            problems.append(Problem(path.as_posix(), None, "", "file holds no YAML document "
                                    "(expected a spec such as 'apiVersion: sloforge/v1')"))
        documents.extend(loaded)
    if problems:
        raise SpecError(problems)
    return documents


class _Builder:
    def __init__(self, name: str):
        self.name = name
        self.lines: dict[FieldPath, int] = {}
        self.count = 0
        self.scalars = SafeConstructor()

    def build(self, node: yaml.Node, path: FieldPath) -> object:
        if len(path) > MAX_DEPTH:
            raise SpecError([Problem(self.name, node.start_mark.line + 1, field_text(path[:3]) + "...",
                                     f"nested more than {MAX_DEPTH} levels deep; refusing to read it")])
        self.count += 1
        if self.count > MAX_NODES:
            raise SpecError([Problem(self.name, node.start_mark.line + 1, field_text(path),
                                     f"document expands to more than {MAX_NODES} values "
                                     "(an alias bomb?); refusing to read it")])
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            out: dict[object, object] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    merged = self.build(value_node, path)
                    if isinstance(merged, dict):
                        for k, v in merged.items():
                            out.setdefault(k, v)
                    continue
                key = self.build(key_node, path)
                if not isinstance(key, (str, int, float, bool)) and key is not None:
                    raise SpecError([Problem(self.name, key_node.start_mark.line + 1,
                                             field_text(path), "mapping keys must be plain text")])
                key = key if isinstance(key, str) else str(key)
                if key in out:
                    raise SpecError([Problem(self.name, key_node.start_mark.line + 1,
                                             field_text(path + (key,)),
                                             "duplicate key (YAML would silently keep only the last)")])
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, path + (key,))
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        try:
            value = self.scalars.construct_object(node)
        except (yaml.YAMLError, ValueError) as exc:  # ValueError: e.g. an int of 5,000 digits
            raise SpecError([Problem(self.name, node.start_mark.line + 1, field_text(path),
                                     f"invalid value: {getattr(exc, 'problem', exc)}")]) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise SpecError([Problem(self.name, node.start_mark.line + 1, field_text(path),
                                     f"{node.value} is not a finite number")])
        if value is not None and not isinstance(value, (str, int, float, bool)):
            # Specs are JSON-shaped: a YAML date or !!binary is read as the text it was written as,
            # so the schema can say what is expected instead of choking on a datetime.
            return str(node.value)
        return value
