"""`changed_when`/`failed_when` on a `poll: 0` launch that read the job's output.

## What it does
Finds `changed_when` or `failed_when` on a background launch (`async: N`,
`poll: 0`) that read a key of the task's own `register` that a launch does
not have: `rc`, `stdout`, `stderr`, `stdout_lines`, `msg`, ...

## Why is this bad?
On a launch these conditions see the launch result, which holds only
`ansible_job_id`, `started`, `finished`, `results_file`, `changed` and
`failed`. Reading job output there is an undefined-variable error: the task
fails while the job it started keeps running (or, behind `| default`, the
condition silently tests nothing). The job's output exists only in the result
of its `async_status` wait.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: echo ready
      async: 10
      poll: 0
      register: launch
      failed_when: launch.rc != 0
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 30
      delay: 1
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: echo ready
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 30
      delay: 1
      failed_when: job.rc != 0
```

## Fix safety
Moving the condition from the launch to its `async_status` wait is unsafe:
the launch no longer fails on it, and the wait must read its own register.
The fix is offered when the launch has exactly one wait, in the same file, with
a `register` and no `changed_when`/`failed_when` of its own, and the condition
is one expression. The launch's register is renamed to the wait's, and the
condition is tested once the job is finished
(`<wait register> is finished and <condition>`), since before that the wait's
result holds no output either.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.expressions import Reference, value_references
import re

from asynclint.findings import Problem
from asynclint.fixes import Applicability, Fix
from asynclint.fixes.templates import renamed_expression
from asynclint.fixes.waits import finished_test
from asynclint.fixes.yaml_edit import insert_entries, remove_entries, render_scalar, style_of
from asynclint.model import Task
from asynclint.parsing import YEntry, YScalar
from asynclint.rules.helpers import is_launch, problem_at

CODE = "ASY104"
NAME = "launch-result-conditional"
SEVERITY = "error"
FIX = "unsafe"

CONDITION_KEYS = ("changed_when", "failed_when")
# What a `poll: 0` launch registers (per item when looped), plus what Ansible adds
# before evaluating the conditions.
LAUNCH_RESULT_KEYS = frozenset(
    {"ansible_job_id", "changed", "failed", "finished", "results_file", "started",
     "ansible_facts", "attempts"}
)


def output_read(task: Task, entry: YEntry) -> Reference | None:
    """The first read of the task's own register that a launch result does not hold."""
    own = task.register
    for ref in value_references(task.value(entry.name), bare=True):
        if ref.name == own and ref.attrs and ref.attrs[0] not in LAUNCH_RESULT_KEYS:
            return ref
    return None


def offending_condition(task: Task) -> tuple[YEntry, Reference] | None:
    """The first `changed_when`/`failed_when` entry (source order) that reads job output."""
    for entry in task.map.entries:
        if entry.name in CONDITION_KEYS and task.entry(entry.name) is entry:
            ref = output_read(task, entry)
            if ref is not None:
                return entry, ref
    return None


def _move_fix(task: Task, entry: YEntry, waits: list[Task]) -> Fix | None:
    """Move the condition onto the launch's only wait, reading the wait's register once the
    job is finished (before that the job's output is not there yet)."""
    if len(waits) != 1:
        return None
    wait = waits[0]
    own, register = task.register, wait.register
    value = entry.value
    if (wait.source.path != task.source.path or register is None or own is None
            or any(wait.has(key) for key in CONDITION_KEYS)
            or not isinstance(value, YScalar) or value.tag is not None or "{{" in value.value):
        return None
    condition = renamed_expression(value.value.strip(), own, register)
    if condition is None:
        return None
    text = task.source.text
    if re.search(r"\b(?:or|if)\b", condition):
        condition = f"({condition})"
    moved = f"{finished_test(text, register)} and {condition}"
    style = style_of(task.source)
    removed = remove_entries(task.source, task.map, [entry])
    added = insert_entries(task.source, wait.map, [f"{entry.name}: {render_scalar(moved, style)}"])
    if removed is None or added is None:
        return None
    return Fix(f"Move `{entry.name}` to the wait, on its register `{register}`",
               (*removed, added), Applicability.UNSAFE)


def check(ctx) -> Iterator[Problem]:
    waits: dict[Task, list[Task]] = {}
    for job in ctx.graph.jobs():
        found = waits.setdefault(job.task, [])
        found += [w.node.task for w in job.waits if w.node.task not in found]
    for task in ctx.project.tasks():
        if task.register is None or not is_launch(task):
            continue
        found = offending_condition(task)
        if found is not None:
            entry, ref = found
            yield problem_at(
                task, entry,
                f"`{entry.name}` reads `{ref.dotted}`, which a `poll: 0` launch never "
                "registers: Ansible fails the task while the job keeps running",
                _move_fix(task, entry, waits.get(task, [])),
            )
