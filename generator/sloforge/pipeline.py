"""The recipe: load -> compile and render -> check -> write.

    load      load/catalog.py: spec files -> one frozen Catalog (formats, then overlays)
    produce   incremental/produce.py: each output producer compiles and renders what
              changed; promtool checks rule files in the background meanwhile
    check     amtool on the Alertmanager config; promtool's findings
    write     write.py: atomic, only files sloforge owns; or compare (--check)

Nothing here prints or exits; the CLI turns Results and SloforgeErrors into
output and exit codes. docs/architecture.md maps the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sloforge import write
from sloforge.check import tools as check
from sloforge.errors import CheckError, OutOfDate, Problem, SpecError
from sloforge.incremental import cache as incremental
from sloforge.load.catalog import load_catalog
from sloforge.load.options import LoadOptions
from sloforge.model.catalog import Catalog
from sloforge.outputs.base import OutputFile, Settings

if TYPE_CHECKING:  # the output side loads in generate(), not in validate() (the pre-commit path)
    from sloforge.incremental.produce import Produced
    from sloforge.outputs import Context, Progress

__all__ = ["Options", "Result", "build", "generate", "load_catalog", "output_context", "validate"]


@dataclass
class Options:
    paths: list[str]
    out: Path = Path("out")
    target: str = "prometheus"  # a packaging (packaging/__init__.py)
    check_only: bool = False  # `generate --check`: compare, write nothing
    run_promtool: bool = True
    use_cache: bool = True  # incremental: reuse unchanged specs' results (incremental/cache.py)
    run_amtool: bool = True
    settings: Settings = field(default_factory=Settings)
    load: LoadOptions = field(default_factory=LoadOptions)
    progress: Progress | None = None  # called after each service is produced


@dataclass
class Result:
    catalog: Catalog
    files: list[OutputFile] = field(default_factory=list)  # rendered this run
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: write.Plan | None = None
    kept: list[str] = field(default_factory=list)  # not rendered: unchanged since the last run

    @property
    def file_count(self) -> int:
        return len(self.files) + len(self.kept)


def validate(paths: list[str], load: LoadOptions | None = None) -> tuple[Catalog, list[Problem]]:
    """Load and check every spec; the catalog and its warnings."""
    return load_catalog(paths, load)


def generate(options: Options) -> Result:
    from sloforge.incremental.produce import produce
    from sloforge.outputs.alertmanager import catch_all_problems
    from sloforge.outputs.alertmanager import notes as alertmanager_notes

    with incremental.opened(options.out, options.use_cache, prune=not options.check_only) as store:
        catalog, warnings = load_catalog(options.paths, options.load, store)
        result = Result(catalog, warnings=warnings)
        context = output_context(catalog, options.settings, options.target, store)
        packaging_problems = context.packaging.catalog_problems(catalog, options.settings)
        if packaging_problems:
            raise SpecError(packaging_problems)
        checker = _rule_checker(options, result.notes)
        result.notes.extend(alertmanager_notes(catalog, options.settings, context.packaging))
        result.warnings.extend(catch_all_problems(catalog, context))
        try:
            produced = produce(catalog, context, options.out, store, checker, options.progress)
        finally:
            if checker is not None:
                checker.close()
        result.files, result.kept = produced.files, produced.kept
        if not result.files and not result.kept:
            raise SpecError([Problem(", ".join(options.paths), None, "", "no SLOs found: nothing to generate")])
        if produced.problems:
            raise CheckError(produced.problems)
        result.notes.extend(context.packaging.file_notes(result.files))
        _check_alertmanager(options, result)
        _write(options, result, produced, store)
    return result


def build(catalog: Catalog, options: Options) -> list[OutputFile]:
    """Every output file, rendered afresh (no cache, no checks)."""
    from sloforge import outputs

    return outputs.files(catalog, output_context(catalog, options.settings, options.target))


def output_context(catalog: Catalog, settings: Settings, target: str,
                   store: incremental.Cache | None = None) -> Context:
    """What the producers package with. The user's Alertmanager base is read here, before
    anything is produced: only when there is routing and the packaging merges into a base."""
    from sloforge.load.alertmanager_base import load_base
    from sloforge.outputs import Context
    from sloforge.packaging import PACKAGINGS

    packaging = PACKAGINGS[target]
    base = None
    if catalog.routing is not None and packaging.uses_alertmanager_base:
        path = settings.alertmanager_base or catalog.routing.alertmanager_base
        if path:
            base = load_base(path)
    return Context(packaging, settings, base, shapes=store)


def _rule_checker(options: Options, notes: list[str]) -> check.RuleChecker | None:
    if not options.run_promtool:
        return None
    if check.find_tool("promtool"):
        return check.RuleChecker()
    notes.append(f"promtool not found, rule files not checked: {check.INSTALL_HINT['promtool']}")
    return None


def _check_alertmanager(options: Options, result: Result) -> None:
    if not options.run_amtool or all(f.alertmanager_text is None for f in result.files):
        return
    if not check.find_tool("amtool"):
        result.notes.append(f"amtool not found, Alertmanager config not checked: {check.INSTALL_HINT['amtool']}")
        return
    configs = {f.path: f.alertmanager_text for f in result.files if f.alertmanager_text is not None}
    problems = check.check_alertmanager_texts(configs)
    if problems:
        raise CheckError(problems)


def _write(options: Options, result: Result, produced: Produced, store: incremental.Cache | None) -> None:
    contents = {f.path: f.content for f in result.files}
    same = produced.same | set(result.kept)
    if options.check_only:
        result.plan = write.plan(options.out, contents, same)
        if result.plan.changes:
            raise OutOfDate(list(result.plan.changes))
        return
    result.plan = write.apply(options.out, contents, same)
    if store is not None:
        for path in result.plan.write:
            if path in produced.keys:
                store.outputs.holds(options.out, path, produced.keys[path])
