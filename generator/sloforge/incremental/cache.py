"""Incremental generation: reuse what an unchanged spec produced last time.

Two kinds of records, keyed by SHA-256s that include a fingerprint of
sloforge's own code, schema and templates (so an upgrade or a local edit
invalidates everything):
  spec      a native spec file's content -> its Services and warnings, so an
            unchanged file skips YAML parsing, JSON Schema and PromQL checks;
  outputs   (one file, OutputRecords) for each service's render key (its model
            value, the target and settings) the files it produced, and for each
            file in OUT the size and mtime it had when sloforge wrote or compared
            it, so a service whose key and files are unchanged is not rendered,
            read or compared at all (git's index works the same way; editing a
            file in OUT changes its mtime, so it gets compared and rewritten).
Files holding other formats (OpenSLO, Sloth) are always read afresh, because
their documents may refer to each other across files.

The cache lives outside the repository (out/ is committed): in
$SLOFORGE_CACHE_DIR, else $XDG_CACHE_HOME/sloforge or ~/.cache/sloforge, one
folder per output directory; entries this run did not use are pruned.
SLOFORGE_NO_CACHE=1 turns it off. Entries are pickles written by this user
only, under their own cache directory.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any


class _Reducers(dict[type, Callable[[Any], Any]]):
    """Pickle dataclasses as (class, field values), rebuilt through __init__.

    The model is frozen slotted dataclasses, whose default pickling (`__getstate__`/
    `__setstate__`) looks up the fields again for every object: half the time of an
    incremental run went to unpickling Services. Model classes have no init=False
    fields or __post_init__, so calling __init__ with the values rebuilds them exactly.
    """

    def __missing__(self, cls: type) -> Callable[[Any], Any]:
        if not dataclasses.is_dataclass(cls) or hasattr(cls, "__post_init__"):
            raise KeyError(cls)
        if not all(f.init for f in dataclasses.fields(cls)):
            raise KeyError(cls)
        fields = tuple(f.name for f in dataclasses.fields(cls))

        def reduce(obj: Any) -> tuple[type, tuple[Any, ...]]:
            return cls, tuple([getattr(obj, name) for name in fields])

        self[cls] = reduce
        return reduce


_REDUCERS = _Reducers()


@cache
def code_fingerprint() -> str:
    """Hash of every source, schema and template file of the installed sloforge."""
    digest = hashlib.sha256()
    for package in ("sloforge", "sloforge.templates"):
        root = resources.files(package)
        for path in sorted(Path(str(root)).rglob("*")):
            if path.suffix in (".py", ".json", ".j2") and "__pycache__" not in path.parts:
                digest.update(path.as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def default_root(out: Path) -> Path | None:
    if os.environ.get("SLOFORGE_NO_CACHE"):
        return None
    base = os.environ.get("SLOFORGE_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "sloforge")
    where = hashlib.sha256(str(out.resolve()).encode()).hexdigest()[:16]
    return Path(base) / where


class OutputRecords:
    """What OUT holds, as far as this cache wrote or compared it (see the module doc)."""

    def __init__(self, files: dict[str, tuple[str, ...]], stats: dict[str, tuple[int, int, str]]):
        self.files = files  # render key -> the paths of the files it produced
        self.stats = stats  # path -> (size, mtime in ns, render key) when written or compared
        self.used: set[str] = set()

    def unchanged(self, out: Path, key: str) -> tuple[str, ...] | None:
        """The paths of `key`'s files when OUT still holds them as recorded, else None."""
        paths = self.files.get(key)
        if paths is None:
            return None
        for path in paths:
            record = self.stats.get(path)
            if record is None or record[2] != key:
                return None
            try:
                found = os.stat(os.path.join(out, path))
            except OSError:
                return None
            if (found.st_size, found.st_mtime_ns) != record[:2]:
                return None
        self.used.add(key)
        return paths

    def produced(self, key: str, paths: list[str]) -> None:
        self.files[key] = tuple(paths)
        self.used.add(key)

    def holds(self, out: Path, path: str, key: str) -> None:
        """OUT's file `path` is (now) exactly what `key` renders."""
        try:
            found = os.stat(os.path.join(out, path))
        except OSError:
            self.stats.pop(path, None)
            return
        self.stats[path] = (found.st_size, found.st_mtime_ns, key)

    def pruned(self) -> OutputRecords:
        files = {key: paths for key, paths in self.files.items() if key in self.used}
        live = {path for paths in files.values() for path in paths}
        return OutputRecords(files, {path: stat for path, stat in self.stats.items() if path in live})


class Cache:
    def __init__(self, root: Path):
        self.root = root
        self.used: set[Path] = set()
        self.hits = 0
        self.misses = 0
        self._outputs: OutputRecords | None = None
        self._fingerprints: dict[int, tuple[object, str]] = {}  # id -> (the object, its fingerprint)

    def fingerprint(self, value: object) -> str:
        """A digest of `value`'s repr (model values are frozen dataclasses, so the repr is
        the whole value), reusing the one stored with a cached spec's Services: repr of
        10,000 SLOs costs more than the rest of an unchanged run's bookkeeping."""
        known = self._fingerprints.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        digest = hashlib.sha256(repr(value).encode()).hexdigest()
        self.knows(value, digest)
        return digest

    def knows(self, value: object, fingerprint: str) -> None:
        self._fingerprints[id(value)] = (value, fingerprint)

    def key(self, *parts: str | bytes) -> str:
        digest = hashlib.sha256(code_fingerprint().encode())
        for part in parts:
            digest.update(b"\0" + (part if isinstance(part, bytes) else part.encode()))
        return digest.hexdigest()

    def _path(self, kind: str, parts: tuple[str | bytes, ...]) -> Path:
        path = self.root / kind / f"{self.key(*parts)}.pickle"
        self.used.add(path)
        return path

    @property
    def outputs(self) -> OutputRecords:
        if self._outputs is None:
            found = self.get("outputs", "records")
            self._outputs = found if isinstance(found, OutputRecords) else OutputRecords({}, {})
        return self._outputs

    def save_outputs(self) -> None:
        if self._outputs is not None:
            self.put("outputs", self._outputs.pruned(), "records")

    def get(self, kind: str, *parts: str | bytes) -> Any | None:
        path = self._path(kind, parts)
        try:
            with path.open("rb") as handle:
                value = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError):
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, value: object, *parts: str | bytes) -> None:
        path = self._path(kind, parts)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as handle:
                pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
                pickler.dispatch_table = _REDUCERS
                pickler.dump(value)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def prune(self) -> None:
        """Delete the entries this run did not touch (old versions of changed specs)."""
        for kind in ("spec", "outputs"):  # dashboard shapes stay: keyed by the SDK version, few
            folder = self.root / kind
            if folder.is_dir():
                for path in folder.iterdir():
                    if path not in self.used:
                        path.unlink(missing_ok=True)


@contextmanager
def opened(out: Path, enabled: bool = True, prune: bool = True) -> Iterator[Cache | None]:
    """The cache of output directory `out` for the duration of one run (None when disabled,
    by the caller or by SLOFORGE_NO_CACHE); saved, and pruned of what the run did not use, after."""
    root = default_root(out) if enabled else None
    if root is None:
        yield None
        return
    instance = Cache(root)
    yield instance
    instance.save_outputs()
    if prune:
        instance.prune()
