"""Verify a generated output directory with the real tools, one result per file.

`promtool check rules --lint-fatal` on every rule file (PrometheusRule objects
unwrapped), `promtool test rules` on the shipped unit tests, `amtool
check-config` on Alertmanager configs; Kubernetes objects against the API server's
name rules and the Prometheus Operator's CRD schemas (check/kubernetes.py,
in-process). Each tool runs once over all its files;
only when that call fails is each file run alone, so every failure is pinned
to its file without paying one process per file on the happy path.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from sloforge import write
from sloforge.check import kubernetes
from sloforge.check import tools as check
from sloforge.errors import SloforgeError, ToolMissing
from sloforge.packaging import PACKAGINGS


@dataclass(frozen=True, slots=True)
class FileResult:
    path: str
    tool: str
    ok: bool
    summary: str  # "23 rules", "19 tests", or the first line of the failure
    details: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # worth knowing, not a failure (an object too big for client-side apply)


@dataclass(frozen=True, slots=True)
class _Job:
    path: Path  # as reported
    run_path: Path  # what the tool reads (an unwrapped copy for PrometheusRule objects)
    tool: str
    count: str


RULES, TESTS, ALERTMANAGER = "promtool check rules", "promtool test rules", "amtool check-config"
KUBERNETES = "kubernetes object"  # checked in-process: check/kubernetes.py
ALERTMANAGER_CONFIG = "alertmanager/alertmanager.yml"
_TOOL_BINARY = {RULES: "promtool", TESTS: "promtool", ALERTMANAGER: "amtool"}


def candidates(out: Path) -> tuple[list[Path], bool]:
    """Files to look at: the manifest's when there is one, else every YAML file."""
    if not out.is_dir():
        raise SloforgeError(f"{out}: no such directory (run `sloforge generate` first)")
    owned = write.owned(out)
    if owned:
        # The Alertmanager config is checked whoever wrote it: amtool is its only proof.
        owned.add(ALERTMANAGER_CONFIG)
        return sorted(out / name for name in owned if (out / name).is_file()), True
    found: list[Path] = []
    for root, dirs, files in os.walk(out):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in files if f.endswith((".yml", ".yaml")))
    return sorted(found), False


def verify(out: Path) -> list[FileResult]:
    files, _ = candidates(out)
    with tempfile.TemporaryDirectory(prefix="sloforge-verify-") as tmp:
        jobs, results = _classify(files, Path(tmp))
        missing = sorted({_TOOL_BINARY[j.tool] for j in jobs if not check.find_tool(_TOOL_BINARY[j.tool])})
        if missing:
            raise ToolMissing("; ".join(f"{name} not found: {check.INSTALL_HINT[name]}" for name in missing)
                              + " (or run `make tools`)")
        for tool, argv in ((RULES, ["check", "rules", "--lint-fatal"]), (TESTS, ["test", "rules"]),
                           (ALERTMANAGER, ["check-config"])):
            mine = [j for j in jobs if j.tool == tool]
            if mine:
                binary = check.require_tool(_TOOL_BINARY[tool])
                results.extend(_run(mine, _caller([binary, *argv])))
    return sorted(results, key=lambda r: r.path)


def _caller(argv: list[str]) -> Callable[[list[str]], subprocess.CompletedProcess[str]]:
    return lambda paths: check.run([*argv, *paths])


def _classify(files: list[Path], tmp: Path) -> tuple[list[_Job], list[FileResult]]:
    jobs: list[_Job] = []
    results: list[FileResult] = []
    for index, path in enumerate(files):
        if path.suffix == ".md":
            results.extend(_review_result(path))
        if path.suffix not in (".yml", ".yaml"):
            continue
        try:
            data = yaml.safe_load(path.read_text("utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            results.append(FileResult(path.as_posix(), "yaml", False, f"cannot read: {exc}".splitlines()[0]))
            continue
        if not isinstance(data, dict):
            continue
        if kubernetes.is_object(data):
            results.append(_kubernetes_result(path, data))
        groups = _rule_groups(data)
        if groups is data:
            jobs.append(_Job(path, path, RULES, _count_rules(data)))
        elif groups is not None:  # a wrapped rule file (PrometheusRule, Mimir namespace file): unwrapped
            copy = tmp / f"{index:05d}-{path.name}"
            copy.write_text(yaml.safe_dump(groups, sort_keys=False), encoding="utf-8")
            jobs.append(_Job(path, copy, RULES, _count_rules(groups)))
        elif "tests" in data and "rule_files" in data:
            tests = data.get("tests")
            jobs.append(_Job(path, path, TESTS, f"{len(tests) if isinstance(tests, list) else 0} tests"))
        elif "route" in data and "receivers" in data:
            receivers = data.get("receivers")
            count = len(receivers) if isinstance(receivers, list) else 0
            jobs.append(_Job(path, path, ALERTMANAGER, f"{count} receivers"))
    return jobs, results


# The next review date an SLO document carries (compile/docs, templates/slo_document.md.j2).
_NEXT_REVIEW = re.compile(r"^<!-- sloforge: next-review (\d{4}-\d{2}-\d{2}) ", re.MULTILINE)


def _review_result(path: Path) -> list[FileResult]:
    """An SLO document whose review is overdue today: a note, not a failure (the specs may
    not be at hand where OUT is checked, so the date is read from the document)."""
    import datetime

    from sloforge.load.relations import current_date

    found = _NEXT_REVIEW.search(path.read_text("utf-8"))
    if found is None:
        return []
    due = datetime.date.fromisoformat(found.group(1))
    if due >= current_date():
        return []
    note = (f"{path.as_posix()}: warning: the review is overdue since {due.isoformat()}; review the "
            "service's SLOs, set review.last in its spec and regenerate")
    return [FileResult(path.as_posix(), "review date", True, f"next review was {due.isoformat()}", notes=(note,))]


def _kubernetes_result(path: Path, data: dict[str, object]) -> FileResult:
    problems = kubernetes.object_problems(data)
    note = kubernetes.size_note(path.as_posix(), path.read_text("utf-8"))
    metadata = data["metadata"]
    name = metadata.get("name") if isinstance(metadata, dict) else None
    schema = " against the operator's CRD schema" if (data["apiVersion"], data["kind"]) in kubernetes.SCHEMAS else ""
    return FileResult(path.as_posix(), KUBERNETES, not problems,
                      f"{data['kind']} {name}{schema}" if not problems else "FAILED",
                      tuple(problems), (note,) if note else ())


def _rule_groups(data: dict[str, object]) -> dict[str, object] | None:
    """The plain rule file `data` stands for, as the packaging it is a rule file of reads it.
    A wrapped file can look plain too (a Mimir namespace file has `groups` at the top):
    the packaging that unwraps it goes first."""
    plain = None
    for packaging in PACKAGINGS.values():
        groups = packaging.rule_groups(data)
        if groups is data:
            plain = groups
        elif groups is not None:
            return groups
    return plain


def _count_rules(data: dict[str, object]) -> str:
    groups = data.get("groups")
    if not isinstance(groups, list):
        return "0 rules"
    rules = sum(len(g.get("rules") or []) for g in groups if isinstance(g, dict))
    return f"{rules} rules in {len(groups)} groups"


def _run(jobs: list[_Job], call: Callable[[list[str]], subprocess.CompletedProcess[str]]) -> list[FileResult]:
    together = call([j.run_path.as_posix() for j in jobs])
    if together.returncode == 0:
        return [FileResult(j.path.as_posix(), j.tool, True, j.count) for j in jobs]
    results = []
    for job in jobs:
        alone = call([job.run_path.as_posix()])
        if alone.returncode == 0:
            results.append(FileResult(job.path.as_posix(), job.tool, True, job.count))
            continue
        output = (alone.stdout + alone.stderr).replace(job.run_path.as_posix(), job.path.as_posix())
        details = tuple(_detail(line) for line in output.splitlines()
                        if line.strip() and not _noise(line))
        results.append(FileResult(job.path.as_posix(), job.tool, False, "FAILED", details))
    return results


def _noise(line: str) -> bool:
    text = line.strip()
    if text.startswith("Checking ") and "FAILED:" in text:
        return False  # amtool puts its reason on the same line
    return (text.startswith(("Checking ", "Unit Testing:", "amtool: error: failed to validate"))
            or text in ("FAILED:", "SUCCESS"))


def _detail(line: str) -> str:
    text = line.rstrip()
    if text.lstrip().startswith("Checking ") and "FAILED:" in text:
        return text.split("FAILED:", 1)[1].strip()
    return text
