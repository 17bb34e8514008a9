"""Small shared readings of tasks that several rules need."""

from __future__ import annotations

from typing import Iterable, Iterator

from asynclint.expressions import value_references
from asynclint.findings import Problem
from asynclint.fixes import Edit, Fix
from asynclint.fixes.yaml_edit import insert_entries
from asynclint.model import Block, Task, TaskNode
from asynclint.model.flow import Flow, Step
from asynclint.model.keywords import ASYNC_KEYS
from asynclint.model.readings import (  # noqa: F401 - re-exported for rules
    TEMPLATE_MARKERS,
    int_value,
    is_async_status,
    is_launch,
    is_templated,
)
from asynclint.parsing import YEntry, YMap

DEFAULT_RETRIES = 3  # what Ansible uses for `until` without `retries`
DEFAULT_DELAY = 5
DEFAULT_POLL = 15  # seconds between checks of an `async` task without `poll`


def first_entry(node: YMap, keys: Iterable[str]) -> YEntry | None:
    """The first entry, in source order, whose key is one of ``keys``."""
    wanted = set(keys)
    for entry in node.entries:
        if entry.name in wanted:
            return entry
    return None


def async_keys(node: YMap) -> list[YEntry]:
    """The ``async``/``poll`` entries of a mapping, in source order."""
    return [entry for entry in node.entries if entry.name in ASYNC_KEYS]


def async_capable(ctx, nodes: Iterable[TaskNode]) -> Iterator[Task]:
    """The tasks among ``nodes`` (nested blocks included) that can run in the background.

    Includes and actions that cannot run async are left out; a nested block with its own
    `async`/`poll` is left to its own finding.
    """
    for node in nodes:
        if isinstance(node, Block):
            if not async_keys(node.map):
                yield from async_capable(ctx, (child for _, child in node.children()))
        elif (node.include is None and node.action is not None
              and ctx.actions.supports_async(node.action) is not False):
            yield node


def keys_onto(tasks: Iterable[Task], texts: dict[str, str]) -> list[Edit] | None:
    """Edits adding the entries ``texts`` (``key: value`` lines by key) to each task that
    does not set that key already; ``None`` when one cannot be inserted cleanly."""
    edits = []
    for task in tasks:
        lines = [text for name, text in texts.items() if not task.has(name)]
        if not lines:
            continue
        insert = insert_entries(task.source, task.map, lines)
        if insert is None:
            return None
        edits.append(insert)
    return edits


def keys_phrase(entries: list[YEntry]) -> str:
    names = []
    for entry in entries:
        if entry.name not in names:
            names.append(entry.name)
    return "/".join(f"`{name}`" for name in names)


def poll_interval(task: Task) -> int | float | None:
    """The task's `poll` (Ansible's default when absent); ``None`` when templated."""
    return int_value(task, "poll") if task.has("poll") else DEFAULT_POLL


def problem_at(task: Task, entry: YEntry | None, message: str, fix: Fix | None = None) -> Problem:
    """A problem on the key of ``entry`` (on the whole task when ``entry`` is None)."""
    if entry is None:
        return Problem(task.source, task.start, task.start, message, fix, task.start)
    return Problem(task.source, entry.key.start, entry.key.end, message, fix, task.start)


def play_runs(flows: Iterable[Flow]) -> Iterator[tuple[Step, ...]]:
    """Steps of each play in run order (pre_tasks, roles, tasks, post_tasks, handlers).

    Registered variables live for the whole play, so rules that follow a
    variable from its ``register`` to its use walk a play's run as one.
    Task files that no play reaches form runs of their own.
    """
    current: list[Step] = []
    owner: object = None
    for flow in flows:
        key = flow.play if flow.play is not None else flow
        if key is not owner and current:
            yield tuple(current)
            current = []
        owner = key
        current.extend(flow.steps)
    if current:
        yield tuple(current)


def never_retries(task: Task) -> bool:
    """A literal `retries` of 0 or less: Ansible makes one attempt and never tests `until`."""
    retries = int_value(task, "retries")
    return retries is not None and retries <= 0


def wait_budget(task: Task) -> float | None:
    """Seconds an `until` loop keeps retrying (`retries` x `delay`, with Ansible's defaults).

    ``None`` when either value is templated or not a number.
    """
    retries = int_value(task, "retries") if task.has("retries") else DEFAULT_RETRIES
    delay = int_value(task, "delay") if task.has("delay") else DEFAULT_DELAY
    if retries is None or delay is None:
        return None
    return max(0, retries) * (delay if delay >= 0 else 1)


def _jid_launches(task: Task, launches: dict[str, Task]) -> tuple[Task, ...]:
    """The launches whose register the `jid` of ``task`` reads, directly or as its loop item."""
    names = [ref.name for ref in value_references(task.arg_value("jid"))]
    if task.loop is not None and task.loop_var in names:
        names += [ref.name for ref in value_references(task.value(task.loop.name))]
    return tuple(dict.fromkeys(launches[name] for name in names if name in launches))


def awaited_launches(flows: Iterable[Flow]) -> Iterator[tuple[Task, tuple[Task, ...]]]:
    """Each `async_status` task with the `poll: 0` launches (in the same play) it waits for.

    A launch is found through the register its `jid` reads: `reg.ansible_job_id`, or the
    loop item of a loop over `reg.results` or over several registers. A register written
    again by a task that is not a launch no longer names a launch.
    """
    for steps in play_runs(flows):
        launches: dict[str, Task] = {}
        for step in steps:
            task = step.task
            if is_async_status(task):
                found = _jid_launches(task, launches)
                if found:
                    yield task, found
            own = task.register
            if own is not None:
                if is_launch(task):
                    launches[own] = task
                else:
                    launches.pop(own, None)
