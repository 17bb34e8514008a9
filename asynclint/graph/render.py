"""Graph output formats: small pure functions from a :class:`TaskGraph` to text.

Add a format by adding a function to :data:`GRAPH_FORMATS`; ``asynclint graph --format``
offers every key.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Callable

from asynclint.graph.records import DATA, JOB, RESOURCE, SEQUENCE, Edge, GraphNode, Job, Wait

if TYPE_CHECKING:
    from asynclint.graph.build import TaskGraph

EDGE_STYLE = {
    SEQUENCE: 'color="gray60", style=dashed',
    DATA: 'color="blue"',
    JOB: 'color="red", penwidth=2',
    RESOURCE: 'color="darkorange", style=bold',
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _edge_text(edge: Edge) -> str:
    return f"{edge.kind}: {edge.label}" if edge.label else edge.kind


def render_dot(graph: "TaskGraph") -> str:
    """Graphviz ``dot``: one cluster per run, edges labelled ``kind: variable-or-path``."""
    ids = {node.key: f"n{number}" for number, node in enumerate(graph.nodes)}
    lines = ["digraph asynclint {", "  rankdir=TB;", '  node [shape=box, fontname="monospace"];']
    runs: dict[int, list[GraphNode]] = {}
    for node in graph.nodes:
        runs.setdefault(node.run, []).append(node)
    for run, members in runs.items():
        lines.append(f"  subgraph cluster_{run} {{")
        lines.append(f"    label={_quote(_run_title(members[0]))};")
        for node in members:
            shape = ", style=filled, fillcolor=mistyrose" if graph.job(node) else ""
            lines.append(f"    {ids[node.key]} [label={_quote(node.label)}{shape}];")
        lines.append("  }")
    for edge in graph.edges():
        lines.append(
            f"  {ids[edge.source]} -> {ids[edge.target]} "
            f"[label={_quote(_edge_text(edge))}, {EDGE_STYLE[edge.kind]}];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"


def _run_title(first: GraphNode) -> str:
    """The playbook a run comes from (its first play's name too), or the lone task file."""
    path = first.key.via[0][0] if first.key.via else first.task.source.path
    name = first.play.name if first.play is not None else None
    return f"{path}: {name}" if name else path


def _wait_json(wait: Wait) -> dict[str, object]:
    return {"task": wait.node.key.ident, "label": wait.node.label, "via": wait.via,
            "problem": wait.problem}


def _job_json(job: Job) -> dict[str, object]:
    return {
        "launch": job.node.key.ident,
        "label": job.node.label,
        "mode": job.mode,
        "register": job.register,
        "looped": job.looped,
        "guarded": bool(job.guards),
        "waits": [_wait_json(wait) for wait in job.waits],
        "cleanups": [_wait_json(wait) for wait in job.cleanups],
    }


def render_json(graph: "TaskGraph") -> str:
    """Nodes, edges and jobs as one JSON document."""
    data = {
        "nodes": [
            {"id": node.key.ident, "label": node.label, "path": node.task.source.path,
             "line": node.line, "section": node.section, "run": node.run,
             "in_flight": [job.node.key.ident for job in graph.in_flight_at(node)]}
            for node in graph.nodes
        ],
        "edges": [
            {"source": edge.source.ident, "target": edge.target.ident, "kind": edge.kind,
             "label": edge.label}
            for edge in graph.edges()
        ],
        "jobs": [_job_json(job) for job in graph.jobs()],
    }
    return json.dumps(data, indent=2) + "\n"


MERMAID_ARROW = {SEQUENCE: "-.->", DATA: "-->", JOB: "==>", RESOURCE: "-->"}


def _mermaid_text(text: str) -> str:
    return '"' + text.replace('"', "#quot;") + '"'


def render_mermaid(graph: "TaskGraph") -> str:
    """A Mermaid flowchart (GitHub renders it in Markdown): launches as stadiums, waits as
    hexagons, job edges thick; on a parallelized playbook it draws the plan."""
    ids = {node.key: f"n{number}" for number, node in enumerate(graph.nodes)}
    waits = {wait.node.key for job in graph.jobs() for wait in (*job.waits, *job.cleanups)}
    lines = ["flowchart TD"]
    for node in graph.nodes:
        label = _mermaid_text(node.label)
        job = graph.job(node)
        shape = (f"([{label}])" if job is not None and job.is_launch else
                 f"{{{{{label}}}}}" if node.key in waits else f"[{label}]")
        lines.append(f"  {ids[node.key]}{shape}")
    for edge in graph.edges():
        text = f"|{_mermaid_text(_edge_text(edge))}|" if edge.kind != SEQUENCE else ""
        lines.append(f"  {ids[edge.source]} {MERMAID_ARROW[edge.kind]}{text} {ids[edge.target]}")
    return "\n".join(lines) + "\n"


GRAPH_FORMATS: dict[str, Callable[["TaskGraph"], str]] = {
    "dot": render_dot,
    "json": render_json,
    "mermaid": render_mermaid,
}
