"""Importer test cases: Sloth and OpenSLO example files from ../shared/fixtures, and the
Pyrra-shaped files in tests/importers/pyrra (written for these tests).

They are read in place (CI has ../shared beside the repo). Origin and licence,
from fixtures/README.md: `sloth/` are examples of Sloth (github.com/slok/sloth,
`examples/`, Apache-2.0, commit 0e395d81), `sloth/_gen/` Sloth's own output for
them; `openslo/` are examples of the OpenSLO Go SDK (github.com/OpenSLO/go-sdk,
`pkg/openslo/*/examples/`, Apache-2.0).
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import FIXTURES  # beside the repo, or $SLOFORGE_FIXTURES

SLOTH = FIXTURES / "sloth"
OPENSLO = FIXTURES / "openslo"
WINDOWS = SLOTH / "windows"
HERE = Path(__file__).parent
PYRRA = HERE / "pyrra"
GOLDEN = HERE / "golden"
UPDATE = bool(os.environ.get("SLOFORGE_UPDATE_GOLDEN"))

SLOTH_FILES = sorted(SLOTH.glob("*.yml"))
OPENSLO_FILES = sorted(OPENSLO.glob("*/*.yaml"))
PYRRA_FILES = sorted(PYRRA.glob("*.yaml"))
# Sloth examples that use a plugin sloforge cannot run: they must fail with one error.
PLUGIN_FILES = {"victoria-metrics.yml"}
COMPILING = [p for p in SLOTH_FILES if p.name not in PLUGIN_FILES]


def root(path: Path) -> Path:
    """The folder a case's paths are written relative to (in headers and messages)."""
    return HERE if path.is_relative_to(HERE) else FIXTURES


def relative(path: Path) -> str:
    base = root(path)
    return path.relative_to(base).as_posix() if path.is_relative_to(base) else str(path)


def cases() -> list[tuple[str, list[Path], str]]:
    """(id, input files, Sloth period): every fixture alone, plus the AlertWindows catalogues."""
    files = SLOTH_FILES + OPENSLO_FILES + PYRRA_FILES
    out = [(relative(p).replace("/", "-").rsplit(".", 1)[0], [p], "30d") for p in files]
    out.append(("sloth-getting-started+windows-custom-30d", [SLOTH / "getting-started.yml",
                                                            WINDOWS / "custom-30d.yaml"], "30d"))
    out.append(("sloth-kubernetes-apiserver+windows-7d", [SLOTH / "kubernetes-apiserver.yml",
                                                         WINDOWS / "7d.yaml"], "7d"))
    return out


def compile_files(paths: list[Path], period: str = "30d") -> tuple[dict[str, str], list[str]]:
    """Rule files by name (or, for invalid input, {}) and every problem line, paths relative to their root."""
    import contextlib

    from sloforge import durations
    from sloforge import outputs as targets
    from sloforge.errors import SpecError
    from sloforge.load.options import LoadOptions
    from sloforge.packaging import PACKAGINGS
    from sloforge.pipeline import load_catalog

    with contextlib.chdir(root(paths[0])):
        try:
            catalog, warnings = load_catalog([relative(p) for p in paths],
                                             LoadOptions(durations.parse(period)))
        except SpecError as exc:
            return {}, [str(p) for p in exc.problems]
        files = targets.files(catalog, targets.Context(PACKAGINGS["prometheus"]))
    # Only the rule files: dashboards and other producers have golden tests of their own.
    return {f.path: f.content for f in files if f.rules_text is not None}, [str(p) for p in warnings]
