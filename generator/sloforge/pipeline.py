"""The recipe: load -> validate -> model -> compile/render -> check -> write.

Nothing here prints or exits; the CLI turns Results and SloforgeErrors into
output and exit codes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sloforge import cache, check, targets, write
from sloforge.errors import OutOfDate, Problem, SpecError
from sloforge.load import cached, formats
from sloforge.load import routing as routing_format
from sloforge.load.documents import Document
from sloforge.load.options import LoadOptions
from sloforge.model import Catalog, Service
from sloforge.targets import OutputFile, Settings


@dataclass
class Options:
    paths: list[str]
    out: Path = Path("out")
    target: str = "prometheus"
    check_only: bool = False  # `generate --check`: compare, write nothing
    run_promtool: bool = True
    use_cache: bool = True  # incremental: reuse unchanged specs' results (sloforge/cache.py)
    run_amtool: bool = True
    settings: Settings = field(default_factory=Settings)
    load: LoadOptions = field(default_factory=LoadOptions)


@dataclass
class Result:
    catalog: Catalog
    files: list[OutputFile] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    plan: write.Plan | None = None


def load_catalog(paths: list[str], load: LoadOptions | None = None) -> tuple[Catalog, list[Problem]]:
    """Every spec under `paths` as one Catalog; raises SpecError with all problems."""
    documents, cached_services, cached_warnings, digests = cached.load(paths)
    modules = formats()
    claimed: dict[str, list[Document]] = {module.NAME: [] for module in modules}
    problems: list[Problem] = []
    for document in documents:
        module = next((m for m in modules if m.claims(document)), None)
        if module is None:
            problems.append(_unknown_document(document))
        else:
            claimed[module.NAME].append(document)
    services: list[Service] = list(cached_services)
    problems.extend(cached_warnings)
    for module in modules:
        if claimed[module.NAME]:
            if getattr(module, "TAKES_OPTIONS", False):
                found, format_problems = module.services_from(claimed[module.NAME], load or LoadOptions())
            else:
                found, format_problems = module.services_from(claimed[module.NAME])
            services.extend(found)
            problems.extend(format_problems)
    problems.extend(_cross_file_problems(services, documents))
    routing, routing_problems = routing_format.routing_from(claimed[routing_format.NAME])
    problems.extend(routing_problems + routing_format.owner_problems(routing, services, documents))
    errors = [p for p in problems if not p.warning]
    if errors:
        raise SpecError(problems)
    cached.remember(digests, claimed, services, problems)
    catalog = Catalog(services=tuple(sorted(services, key=lambda s: s.name)), routing=routing)
    return catalog, [p for p in problems if p.warning]


def _unknown_document(document: Document) -> Problem:
    data = document.data
    if not isinstance(data, dict):
        return document.problem((), "expected a mapping with apiVersion and kind at the top level")
    api, kind = data.get("apiVersion", data.get("version")), data.get("kind")
    expected = "; ".join(m.EXPECTED for m in formats())
    if api is None:
        return document.problem((), f"document has no apiVersion; expected {expected}")
    return document.problem(("apiVersion",), f"unsupported document apiVersion {api!r} kind {kind!r}; "
                            f"expected {expected}")


def _cross_file_problems(services: list[Service], documents: list[Document]) -> list[Problem]:
    problems = []
    first: dict[str, Service] = {}
    for service in services:
        if service.name in first:
            other = first[service.name]
            problems.append(Problem(service.source, None, "service",
                                    f"service '{service.name}' is already defined in {other.source}; "
                                    "service names must be unique across specs"))
        else:
            first[service.name] = service
    return problems


def build(catalog: Catalog, options: Options) -> list[OutputFile]:
    return targets.files(catalog, options.settings, options.target)


def check_files(files: list[OutputFile]) -> list[Problem]:
    texts = {f.path: f.rules_text for f in files if f.rules_text is not None}
    return check.check_rule_texts(texts)


def check_alertmanager_files(files: list[OutputFile]) -> list[Problem]:
    configs = {f.path: f.alertmanager_text for f in files if f.alertmanager_text is not None}
    return check.check_alertmanager_texts(configs)


def generate(options: Options) -> Result:
    with cache.activated(cache.default_root(options.out) if options.use_cache else None,
                         prune=not options.check_only):
        catalog, warnings = load_catalog(options.paths, options.load)
        files = build(catalog, options)
    result = Result(catalog, files, warnings)
    from sloforge.targets import alertmanager as targets_alertmanager

    result.notes.extend(targets_alertmanager.notes(catalog, options.settings, options.target))
    if not files:
        raise SpecError([Problem(", ".join(options.paths), None, "", "no SLOs found: nothing to generate")])
    if options.run_promtool:
        if check.find_tool("promtool"):
            # A file identical to the one in OUT was checked when it was written.
            changed = set(write.plan(options.out, {f.path: f.content for f in files}).write)
            problems = check_files([f for f in files if f.path in changed])
            if problems:
                from sloforge.errors import CheckError

                raise CheckError(problems)
        else:
            result.notes.append(f"promtool not found, rule files not checked: {check.INSTALL_HINT['promtool']}")
    if options.run_amtool and any(f.alertmanager_text is not None for f in files):
        if check.find_tool("amtool"):
            problems = check_alertmanager_files(files)
            if problems:
                from sloforge.errors import CheckError

                raise CheckError(problems)
        else:
            result.notes.append(f"amtool not found, Alertmanager config not checked: {check.INSTALL_HINT['amtool']}")
    contents = {f.path: f.content for f in files}
    if options.check_only:
        result.plan = write.plan(options.out, contents)
        if result.plan.changes:
            raise OutOfDate(list(result.plan.changes))
        return result
    result.plan = write.apply(options.out, contents)
    return result


def validate(paths: list[str], load: LoadOptions | None = None) -> tuple[Catalog, list[Problem]]:
    return load_catalog(paths, load)
