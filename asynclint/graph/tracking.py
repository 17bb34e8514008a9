"""Follow variables through one run of tasks: data edges, jobs, their waits and result reads.

A run is every play of one playbook in order (registered variables and facts outlive their
play), or one task file that no play reaches. Variables are looked up as Ansible would,
roughly: the task's loop variable, then enclosing includes' loop variables, then registered
results and facts, then ``vars:`` on the task, its blocks and includes, then the play's ``vars``.
"""

from __future__ import annotations

from typing import Collection, Iterator

from asynclint.expressions import Reference, value_references
from asynclint.graph.reading import (
    Names,
    entry_reads,
    guards,
    is_cleanup,
    job_mode,
    may_mention,
    mentions,
    set_facts,
    module_args,
    variables_of,
)
from asynclint.graph.records import (
    DATA,
    JOB,
    LOOPED_REGISTER,
    REGISTER_DICT,
    Edge,
    GraphNode,
    Job,
    ResultRead,
    Wait,
)
from asynclint.graph.values import (
    ELEMENT,
    JOB_ID,
    Element,
    Origin,
    is_whole_reference,
    loop_elements,
    reference_origins,
    value_origins,
)
from asynclint.model.readings import is_async_status
from asynclint.structs import struct, field

MAX_ALIAS_DEPTH = 8


@struct
class _Pending:
    """A job while the run is walked (frozen into a :class:`Job` at the end)."""

    node: GraphNode
    mode: str
    waits: list[Wait] = field(default_factory=list)
    cleanups: list[Wait] = field(default_factory=list)
    traceable: bool = True


@struct(frozen=True)
class RunFacts:
    jobs: tuple[Job, ...]
    edges: tuple[Edge, ...]
    reads: tuple[ResultRead, ...]


class _Scope:
    """Variable lookup at one node of the run."""

    def __init__(self, node: GraphNode, state: dict[str, frozenset[Origin]]):
        self.node = node
        self.state = state
        self.play = node.play
        self.depth = 0

    def loop_elements(self, name: str, start: int = 0) -> tuple[Element, ...] | None:
        """What loop variable ``name`` holds, when a loop of the task or its includes binds it.

        A loop's own value is read in the scope around it (``loop: "{{ item }}"`` under an
        include looping with ``item`` reads the include's item), so the search moves outward.
        """
        step = self.node.step
        holders = (step.task, *reversed(step.includes))
        for index in range(start, len(holders)):
            holder = holders[index]
            if holder.loop is not None and holder.loop_var == name:
                outer = index + 1
                return loop_elements(holder.value(holder.loop.name),
                                     lambda inner: self._resolve(inner, outer))
        return None

    def resolve(self, name: str) -> frozenset[Origin]:
        return self._resolve(name, 0)

    def _resolve(self, name: str, start: int) -> frozenset[Origin]:
        elements = self.loop_elements(name, start)
        if elements is not None:
            return frozenset(element.origin for element in elements)
        if name in self.state:
            return self.state[name]
        value = self.node.step.inherited_var(name)
        if value is None and self.play is not None:
            play_vars = self.play.value("vars")
            value = play_vars.get(name) if isinstance(play_vars, dict) else None
        if value is None or self.depth >= MAX_ALIAS_DEPTH:
            return frozenset()
        self.depth += 1
        try:
            return value_origins(value, self.resolve)
        finally:
            self.depth -= 1


def _describe(reference: Reference, origin: Origin, through_loop: bool) -> str:
    """How a wait reaches the job id: ``r.ansible_job_id``, ``item.ansible_job_id (loop over
    r.results)``, ``x.ansible_job_id (alias of r)``."""
    launch = origin.launch.task.register or "?"
    if through_loop:
        chain = origin.attrs[: origin.attrs.index(ELEMENT)] if ELEMENT in origin.attrs else ()
        return f"{reference.dotted} (loop over {'.'.join(map(str, (launch, *chain)))})"
    if reference.name != launch:
        return f"{reference.dotted} (alias of {launch})"
    return reference.dotted


class RunWalker:
    """Walks the nodes of one run once, in order."""

    def __init__(self, nodes: tuple[GraphNode, ...], data: bool = True):
        self.nodes = nodes
        self.data = data
        self.state: dict[str, frozenset[Origin]] = {}
        self.producers: dict[str, GraphNode] = {}
        self.pending: list[_Pending] = []
        self.by_launch: dict[GraphNode, _Pending] = {}
        self.edges: list[Edge] = []
        self.reads: list[ResultRead] = []
        self.live = Names()  # the names of :attr:`state`, kept sorted as it changes

    def walk(self) -> RunFacts:
        for node in self.nodes:
            scope = _Scope(node, self.state)
            self._reads(node, scope)
            if is_async_status(node.task):
                self._wait(node, scope)
            elif node.task.include is not None and node.task.include.resolved is None:
                self._untrace_all()
            self._produce(node, scope)
        jobs = tuple(self._freeze(p) for p in self.pending)
        return RunFacts(jobs, tuple(dict.fromkeys(self.edges)), tuple(self.reads))

    # -- reads ---------------------------------------------------------------------------
    def _live(self, node: GraphNode) -> Names | None:
        """Names through which a value may reach a job result at ``node``; ``None``: any name.

        Every :class:`Origin` starts in :attr:`state`. A loop variable or a ``vars:`` alias
        resolves to the origins of the names its value mentions (:meth:`_Scope.resolve`), so
        it leads to one only when its value mentions a name that does: a value mentioning none
        of these reads no job. With data edges every reference counts.

        Without such a name, the set is :attr:`live` itself (not a copy): a run of thousands
        of jobs would otherwise copy and sort thousands of names at every task.
        """
        if self.data:
            return None
        if not self.state:
            return self.live
        step = node.step
        bound: list[tuple[str, object]] = []  # a name, and the node of the value it is bound to
        for looping in (step.task, *step.includes):
            if looping.loop is not None:
                bound.append((looping.loop_var, looping.node(looping.loop.name)))
        for holder in (step.task, *step.blocks, *step.includes):
            bound += variables_of(holder)
        if node.play is not None:
            bound += variables_of(node.play)
        names = self.live
        grown = True
        while grown:
            grown = False
            for name, value in bound:
                if name not in names and mentions(value, names):
                    if names is self.live:  # a copy: the run's own set stays as it is
                        names = names.union(())
                    names.add(name)
                    grown = True
        return names

    def _reads(self, node: GraphNode, scope: _Scope) -> None:
        task = node.task
        live = self._live(node)
        if live is not None and (not live or not may_mention(task, live)):
            return
        for entry, references in entry_reads(task, live):
            for reference in references:
                if self.data:
                    producer = self.producers.get(reference.name)
                    bound = scope.loop_elements(reference.name) is not None
                    if producer is not None and not bound:
                        self.edges.append(Edge(producer.key, node.key, DATA, reference.name))
                for origin in reference_origins(reference, scope.resolve, whole=True):
                    if origin.launch is node:
                        continue
                    self.reads.append(ResultRead(node, origin.launch, reference.name,
                                                 origin.attrs, entry, reference.tests))
                    if task.include is not None:
                        self.by_launch[origin.launch].traceable = False

    # -- waits ---------------------------------------------------------------------------
    def _wait(self, node: GraphNode, scope: _Scope) -> None:
        task = node.task
        args = module_args(task)
        cleanup = is_cleanup(task)
        found = False
        for wait in self._waits(node, scope, args.get("jid"), cleanup):
            found = True
            pending = self.by_launch[wait.launch]
            (pending.cleanups if cleanup else pending.waits).append(wait)
            self.edges.append(Edge(wait.launch.key, node.key, JOB,
                                   wait.via + (" (cleanup)" if cleanup else "")))
        if not found:
            self._untrace_all()

    def _waits(self, node: GraphNode, scope: _Scope, jid: object,
               cleanup: bool) -> Iterator[Wait]:
        seen: set[GraphNode] = set()
        for reference in value_references(jid):
            elements = scope.loop_elements(reference.name)
            if elements is not None:
                pairs = [(e.origin.extend(reference.attrs), e.register_dict) for e in elements]
            else:
                origins = reference_origins(reference, scope.resolve, is_whole_reference(jid))
                pairs = [(origin, False) for origin in origins]
            for origin, register_dict in pairs:
                if origin.launch in seen or origin.launch not in self.by_launch:
                    continue
                seen.add(origin.launch)
                problem = None
                if register_dict:
                    problem = REGISTER_DICT
                elif elements is None and origin.looped and origin.attrs == (JOB_ID,):
                    problem = LOOPED_REGISTER
                yield Wait(node, origin.launch, _describe(reference, origin, elements is not None),
                           cleanup, problem, reference.name)

    def _untrace_all(self) -> None:
        for pending in self.pending:
            if not pending.waits:
                pending.traceable = False

    # -- what the task sets ----------------------------------------------------------------
    def _produce(self, node: GraphNode, scope: _Scope) -> None:
        task = node.task
        facts = set_facts(task)
        if facts:
            live = self._live(node)  # as the task starts: decided before any fact is set
            reads = {name: live is None or (bool(live) and mentions_any(value, live))
                     for name, value in facts.items()}
            for name, value in facts.items():
                origins = value_origins(value, scope.resolve) if reads[name] else frozenset()
                self._set(name, origins, node)
        mode = job_mode(task)
        if mode is not None:
            pending = _Pending(node, mode)
            self.pending.append(pending)
            self.by_launch[node] = pending
        register = task.register
        if register is not None:
            origins = frozenset({Origin(node, task.loop is not None)}) if mode else frozenset()
            self._set(register, origins, node)

    def _set(self, name: str, origins: frozenset[Origin], node: GraphNode) -> None:
        self.producers[name] = node
        if origins:
            self.state[name] = origins
            self.live.add(name)
        elif self.state.pop(name, None) is not None:
            self.live.discard(name)

    def _freeze(self, pending: _Pending) -> Job:
        node = pending.node
        return Job(
            node=node, mode=pending.mode, register=node.task.register,
            looped=node.task.loop is not None, guards=guards(node.step),
            waits=tuple(pending.waits), cleanups=tuple(pending.cleanups),
            traceable=pending.traceable,
        )


def mentions_any(value: object, names: Collection[str] | Names) -> bool:
    """True when a plain value (a string, or lists and mappings of them) spells one of ``names``
    (:meth:`~asynclint.graph.reading.Names.in_text` for a :class:`Names`)."""
    if isinstance(value, str):
        if isinstance(names, Names):
            return names.in_text(value)
        return any(name in value for name in names)
    if isinstance(value, dict):
        return any(mentions_any(key, names) or mentions_any(item, names)
                   for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return any(mentions_any(item, names) for item in value)
    return False


def walk_run(nodes: tuple[GraphNode, ...], data: bool = True) -> RunFacts:
    """The jobs, reads and edges of one run; without ``data``, no data edges, and values
    that cannot lead to a job result are not parsed."""
    return RunWalker(nodes, data).walk()
