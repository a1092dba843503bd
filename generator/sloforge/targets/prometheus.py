"""Plain Prometheus rule files (also read by Thanos/Mimir rulers and vmalert)."""

from __future__ import annotations

from sloforge import conventions as c
from sloforge.compile.groups import rule_groups
from sloforge.model import Catalog
from sloforge.render import yaml_file
from sloforge.targets import OutputFile, Settings

NAME = "prometheus"
HELP = "Prometheus rule files: out/prometheus/<service>.yml"


def files(catalog: Catalog, settings: Settings) -> list[OutputFile]:
    out = []
    for service in catalog.services:
        if not service.slos:
            continue  # never write an empty rule file
        text = yaml_file({"groups": rule_groups(service)}, [service.source])
        out.append(OutputFile(c.rule_file(service.name), text, (service.source,), rules_text=text))
    return out
