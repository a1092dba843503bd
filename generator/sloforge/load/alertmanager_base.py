"""The user's own alertmanager.yml (`--alertmanager-base`), read as Alertmanager reads it.

Alertmanager parses YAML with Go's yaml.v2, which has no base-60 numbers:
`end_time: 17:00` is text there, but PyYAML's YAML 1.1 resolver would turn it
into the integer 1020. The base is therefore composed with a resolver without
sexagesimal ints and floats, and duplicate keys are refused (yaml.v2 refuses
them too). Values keep their order so the merged file reads like the base.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor

from sloforge.errors import Problem, SpecError
from sloforge.load.documents import FieldPath, field_text


class _GoLikeLoader(yaml.SafeLoader):
    pass


_GoLikeLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers
          if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
                         "tag:yaml.org,2002:timestamp")]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_GoLikeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"))
_GoLikeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?"
               r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"),
    list("-+0123456789."))


_SCALARS = SafeConstructor()


@dataclass(slots=True)
class BaseConfig:
    path: str
    data: dict[str, Any]
    lines: dict[FieldPath, int] = field(default_factory=dict)

    def line(self, path: FieldPath) -> int | None:
        for cut in range(len(path), -1, -1):
            found = self.lines.get(tuple(path[:cut]))
            if found is not None:
                return found
        return None

    def problem(self, path: FieldPath, message: str) -> Problem:
        return Problem(self.path, self.line(path), field_text(path), message)


def load_base(path: str) -> BaseConfig:
    """Read and shape-check the base config. Raises SpecError."""
    try:
        text = Path(path).read_text("utf-8")
    except FileNotFoundError:
        raise SpecError([Problem(path, None, "", "--alertmanager-base: no such file")]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError([Problem(path, None, "", f"--alertmanager-base: cannot read file: {exc}")]) from None
    try:
        node = yaml.compose(text, Loader=_GoLikeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SpecError([Problem(path, mark.line + 1 if mark else None, "",
                                 f"YAML syntax error: {(exc.problem or exc.context or '').strip()}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([Problem(path, None, "", f"YAML error: {exc}")]) from None
    base = BaseConfig(path, {})
    data = _build(node, (), base) if node is not None else None
    if not isinstance(data, dict):
        raise SpecError([Problem(path, 1, "", "an Alertmanager config must be a mapping with at least "
                                 "route and receivers")])
    base.data = data
    route = data.get("route")
    if not isinstance(route, dict) or not route.get("receiver"):
        raise SpecError([base.problem(("route",), "the base config needs a route with a default "
                                      "receiver (where alerts go that nothing else matches)")])
    for key in ("receivers", "inhibit_rules", "time_intervals", "mute_time_intervals"):
        if key in data and data[key] is not None and not isinstance(data[key], list):
            raise SpecError([base.problem((key,), "must be a list")])
    if "routes" in route and route["routes"] is not None and not isinstance(route["routes"], list):
        raise SpecError([base.problem(("route", "routes"), "must be a list")])
    return base


def _build(node: yaml.Node, path: FieldPath, base: BaseConfig) -> Any:
    base.lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                merged = _build(value_node, path, base)
                for k, v in (merged.items() if isinstance(merged, dict) else ()):
                    out.setdefault(k, v)
                continue
            key = str(_build(key_node, path, base))
            if key in out:
                raise SpecError([Problem(base.path, key_node.start_mark.line + 1, field_text(path + (key,)),
                                         "duplicate key (Alertmanager refuses the file)")])
            base.lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), base)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), base) for i, item in enumerate(node.value)]
    return _SCALARS.construct_object(node)
