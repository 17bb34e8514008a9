"""Tasks in the order Ansible runs them, across blocks, includes and roles.

A :class:`Flow` is one play section (or one task file nobody includes) with
every block, literal include/import and role expanded in place. Each
:class:`Step` remembers the blocks and includes it sits in, so keywords that
a task inherits (``when``, ``become_user``, ``delegate_to``, ``vars``...) can
be read from where they are written.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.model.nodes import Block, Document, Play, Task, TaskNode
from asynclint.model.project import Project
from asynclint.parsing import YMap
from asynclint.structs import struct

MAX_INCLUDE_DEPTH = 32


@struct(frozen=True, eq=False)
class Step:
    task: Task
    blocks: tuple[Block, ...] = ()  # enclosing blocks, outermost first
    includes: tuple[Task, ...] = ()  # include/import tasks that led here, outermost first
    block_section: str = "block"  # block, rescue or always of the innermost block

    @property
    def parents(self) -> tuple[object, ...]:
        """Enclosing includes and blocks, outermost first (for inherited keywords)."""
        return (*self.includes, *self.blocks)

    def inherited(self, key: str) -> list[object]:
        """Values of ``key`` on the task and every enclosing block or include, innermost first."""
        found = []
        for holder in (self.task, *reversed(self.blocks), *reversed(self.includes)):
            if holder.has(key):
                found.append(holder.value(key))
        return found

    def inherited_var(self, name: str) -> object:
        """A variable set in ``vars:`` on the task, an enclosing block or include."""
        for holder in (self.task, *reversed(self.blocks), *reversed(self.includes)):
            node = holder.node("vars")
            if isinstance(node, YMap) and name in node:
                return holder.value("vars").get(name)  # type: ignore[union-attr]
        return None


@struct(frozen=True, eq=False)
class Flow:
    """One sequence of steps: a play section, or a task file run on its own."""

    document: Document
    play: Play | None
    section: str
    steps: tuple[Step, ...]


def _expand(
    nodes: tuple[TaskNode, ...],
    project: Project,
    blocks: tuple[Block, ...],
    includes: tuple[Task, ...],
    block_section: str,
    visiting: tuple[str, ...],
) -> Iterator[Step]:
    for node in nodes:
        if isinstance(node, Block):
            inner = (*blocks, node)
            for section in ("block", "rescue", "always"):
                yield from _expand(getattr(node, section), project, inner, includes, section,
                                   visiting)
            continue
        yield Step(node, blocks, includes, block_section)
        include = node.include
        if include is None or include.resolved is None or len(includes) >= MAX_INCLUDE_DEPTH:
            continue
        target = project.resolve(include.resolved)
        if target is None or target.path in visiting:
            continue
        yield from _expand(target.tasks, project, blocks, (*includes, node), "block",
                           (*visiting, target.path))


def _play_flows(project: Project, document: Document, play: Play) -> Iterator[Flow]:
    visiting = (document.path,)
    sections = []
    if "pre_tasks" in play.sections:
        sections.append(("pre_tasks", list(_expand(play.sections["pre_tasks"], project, (), (),
                                                    "block", visiting))))
    role_steps: list[Step] = []
    for role in play.roles:
        target = project.resolve(role.tasks_file)
        if target is not None:
            role_steps.extend(_expand(target.tasks, project, (), (), "block",
                                      (*visiting, target.path)))
    if role_steps:
        sections.append(("roles", role_steps))
    for name in ("tasks", "post_tasks", "handlers"):
        if name in play.sections:
            sections.append((name, list(_expand(play.sections[name], project, (), (), "block",
                                                visiting))))
    for name, steps in sections:
        yield Flow(document, play, name, tuple(steps))


def flows(project: Project) -> tuple[Flow, ...]:
    """Every play section of every playbook, then every task file that no flow reaches."""
    result: list[Flow] = []
    for document in project.ansible_documents():
        if document.kind == "playbook":
            for play in document.plays:
                result.extend(_play_flows(project, document, play))
    reached = {step.task.source.path for flow in result for step in flow.steps}
    expanded = {
        id(document): tuple(_expand(document.tasks, project, (), (), "block", (document.path,)))
        for document in project.ansible_documents()
    }
    included = {
        target.path
        for document in project.ansible_documents()
        for step in expanded[id(document)]
        if step.includes
        for target in (project.resolve(step.includes[-1].include.resolved),)
        if target is not None
    }
    task_files = [doc for doc in project.ansible_documents() if doc.kind == "tasks"]
    roots = [doc for doc in task_files if doc.path not in included] + task_files
    for document in roots:
        if document.path in reached:
            continue
        steps = expanded[id(document)]
        section = "handlers" if any(s.task.section == "handlers" for s in steps) else "tasks"
        result.append(Flow(document, None, section, steps))
        reached.update(step.task.source.path for step in steps)
    return tuple(result)
