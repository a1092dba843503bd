"""Incremental generation: reuse what an unchanged spec produced last time.

Two kinds of entries, each keyed by a SHA-256 that includes a fingerprint of
sloforge's own code, schema and templates (so an upgrade or a local edit
invalidates everything):
  spec      a native spec file's content -> its Services and warnings, so an
            unchanged file skips YAML parsing, JSON Schema and PromQL checks;
  rendered  one Service's model value, the target and settings -> its output
            files, so an unchanged service skips compiling and YAML dumping.
Files holding other formats (OpenSLO, Sloth) are always read afresh, because
their documents may refer to each other across files.

The cache lives outside the repository (out/ is committed): in
$SLOFORGE_CACHE_DIR, else $XDG_CACHE_HOME/sloforge or ~/.cache/sloforge, one
folder per output directory; entries this run did not use are pruned.
SLOFORGE_NO_CACHE=1 turns it off. Entries are pickles written by this user
only, under their own cache directory.
"""

from __future__ import annotations

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

_ACTIVE: list[Cache] = []


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


class Cache:
    def __init__(self, root: Path):
        self.root = root
        self.used: set[Path] = set()
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, parts: tuple[str | bytes, ...]) -> Path:
        digest = hashlib.sha256(code_fingerprint().encode())
        for part in parts:
            digest.update(b"\0" + (part if isinstance(part, bytes) else part.encode()))
        path = self.root / kind / f"{digest.hexdigest()}.pickle"
        self.used.add(path)
        return path

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
                pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def memo(self, kind: str, parts: tuple[str | bytes, ...], produce: Callable[[], Any]) -> Any:
        found = self.get(kind, *parts)
        if found is not None:
            return found
        value = produce()
        self.put(kind, value, *parts)
        return value

    def prune(self) -> None:
        """Delete the entries this run did not touch (old versions of changed specs)."""
        for kind in ("spec", "rendered"):
            folder = self.root / kind
            if folder.is_dir():
                for path in folder.iterdir():
                    if path not in self.used:
                        path.unlink(missing_ok=True)


def active() -> Cache | None:
    return _ACTIVE[-1] if _ACTIVE else None


@contextmanager
def activated(root: Path | None, prune: bool = True) -> Iterator[Cache | None]:
    """Use a cache under `root` for the duration (None: no cache)."""
    if root is None:
        yield None
        return
    instance = Cache(root)
    _ACTIVE.append(instance)
    try:
        yield instance
    finally:
        _ACTIVE.pop()
    if prune:
        instance.prune()
