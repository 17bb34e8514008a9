"""What a parallel group is made of: chains of units, and the order the graph imposes.

A *parallel group* is a maximal run of consecutive siblings meant to run side by side:
blocks carrying `poll: 0` (which Ansible rejects, ASY001) and `poll: 0` launches nobody waits
for, or the siblings the user names. Each member is a *chain*: a block's tasks keep their
order, a task is a chain of one. A *unit* is one task of a chain; it runs in the background
when its action can, synchronously otherwise. Anything whose meaning a rewrite could not keep
raises :class:`Refusal` with the reason.
"""

from __future__ import annotations

from typing import Iterator, Sequence

from asynclint.graph.records import GraphNode
from asynclint.model import Block, Document, Task, TaskNode
from asynclint.model.keywords import short_name
from asynclint.rules.helpers import int_value, is_launch
from asynclint.structs import struct
from asynclint.transforms.choices import DEFAULT_TIMEOUT

# Keywords of a task that read the result it registers at the moment it ends: on a launch
# they would see the launch result instead (FACTS 7, 8, 14).
RESULT_KEYWORDS = ("until", "retries", "changed_when", "failed_when")


class Refusal(Exception):
    """The group cannot be rewritten without changing its meaning; ``reason`` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@struct(frozen=True, eq=False)
class Unit:
    """One task of a chain: where it sits, and whether it runs in the background."""

    number: int  # position in the whole group, in the original run order
    chain: int
    task: Task
    node: GraphNode
    block: Block | None  # the block (the chain) it comes from
    background: bool
    limit: int  # the `async` limit of its job, in seconds
    kept_reason: str | None = None  # why it runs synchronously

    @property
    def title(self) -> str:
        return self.task.name or short_name(self.task.action or "task")

    @property
    def register(self) -> str | None:
        return self.task.register

    @property
    def looped(self) -> bool:
        return self.task.loop is not None


@struct(frozen=True, eq=False)
class Group:
    """A parallel group: its members (siblings in the file), chains, and forced orders."""

    document: Document
    members: tuple[TaskNode, ...]
    chains: tuple[tuple[Unit, ...], ...]
    after: frozenset[tuple[int, int]]  # (earlier, later) unit numbers across chains

    @property
    def units(self) -> tuple[Unit, ...]:
        return tuple(sorted((u for chain in self.chains for u in chain), key=lambda u: u.number))

    def predecessors(self, unit: Unit) -> tuple[Unit, ...]:
        """The units that must be done before ``unit`` starts: its chain's previous one and
        the units of other chains it depends on."""
        chain = self.chains[unit.chain]
        index = chain.index(unit)
        previous = (chain[index - 1],) if index else ()
        others = tuple(u for u in self.units if (u.number, unit.number) in self.after)
        return (*previous, *others)

    def chain_title(self, index: int) -> str:
        member = self.members[index]
        if member.name:
            return member.name
        return f"block {index + 1}" if isinstance(member, Block) else self.chains[index][0].title


# -- finding groups -------------------------------------------------------------------------


def sibling_lists(document: Document) -> Iterator[tuple[TaskNode, ...]]:
    """Every list of sibling tasks in a playbook: play sections and the sections of blocks."""
    pending = [nodes for play in document.plays for name, nodes in play.sections.items()
               if name != "handlers"]
    pending += [document.tasks] if document.tasks else []
    while pending:
        nodes = pending.pop(0)
        yield nodes
        for node in nodes:
            if isinstance(node, Block):
                pending += [node.block, node.rescue, node.always]


def _unawaited_launch(ctx, node: TaskNode) -> bool:
    if not isinstance(node, Task) or not is_launch(node) or node.include is not None:
        return False
    graph_node = node_of(ctx, node)
    job = ctx.graph.job(graph_node) if graph_node is not None else None
    return job is not None and job.traceable and not job.waits and not job.cleanups


def block_in_background(node: TaskNode) -> bool:
    """A block carrying `poll: 0` (with or without `async`): meant to run in the background."""
    return isinstance(node, Block) and node.has("poll") and int_value(node.map, "poll") == 0


def _marked(ctx, node: TaskNode, names: frozenset[str]) -> bool:
    if names:
        return node.name in names
    return block_in_background(node) or _unawaited_launch(ctx, node)


def find_groups(ctx, document: Document,
                names: frozenset[str] = frozenset()) -> Iterator[tuple[TaskNode, ...]]:
    """Maximal runs of consecutive marked siblings. Without ``names``, a run needs a block
    (unawaited launches alone may be fire-and-forget on purpose)."""
    for siblings in sibling_lists(document):
        run: list[TaskNode] = []
        for node in (*siblings, None):
            if node is not None and _marked(ctx, node, names):
                run.append(node)
                continue
            if run and (names or any(isinstance(member, Block) for member in run)):
                yield tuple(run)
            run = []


# -- chains ---------------------------------------------------------------------------------


def node_of(ctx, task: Task) -> GraphNode | None:
    """The first graph node that runs ``task``."""
    return next((node for node in ctx.graph.nodes if node.task is task), None)


def _chain_tasks(member: TaskNode) -> tuple[Task, ...]:
    if isinstance(member, Task):
        return (member,)
    if member.rescue or member.always:
        section = "rescue" if member.rescue else "always"
        raise Refusal(f"block `{member.name or 'unnamed'}` has `{section}`: its tasks would "
                      "fail and recover at the wait, not where the block says")
    if member.has("notify"):
        raise Refusal(f"block `{member.name or 'unnamed'}` has `notify`: handlers would be "
                      "notified when a job starts, not when it ends")
    tasks = []
    for child in member.block:
        if isinstance(child, Block):
            raise Refusal(f"block `{member.name or 'unnamed'}` holds a nested block")
        tasks.append(child)
    return tuple(tasks)


def _limit(task: Task, block: Block | None, timeout: int) -> int:
    for holder in (task.map, block.map if block is not None else None):
        value = int_value(holder, "async") if holder is not None else None
        if value is not None and value > 0:
            return int(value)
    return timeout


def _background_reason(ctx, task: Task) -> str | None:
    """Why ``task`` must stay synchronous (None when it can run in the background)."""
    if task.include is not None:
        return f"`{short_name(task.action or '')}` is an include: it cannot run in the background"
    if task.action is None:
        return "it names no action"
    if task.has("poll") and int_value(task, "poll") != 0:
        return "it polls its own job"
    support = ctx.actions.supports_async(task.action)
    if support is False:
        return f"`{task.action}` cannot run in the background"
    if support is None:
        return f"whether `{task.action}` can run in the background is unknown"
    return None


def _check_background(task: Task, title: str) -> None:
    for key in RESULT_KEYWORDS:
        if task.has(key):
            raise Refusal(f"task `{title}` has `{key}`: in the background it would test the "
                          "launch result, not the job's")
    if task.has("notify"):
        raise Refusal(f"task `{title}` has `notify`: handlers would be notified when the job "
                      "starts, not when it ends")
    if task.loop is not None and task.register is not None:
        raise Refusal(f"task `{title}` loops and registers `{task.register}`: the waits "
                      "cannot give back the same results (each item would lose its loop variable)")


def _units(ctx, members: Sequence[TaskNode], timeout: int) -> tuple[tuple[Unit, ...], ...]:
    chains: list[tuple[Unit, ...]] = []
    number = 0
    for index, member in enumerate(members):
        block = member if isinstance(member, Block) else None
        units = []
        for task in _chain_tasks(member):
            node = node_of(ctx, task)
            if node is None:
                raise Refusal(f"task `{task.name or task.action}` is not reached by any play")
            reason = _background_reason(ctx, task)
            unit = Unit(number, index, task, node, block, reason is None,
                        _limit(task, block, timeout), reason)
            if unit.background:
                _check_background(task, unit.title)
            units.append(unit)
            number += 1
        if not units:
            raise Refusal(f"block `{member.name or 'unnamed'}` has no task")
        chains.append(tuple(units))
    return tuple(chains)


def _forced_orders(ctx, chains: tuple[tuple[Unit, ...], ...]) -> frozenset[tuple[int, int]]:
    """(earlier, later) pairs of units in different chains joined by a data or resource path."""
    units = sorted((u for chain in chains for u in chain), key=lambda u: u.number)
    return frozenset(
        (earlier.number, later.number)
        for later in units for earlier in units
        if earlier.number < later.number and earlier.chain != later.chain
        and ctx.graph.depends_on(later.node, earlier.node)
    )


def build_group(ctx, document: Document, members: tuple[TaskNode, ...],
                timeout: int = DEFAULT_TIMEOUT) -> Group:
    """The chains of ``members`` and the orders between them; raises :class:`Refusal`."""
    chains = _units(ctx, members, timeout)
    return Group(document, members, chains, _forced_orders(ctx, chains))
