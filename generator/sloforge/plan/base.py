"""The specs a change starts from: a git ref of the same repository, or an older copy in a folder.

The base is read as the working tree is: the same paths, relative to the same folder, so an
SLO's `source` reads the same on both sides and file names compare equal.
"""

from __future__ import annotations

import contextlib
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sloforge.errors import SloforgeError


class BaseError(SloforgeError):
    """The base specs cannot be had (no git, an unknown ref, a missing folder)."""


@contextlib.contextmanager
def git_tree(ref: str, repo: Path) -> Iterator[Path]:
    """The whole tree of `repo` at `ref`, extracted into a temporary folder."""
    try:
        top = subprocess.run(["git", "rev-parse", "--show-toplevel"], cwd=repo, capture_output=True,
                             text=True, check=False, timeout=30)
    except FileNotFoundError:
        raise BaseError("--base needs git, which is not installed; use --base-dir") from None
    if top.returncode != 0:
        raise BaseError(f"--base {ref}: {repo.resolve()} is not in a git repository; use --base-dir")
    archive = subprocess.run(["git", "archive", "--format=tar", ref], cwd=top.stdout.strip(),
                             capture_output=True, check=False, timeout=120)
    if archive.returncode != 0:
        message = archive.stderr.decode("utf-8", "replace").strip().splitlines()
        raise BaseError(f"--base {ref}: {message[-1] if message else 'git archive failed'}")
    with tempfile.TemporaryDirectory(prefix="sloforge-plan-") as tmp:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(tmp, filter="data")
        # the working tree's paths are relative to the current folder: keep that offset
        offset = Path.cwd().resolve().relative_to(Path(top.stdout.strip()).resolve())
        yield Path(tmp) / offset


@contextlib.contextmanager
def folder(path: Path) -> Iterator[Path]:
    if not path.is_dir():
        raise BaseError(f"--base-dir {path}: no such directory")
    yield path
