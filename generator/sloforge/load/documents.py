"""YAML files -> documents that remember the line of every field.

PyYAML parses (C parser when available) and load/values.py builds plain Python
values from the events or nodes itself, so that we can record each field's
line, reject duplicate keys (PyYAML silently keeps the last one) and cap alias
expansion (a "billion laughs" file must fail fast, not eat the machine).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from sloforge.conventions import MANIFEST_FILE
from sloforge.errors import Problem, SpecError
from sloforge.load import values
from sloforge.load.values import field_text

try:  # the C parser is ~10x faster; fall back quietly where libyaml is missing
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

SPEC_SUFFIXES = (".yml", ".yaml")
MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_NODES = values.MAX_NODES
MAX_DEPTH = values.MAX_DEPTH

FieldPath = values.FieldPath


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


def discover(paths: list[str]) -> list[Path]:
    """Spec files under the given files and directories, sorted, recursive.

    A walk skips dot-files and dot-directories (.pre-commit-config.yaml, .github/) and
    every directory sloforge writes (it holds sloforge's manifest: out/, converted
    specs' folders are kept apart from it), so `sloforge validate .` reads only specs.
    A file or directory named on the command line is always read."""
    found: list[Path] = []
    problems: list[Problem] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".")
                                 and not (Path(root) / d / MANIFEST_FILE).is_file())
                found.extend(Path(root) / f for f in sorted(files)
                             if f.endswith(SPEC_SUFFIXES) and not f.startswith("."))
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
        events = _events(text, name)
        # Most files have no anchors, aliases or merge keys: their values are built straight
        # from the events already parsed. The others are composed into nodes (a second parse)
        # so that aliases can be expanded; both builders give the same documents.
        nodes = None if _plain(events) else list(yaml.compose_all(text, Loader=_Loader))
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
    built = values.from_nodes(nodes, name) if nodes is not None else values.from_events(events, name)
    return [Document(name, index, data, lines) for index, (data, lines) in enumerate(built) if data is not None]


def _events(text: str, name: str) -> list[yaml.Event]:
    """The file's event stream, refusing absurd nesting and size before anything is built.

    libyaml composes nodes recursively (200,000 nested `[` crash the process) and
    holds the whole node tree in memory; the event stream is flat, so this one
    parse bounds both before any of that happens."""
    depth = 0
    events = []
    for count, event in enumerate(yaml.parse(text, Loader=_Loader), start=1):
        events.append(event)
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1 if event.start_mark else None
                raise SpecError([Problem(name, line, "", f"nested more than {MAX_DEPTH} levels deep; "
                                         "refusing to read it")])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        if count > 2 * MAX_NODES:
            raise SpecError([Problem(name, None, "", f"holds more than {MAX_NODES} values; split it "
                                     "into several spec files")])
    return events


def _plain(events: list[yaml.Event]) -> bool:
    """No anchor, alias or merge key (`<<`): nothing the event builder would have to expand."""
    return not any(isinstance(e, yaml.AliasEvent) or getattr(e, "anchor", None) is not None
                   or (isinstance(e, yaml.ScalarEvent) and (e.value == "<<" or e.tag == values.MERGE))
                   for e in events)


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    return lines[line][column : column + 1] if line < len(lines) else ""


def load_paths(paths: list[str]) -> list[Document]:
    """All documents of all spec files; every file's problems reported at once."""
    documents, problems = read_paths(paths)
    if problems:
        raise SpecError(problems)
    return documents


def read_paths(paths: list[str]) -> tuple[list[Document], list[Problem]]:
    """The documents of every file that could be read, and the problems of the others
    (so the readable files are still checked in the same run)."""
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
    return documents, problems
