"""The plan of a change: both catalogs loaded the same way, compared, most important first."""

from __future__ import annotations

import contextlib
from pathlib import Path

from sloforge.load.options import LoadOptions
from sloforge.model.catalog import Catalog, Slo
from sloforge.plan import base
from sloforge.plan.changes import Plan, compare_journeys, compare_slo, compare_slos, slo_key
from sloforge.plan.outputs import alertmanager_config, compare_contract, compare_files, compare_routing
from sloforge.prometheus_api import Client


def plan_change(paths: list[str], options: LoadOptions, ref: str | None, base_dir: Path | None,
                client: Client | None = None, end: int | None = None) -> Plan:
    """The plan of the specs under `paths`: the working tree against the base (a git ref, or
    an older copy in a folder), whose tree is extracted once and read at the same paths."""
    from sloforge.load.catalog import load_catalog

    new, _ = load_catalog(paths, options)
    source = base.git_tree(ref, Path.cwd()) if ref is not None else base.folder(base_dir or Path("."))
    with source as root:
        with contextlib.chdir(root):
            existing = [p for p in paths if Path(p).exists()]
            # specs that did not exist yet at the base: everything is added
            old = load_catalog(existing, options)[0] if existing else Catalog()
        return plan(old, new, root, client, end)


def plan(old: Catalog, new: Catalog, old_root: Path | None = None, client: Client | None = None,
         end: int | None = None) -> Plan:
    from sloforge.outputs import Settings
    from sloforge.pipeline import output_context

    result = Plan()
    pairs = compare_slos(old, new, result)
    for before, after in pairs:
        compare_slo(before, after, result)
    compare_journeys(old, new, result)
    compare_contract(pairs, result)
    new_context = output_context(new, Settings(), "prometheus")
    if old_root is not None:
        with contextlib.chdir(old_root):
            old_context = output_context(old, Settings(), "prometheus")
    else:
        old_context = output_context(old, Settings(), "prometheus")
    compare_routing(old, new, alertmanager_config(old, old_context), alertmanager_config(new, new_context), result)
    compare_files(old, new, old_context, new_context, result)
    if client is not None and end is not None:
        from sloforge.plan.history import measure_changes

        touched: list[tuple[Slo | None, Slo]] = [(a, b) for a, b in pairs if a != b]
        touched += [(None, s) for s in new.slos if slo_key(s) not in {slo_key(b) for _, b in pairs}]
        measure_changes(result, touched, client, end)
    result.sort()
    return result
