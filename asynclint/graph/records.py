"""What the task graph is made of: nodes, edges, jobs and the reads of their results.

Every record is frozen. A node stands for one :class:`~asynclint.model.flow.Step` (a task
file included twice gives two nodes); its :class:`TaskKey` is stable from run to run.
"""

from __future__ import annotations

from typing import Union

from asynclint.model import Play, Task
from asynclint.model.flow import Step
from asynclint.parsing import YEntry
from asynclint.structs import struct

SEQUENCE = "sequence"
DATA = "data"
JOB = "job"
RESOURCE = "resource"
EDGE_KINDS = (SEQUENCE, DATA, JOB, RESOURCE)

# What is wrong with the way a wait reaches a looped launch (see :class:`Wait`).
LOOPED_REGISTER = "looped-register"
REGISTER_DICT = "register-dict"

Tree = tuple[Union[int, str], ...]


@struct(frozen=True)
class TaskKey:
    """A task's identity: its file and structural path, behind the includes that led there."""

    path: str
    tree: Tree
    via: tuple[tuple[str, Tree], ...] = ()  # the include tasks that reached it, outermost first
    occurrence: int = 0  # > 0 only when the same chain runs the task again (a role listed twice)

    @property
    def ident(self) -> str:
        """``tasks/work.yml#2`` behind ``site.yml#0/tasks/1``, as one string."""
        parts = [f"{path}#{_tree_text(tree)}" for path, tree in (*self.via, (self.path, self.tree))]
        text = " > ".join(parts)
        return f"{text} ({self.occurrence})" if self.occurrence else text


def _tree_text(tree: Tree) -> str:
    return "/".join(str(part) for part in tree)


@struct(frozen=True, eq=False)
class GraphNode:
    """One task as it runs: where it sits in its run (``run``, ``index``) and how to show it."""

    key: TaskKey
    step: Step
    run: int
    index: int
    section: str
    play: Play | None = None

    @property
    def task(self) -> Task:
        return self.step.task

    @property
    def line(self) -> int:
        return self.task.source.position(self.task.start)[0]

    @property
    def label(self) -> str:
        """``site.yml:12 Start the job`` (the action when the task has no name)."""
        title = self.task.name or self.task.action or "task"
        return f"{self.task.source.path}:{self.line} {title}"


@struct(frozen=True)
class Edge:
    """``source`` runs before ``target`` and matters to it; ``label`` names the variable or path."""

    source: TaskKey
    target: TaskKey
    kind: str
    label: str = ""


@struct(frozen=True, eq=False)
class Wait:
    """An ``async_status`` task reading the job id of one launch.

    ``via`` says how the job id got there (``launch.ansible_job_id``, ``item over
    launch.results``...). ``problem`` is ``looped-register`` when the job id is read from the
    top level of a looped launch's register (it has none), ``register-dict`` when the wait
    loops over that register itself instead of its ``.results``.
    """

    node: GraphNode
    launch: GraphNode
    via: str
    cleanup: bool = False
    problem: str | None = None
    variable: str | None = None  # the variable the wait reads (the register or an alias)


@struct(frozen=True, eq=False)
class Job:
    """A task run with ``async``: a ``poll: 0`` launch, a polled task, or unknown (templated).

    ``guards`` are the ``when`` conditions the launch runs under (its own and inherited).
    ``traceable`` is false when something after the launch may wait for it out of sight (an
    include whose file is unknown, an ``async_status`` on a job id that cannot be followed,
    or the register handed to an include).
    """

    node: GraphNode
    mode: str  # "launch" (poll: 0), "polled" (poll > 0 or no poll), "unknown" (templated)
    register: str | None
    looped: bool
    guards: tuple[object, ...]
    waits: tuple[Wait, ...]
    cleanups: tuple[Wait, ...]
    traceable: bool

    @property
    def task(self) -> Task:
        return self.node.task

    @property
    def is_launch(self) -> bool:
        return self.mode == "launch"


@struct(frozen=True, eq=False)
class ResultRead:
    """A task reading (part of) a job's registered result: ``attrs`` below the register."""

    node: GraphNode
    launch: GraphNode
    variable: str
    attrs: tuple[str | int, ...]
    entry: YEntry  # the key of the reading task whose value holds the read
    tests: tuple[str, ...] = ()

