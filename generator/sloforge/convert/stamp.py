"""Converted specs belong to their users: `convert` overwrites one only while it is
exactly what `convert` wrote, and keeps no manifest next to them.

The first line of a converted file ends with a digest of the file as written
(`(convert digest 3f2a9c1b7d4e)`): a file whose text no longer matches its digest
was edited since, and is overwritten only with `--force`. Without a manifest in
the spec folder, `sloforge validate .` reads the converted specs like any other
(a folder holding sloforge's manifest is output, and a walk skips it).
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

from sloforge.conventions import MANIFEST_FILE
from sloforge.errors import Problem, SpecError
from sloforge.write import atomic_write

_DIGEST = re.compile(r"^(# converted by sloforge from .*) \(convert digest ([0-9a-f]{12})\)$")


def stamped(text: str) -> str:
    """The text with the digest of itself (first line excluded) at the end of its first line."""
    first, sep, rest = text.partition("\n")
    return f"{first} (convert digest {_digest(first + sep + rest)}){sep}{rest}"


def unedited(text: str) -> bool:
    """Whether a file is still exactly what `convert` wrote."""
    first, sep, rest = text.partition("\n")
    match = _DIGEST.match(first)
    return match is not None and _digest(match.group(1) + sep + rest) == match.group(2)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass(frozen=True, slots=True)
class Written:
    write: tuple[str, ...]
    unchanged: tuple[str, ...]


def write(out: Path, files: dict[str, str], force: bool = False) -> Written:
    """Write converted specs into OUT. A file there that is not an unedited conversion
    (hand edits, or a file of the user's) is a problem unless `force`; nothing is
    written while there is one."""
    write_names, unchanged, problems = [], [], []
    for name, text in sorted(files.items()):
        target = out / name
        try:
            existing = target.read_text("utf-8")
        except FileNotFoundError:
            write_names.append(name)
            continue
        except (OSError, UnicodeDecodeError) as exc:
            existing = f"<unreadable: {exc}>"
        if existing == text:
            unchanged.append(name)
        elif force or unedited(existing):
            write_names.append(name)
        else:
            what = "was edited since sloforge converted it" if _DIGEST.match(existing.partition("\n")[0]) \
                else "exists and was not written by sloforge convert"
            problems.append(Problem(target.as_posix(), None, "", f"{what}; keep your edits (convert to "
                                    "another --out) or pass --force to overwrite it"))
    if problems:
        raise SpecError(problems)
    for name in write_names:
        atomic_write(out / name, files[name])
    _drop_old_manifest(out, set(files))
    return Written(tuple(write_names), tuple(unchanged))


def _drop_old_manifest(out: Path, names: set[str]) -> None:
    """Earlier versions kept a manifest next to converted specs, which now marks a folder
    as sloforge's output: remove it where it lists only converted specs (top-level .yml
    files), never a manifest of `generate`'s output."""
    path = out / MANIFEST_FILE
    try:
        listed = json.loads(path.read_text("utf-8")).get("files", [])
    except (OSError, ValueError, AttributeError):
        return
    if isinstance(listed, list) and all(isinstance(f, str) and "/" not in f and f.endswith(".yml")
                                        for f in listed):
        path.unlink(missing_ok=True)
