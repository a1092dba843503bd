"""`sloforge graph`: services, journeys and dependencies as Mermaid or DOT text.

Services are boxes listing their SLOs' objectives; a hard dependency is a solid
arrow, a soft one dashed, labelled with the SLO it names (if any); a journey is a
rounded node with thick arrows to the services of its steps. Nodes get ids by
position (s0, s1, j0), so any name is safe in either language and the output is
byte-stable for the same catalog (services and journeys in name order).
"""

from __future__ import annotations

from dataclasses import dataclass

from sloforge.model.catalog import Catalog

FORMATS = ("mermaid", "dot")


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    lines: tuple[str, ...]  # first the name, then one line per objective
    journey: bool = False


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    style: str  # "hard" | "soft" | "step"
    label: str


def graph(catalog: Catalog) -> tuple[list[Node], list[Edge]]:
    services = sorted(catalog.services, key=lambda s: s.name)
    ids = {s.name: f"s{i}" for i, s in enumerate(services)}
    nodes = [Node(ids[s.name], (s.name, *(f"{slo.name} {_percent(slo.objective)}" for slo in s.slos)))
             for s in services]
    edges = [Edge(ids[s.name], ids[d.service], d.kind, f"{d.kind}{': ' + d.slo if d.slo else ''}")
             for s in services for d in s.dependencies if d.service in ids]
    for index, journey in enumerate(sorted(catalog.journeys, key=lambda j: j.name)):
        node = f"j{index}"
        nodes.append(Node(node, (f"journey {journey.name}", _percent(journey.objective)), journey=True))
        edges.extend(Edge(node, ids[step.service], "step", f"step {number}: {step.slo}")
                     for number, step in enumerate(journey.steps, start=1) if step.service in ids)
    return nodes, edges


def has_relations(catalog: Catalog) -> bool:
    """Whether there is anything to draw besides lone services."""
    return bool(catalog.journeys) or any(s.dependencies for s in catalog.services)


def mermaid(catalog: Catalog) -> str:
    nodes, edges = graph(catalog)
    arrows = {"hard": "-->", "soft": "-.->", "step": "==>"}
    out = ["flowchart LR"]
    for node in nodes:
        label = "<br/>".join(_mermaid_text(line) for line in node.lines)
        out.append(f'  {node.id}(["{label}"])' if node.journey else f'  {node.id}["{label}"]')
    for edge in edges:
        out.append(f'  {edge.source} {arrows[edge.style]}|"{_mermaid_text(edge.label)}"| {edge.target}')
    return "\n".join(out) + "\n"


def dot(catalog: Catalog) -> str:
    nodes, edges = graph(catalog)
    styles = {"hard": "solid", "soft": "dashed", "step": "bold"}
    out = ["digraph slos {", "  rankdir=LR;", '  node [shape=box, fontname="Helvetica"];',
           '  edge [fontname="Helvetica", fontsize=10];']
    for node in nodes:
        shape = ", shape=ellipse, style=bold" if node.journey else ""
        out.append(f'  {node.id} [label="{_dot_lines(node.lines)}"{shape}];')
    for edge in edges:
        out.append(f'  {edge.source} -> {edge.target} [label="{_dot_text(edge.label)}", style={styles[edge.style]}];')
    out.append("}")
    return "\n".join(out) + "\n"


def draw(catalog: Catalog, format_: str) -> str:
    return dot(catalog) if format_ == "dot" else mermaid(catalog)


def _percent(value: float) -> str:
    return f"{round(value, 6):.12g}%"


def _mermaid_text(text: str) -> str:
    """Inside a quoted Mermaid label only `"` (and `#`, which starts an entity) are special."""
    return text.replace("#", "#35;").replace('"', "#quot;")


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot_lines(lines: tuple[str, ...]) -> str:
    return "\\n".join(_dot_text(line) for line in lines)
