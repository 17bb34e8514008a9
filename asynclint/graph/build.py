"""Build the :class:`TaskGraph` from execution flows; networkx stays inside this package."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterator, Mapping

from asynclint.graph.records import (
    DATA,
    RESOURCE,
    SEQUENCE,
    Edge,
    GraphNode,
    Job,
    ResultRead,
    TaskKey,
    Wait,
)
from asynclint.graph.resources import conflict, touches
from asynclint.graph.tracking import RunFacts, walk_run
from asynclint.model import Project
from asynclint.model.flow import Flow, Step
from asynclint.structs import struct

if TYPE_CHECKING:
    import networkx as nx


@struct(frozen=True, eq=False)
class TaskGraph:
    """Tasks in run order with their sequence, data, job and resource edges, and the jobs.

    Rules ask it questions through the methods below and never see networkx.
    """

    nodes: tuple[GraphNode, ...]
    _all_edges: Callable[[], tuple[Edge, ...]]
    _jobs: tuple[Job, ...]
    _reads: tuple[ResultRead, ...]
    _by_step: Mapping[Step, GraphNode]
    _job_by_node: Mapping[GraphNode, Job]
    _launches: Mapping[int, tuple[tuple[Job, int], ...]]  # per run: launches, first wait

    @cached_property
    def _edges(self) -> tuple[Edge, ...]:
        return self._all_edges()

    @cached_property
    def _digraph(self) -> "nx.MultiDiGraph":
        """The edges as a networkx graph, built (and networkx imported) on first use."""
        import networkx as nx

        digraph = nx.MultiDiGraph()
        digraph.add_nodes_from(node.key for node in self.nodes)
        for edge in self._edges:
            digraph.add_edge(edge.source, edge.target, kind=edge.kind, label=edge.label)
        return digraph

    def node(self, step: Step) -> GraphNode:
        return self._by_step[step]

    def jobs(self) -> tuple[Job, ...]:
        """Every task run with ``async``, in run order."""
        return self._jobs

    def job(self, node: GraphNode) -> Job | None:
        """The job a task starts, if it runs with ``async``."""
        return self._job_by_node.get(node)

    def shared_resource(self, first: GraphNode, second: GraphNode) -> str | None:
        """A path or lock both tasks touch, one of them writing it."""
        return conflict(first.task, second.task)

    def waits_for(self, node: GraphNode) -> tuple[Wait, ...]:
        """The jobs an ``async_status`` task reads the job id of (waits and cleanups)."""
        return tuple(
            wait for job in self._jobs for wait in (*job.waits, *job.cleanups) if wait.node is node
        )

    def in_flight_at(self, node: GraphNode) -> tuple[Job, ...]:
        """``poll: 0`` jobs launched before ``node`` and still running when it starts (a wait
        sees the jobs it waits for)."""
        found = []
        for job, done_at in self._launches.get(node.run, ()):
            if job.node.index >= node.index:
                break
            if done_at >= node.index:
                found.append(job)
        return tuple(found)

    def reads(self) -> tuple[ResultRead, ...]:
        """Every read of a job's registered result (directly, through an alias or a loop)."""
        return self._reads

    def edges(self, kind: str | None = None) -> tuple[Edge, ...]:
        return tuple(edge for edge in self._edges if kind is None or edge.kind == kind)

    def depends_on(self, later: GraphNode, earlier: GraphNode,
                   kinds: tuple[str, ...] = (DATA, RESOURCE)) -> bool:
        """True when a path of ``kinds`` edges (data and resource by default) leads from
        ``earlier`` to ``later``."""
        import networkx as nx

        view = nx.subgraph_view(
            self._digraph, filter_edge=lambda u, v, k: self._digraph.edges[u, v, k]["kind"] in kinds
        )
        return nx.has_path(view, earlier.key, later.key)

    def to_dot(self) -> str:
        from asynclint.graph.render import render_dot

        return render_dot(self)

    def to_json(self) -> str:
        from asynclint.graph.render import render_json

        return render_json(self)


def _runs(flows: tuple[Flow, ...]) -> list[list[Flow]]:
    """Flows grouped by playbook (all its plays, in order); each lone task file is a run."""
    runs: dict[object, list[Flow]] = {}
    for flow in flows:
        owner: object = flow.document if flow.play is not None else flow
        runs.setdefault(owner, []).append(flow)
    return list(runs.values())


def _key(flow: Flow, step: Step) -> TaskKey:
    via = tuple((include.source.path, include.path) for include in step.includes)
    first = step.includes[0] if step.includes else step.task
    if flow.play is not None and first.source.path != flow.document.path:
        via = ((flow.document.path, flow.play.path), *via)
    return TaskKey(step.task.source.path, step.task.path, via)


def _nodes(runs: list[list[Flow]]) -> Iterator[GraphNode]:
    seen: dict[TaskKey, int] = {}
    for number, run in enumerate(runs):
        index = 0
        for flow in run:
            for step in flow.steps:
                key = _key(flow, step)
                if key in seen:
                    seen[key] += 1
                    key = TaskKey(key.path, key.tree, key.via, seen[key])
                else:
                    seen[key] = 0
                yield GraphNode(key, step, number, index, flow.section, flow.play)
                index += 1


def _sequence(run: tuple[GraphNode, ...]) -> Iterator[Edge]:
    for before, after in zip(run, run[1:]):
        yield Edge(before.key, after.key, SEQUENCE)


def _resources(run: tuple[GraphNode, ...]) -> Iterator[Edge]:
    """Each task to the tasks before it that touch the same resource, one of the two writing."""
    last: dict[str, list[tuple[GraphNode, bool]]] = {}
    for node in run:
        for touch in touches(node.task):
            for earlier, writes in last.get(touch.resource, ()):
                if writes or touch.writes:
                    yield Edge(earlier.key, node.key, RESOURCE, touch.resource)
            last.setdefault(touch.resource, []).append((node, touch.writes))


def _launches(run: tuple[GraphNode, ...], jobs: tuple[Job, ...]) -> tuple[tuple[Job, int], ...]:
    """The ``poll: 0`` jobs of a run in launch order, each with the index of its first wait
    (past the end when nothing waits); the jobs in flight at a node are read from it on
    demand, so memory stays linear however many jobs are never awaited."""
    end = len(run)
    return tuple((job, min((wait.node.index for wait in job.waits), default=end))
                 for job in sorted((job for job in jobs if job.is_launch),
                                   key=lambda job: job.node.index))


def _run_edges(run: tuple[GraphNode, ...], facts: RunFacts) -> list[Edge]:
    return [*_sequence(run), *facts.edges, *_resources(run)]


NO_FACTS = RunFacts((), (), ())


def _may_hold_jobs(run: tuple[GraphNode, ...]) -> bool:
    """False for a run where no task has ``async``: without data edges its walk finds
    nothing, since every job, read and job edge starts at an ``async`` task."""
    return any(node.task.has("async") for node in run)


def build_graph(project: Project, flows: tuple[Flow, ...], data: bool = True) -> TaskGraph:
    """The graph of every run of tasks in ``flows``.

    ``project`` is the model the flows were read from; the flows already carry every task.
    Without ``data``, the edges (data edges need every variable reference of every task) are
    worked out on first use: jobs, waits and reads alone are cheaper to find.
    """
    nodes = tuple(_nodes(_runs(flows)))
    grouped: dict[int, list[GraphNode]] = {}
    for node in nodes:
        grouped.setdefault(node.run, []).append(node)
    runs = [tuple(members) for members in grouped.values()]
    edges: list[Edge] = []
    jobs: list[Job] = []
    reads: list[ResultRead] = []
    launches: dict[int, tuple[tuple[Job, int], ...]] = {}
    for run in runs:
        facts = walk_run(run, data) if data or _may_hold_jobs(run) else NO_FACTS
        if data:
            edges += _run_edges(run, facts)
        jobs += facts.jobs
        reads += facts.reads
        if run:
            launches[run[0].run] = _launches(run, facts.jobs)
    if data:
        known = tuple(edges)
        all_edges: Callable[[], tuple[Edge, ...]] = lambda: known
    else:
        all_edges = lambda: tuple(edge for run in runs
                                  for edge in _run_edges(run, walk_run(run, True)))
    return TaskGraph(
        nodes, all_edges, tuple(jobs), tuple(reads),
        {node.step: node for node in nodes}, {job.node: job for job in jobs}, launches,
    )
