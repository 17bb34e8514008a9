"""The immutable model: documents, plays, blocks, tasks and includes.

Every node keeps the :class:`~asynclint.parsing.YMap` it was read from (so
every keyword keeps its exact span) and a structural ``path`` such as
``(0, "tasks", 3, "block", 1)``: play 0, its ``tasks`` section, item 3, that
block's item 1. Paths in task files start at the item index.
"""

from __future__ import annotations

from typing import Iterator, Union

from asynclint.parsing import Source, YEntry, YMap, YNode, YScalar
from asynclint.parsing.nodes import to_python
from asynclint.structs import field, struct

Path_ = tuple[Union[int, str], ...]


@struct(frozen=True, eq=False)
class Include:
    """An ``include_*``/``import_*`` and where its literal target leads."""

    kind: str  # include_tasks, import_tasks, include_role, import_role, import_playbook
    target: str | None  # the literal file or role name; None when templated or missing
    resolved: str | None  # the file the target resolves to, when it exists
    dynamic: bool


@struct(frozen=True, eq=False)
class _Keyed:
    source: Source
    map: YMap
    path: Path_
    document: int = 0

    @property
    def start(self) -> int:
        return self.map.start

    @property
    def end(self) -> int:
        return self.map.end

    def entry(self, key: str) -> YEntry | None:
        return self.map.entry(key)

    def node(self, key: str) -> YNode | None:
        return self.map.get(key)

    def value(self, key: str, default: object = None) -> object:
        """The plain value of keyword ``key`` (``default`` when absent)."""
        item = self.map.entry(key)
        return default if item is None else to_python(item.value)

    def has(self, key: str) -> bool:
        return key in self.map

    @property
    def name(self) -> str | None:
        value = self.map.get("name")
        return value.value if isinstance(value, YScalar) else None


@struct(frozen=True, eq=False)
class Task(_Keyed):
    """A task: an action with its arguments and keywords, or an include."""

    section: str = "tasks"
    role: str | None = None
    action: str | None = None  # as written: "ansible.builtin.command", "shell", "ns.coll.mod"
    action_entry: YEntry | None = None  # the key that names the action (or `action:`)
    args: YNode | None = None  # the module arguments as written after the action key
    loop: YEntry | None = None  # `loop:` or `with_*:`
    include: Include | None = None

    @property
    def loop_var(self) -> str:
        control = self.map.get("loop_control")
        if isinstance(control, YMap):
            var = control.get("loop_var")
            if isinstance(var, YScalar) and var.value:
                return var.value
        return "item"

    @property
    def register(self) -> str | None:
        value = self.map.get("register")
        return value.value if isinstance(value, YScalar) and value.value else None

    def arg(self, key: str) -> YEntry | None:
        """A module argument given as a mapping key (under the action or ``args:``)."""
        if isinstance(self.args, YMap):
            found = self.args.entry(key)
            if found is not None:
                return found
        extra = self.map.get("args")
        return extra.entry(key) if isinstance(extra, YMap) else None

    def arg_value(self, key: str, default: object = None) -> object:
        item = self.arg(key)
        return default if item is None else to_python(item.value)


@struct(frozen=True, eq=False)
class Block(_Keyed):
    """A ``block`` with its ``rescue`` and ``always`` sections."""

    section: str = "tasks"
    role: str | None = None
    block: tuple["TaskNode", ...] = ()
    rescue: tuple["TaskNode", ...] = ()
    always: tuple["TaskNode", ...] = ()

    def children(self) -> Iterator[tuple[str, "TaskNode"]]:
        for section in ("block", "rescue", "always"):
            for child in getattr(self, section):
                yield section, child


TaskNode = Union[Task, Block]


@struct(frozen=True, eq=False)
class RoleRef:
    """A role named in a play's ``roles:`` list."""

    name: str | None
    node: YNode
    tasks_file: str | None


@struct(frozen=True, eq=False)
class Play(_Keyed):
    sections: dict[str, tuple[TaskNode, ...]] = field(default_factory=dict)
    roles: tuple[RoleRef, ...] = ()
    import_playbook: Include | None = None


@struct(frozen=True, eq=False)
class Document:
    """One YAML file as Ansible would read it.

    ``kind`` is ``playbook``, ``tasks`` (a tasks or handlers file) or
    ``other`` (YAML that is not Ansible content; no rule looks at it).
    """

    source: Source
    kind: str
    plays: tuple[Play, ...] = ()
    tasks: tuple[TaskNode, ...] = ()
    role: str | None = None

    @property
    def path(self) -> str:
        return self.source.path


def iter_task_nodes(nodes: tuple[TaskNode, ...]) -> Iterator[TaskNode]:
    """Every task and block below ``nodes``, blocks before their children."""
    for node in nodes:
        yield node
        if isinstance(node, Block):
            for _, child in node.children():
                yield from iter_task_nodes((child,))


def document_task_nodes(document: Document) -> Iterator[TaskNode]:
    for play in document.plays:
        for section in play.sections.values():
            yield from iter_task_nodes(section)
    yield from iter_task_nodes(document.tasks)
