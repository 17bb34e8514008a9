"""The task dependency graph: tasks in run order, the edges between them, and the jobs.

Built once per lint from the execution flows (``build_graph(project, flows)``). Edges have a
kind: ``sequence`` (run order), ``data`` (a task reads a variable an earlier ``register`` or
``set_fact`` produced), ``job`` (a ``poll: 0`` launch to each ``async_status`` reading its
job id, directly, through ``item``, a ``loop_var``, a list or a ``set_fact`` alias) and
``resource`` (tasks touching the same path or the package manager lock). networkx is used
only inside this package, and loaded only when a graph is built; rules use the
:class:`TaskGraph` methods.
"""

from asynclint.graph.records import (
    DATA,
    EDGE_KINDS,
    JOB,
    RESOURCE,
    SEQUENCE,
    Edge,
    GraphNode,
    Job,
    ResultRead,
    TaskKey,
    Wait,
)
from asynclint.graph.render import GRAPH_FORMATS

_BUILDERS = ("TaskGraph", "build_graph")


def __getattr__(name: str) -> object:
    """``build_graph`` and ``TaskGraph``, imported on first use (they need networkx)."""
    if name in _BUILDERS:
        from asynclint.graph import build

        return getattr(build, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = [
    "DATA", "EDGE_KINDS", "GRAPH_FORMATS", "JOB", "RESOURCE", "SEQUENCE", "Edge", "GraphNode",
    "Job", "ResultRead", "TaskGraph", "TaskKey", "Wait", "build_graph",
]
