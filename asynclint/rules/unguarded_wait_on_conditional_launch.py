"""A wait on a launch that runs under `when:`, without a guard of its own.

## What it does
Finds an `async_status` task waiting for a `poll: 0` launch that has a `when` condition (its
own or from an enclosing block or include) when the wait has no condition reading the
launch's register (`when: launch is not skipped`) or the variables of the launch's condition.

## Why is this bad?
A skipped launch registers a skipped result with no `ansible_job_id`; the unguarded wait then
fails at run time on an undefined job id, though nothing went wrong.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
      when: run_job | default(false)
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
      when: run_job | default(false)
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
      when: launch is not skipped
```

## Fix safety
Adding `when: <register> is not skipped` to the wait is safe: it waits exactly when there is a
job to wait for. A `when` the wait already has is kept: the guard becomes one more item of a
list, and a one-line condition becomes a list in a file that writes conditions as lists, or is
joined with `and` (in parentheses when it has an `or`). For a looped launch, whose items may be
skipped one by one, a wait looping over its `.results` is guarded per item
(`when: <loop_var> is not skipped`); other waits on a looped launch are left to be fixed by hand.
"""

from __future__ import annotations

from typing import Iterator

import re

from asynclint.expressions import value_references
from asynclint.findings import Problem
from asynclint.fixes import Edit, Fix
from asynclint.fixes.yaml_edit import (
    entry_text,
    insert_entries,
    line_end,
    render_scalar,
    replace_entry,
    replace_value,
    style_of,
)
from asynclint.graph.records import Job, Wait
from asynclint.model import Task
from asynclint.parsing import YScalar, YSeq
from asynclint.rules.helpers import problem_at

CODE = "ASY112"
NAME = "unguarded-wait-on-conditional-launch"
SEVERITY = "warning"
FIX = "safe"


def _names(conditions: tuple[object, ...] | list[object]) -> set[str]:
    return {ref.name for condition in conditions
            for ref in value_references(condition, bare=True)}


# `when:` alone on its line (a block list follows) or `when: [`: the file writes lists.
_LIST_WHEN = re.compile(r"^[ \t]*(?:-[ \t]+)?when:[ \t]*(?:\[|(?:#.*)?\r?$)", re.MULTILINE)


def guard_of(job: Job, wait: Wait) -> str | None:
    """`<register> is not skipped`; for a looped launch, the wait's item over its `.results`."""
    task = wait.node.task
    if not job.looped:
        return f"{job.register} is not skipped"
    if task.loop is not None and wait.variable == task.loop_var:
        return f"{task.loop_var} is not skipped"
    return None


def _append_to_list(task: Task, items: YSeq, guard: str) -> Edit | None:
    """One more item at the end of the `when` list, written like the others."""
    source, style = task.source, style_of(task.source)
    last = items.items[-1]
    if items.flow:
        return Edit.insert(last.end, ", " + render_scalar(guard, style))
    start = source.line_start(last.start)
    before = source.text[start:last.start]
    at = line_end(source.text, last.end)
    if not before.rstrip().endswith("-") or before.rstrip()[:-1].strip() or (
        source.position(last.end)[0] != source.position(last.start)[0]
    ):
        return None
    line = before + render_scalar(guard, style)
    if at == len(source.text) and not source.text.endswith("\n"):
        return Edit.insert(at, source.newline + line)
    return Edit.insert(at, line + source.newline)


def _guard_fix(task: Task, guard: str) -> Fix | None:
    """Add the guard as the wait's `when`, or beside the `when` it has: one more list item,
    or a one-line condition turned into a list (in a file that writes lists) or joined by `and`."""
    source, style = task.source, style_of(task.source)
    entry = task.entry("when")
    edit: Edit | None
    if entry is None:
        edit = insert_entries(source, task.map, [f"when: {render_scalar(guard, style)}"])
    elif isinstance(entry.value, YSeq) and entry.value.items:
        edit = _append_to_list(task, entry.value, guard)
    elif (isinstance(entry.value, YScalar) and entry.value.tag is None
          and entry_text(source, entry) is not None and "{{" not in entry.value.value):
        if _LIST_WHEN.search(source.text):
            pad = " " * style.sequence_offset
            condition = source.text[entry.value.start:entry.value.end]
            lines = ["when:", f"{pad}- {condition}", f"{pad}- {render_scalar(guard, style)}"]
            edit = replace_entry(source, entry, lines)
        else:
            condition = entry.value.value.strip()
            if re.search(r"\b(?:or|if)\b", condition):
                condition = f"({condition})"
            combined = f"{condition} and {guard}"
            edit = replace_value(source, entry, render_scalar(combined, style))
    else:
        edit = None
    return None if edit is None else Fix(f"Guard the wait with `when: {guard}`", (edit,))


def _fix(task: Task, job: Job, wait: Wait) -> Fix | None:
    guard = guard_of(job, wait)
    return None if guard is None else _guard_fix(task, guard)


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        if not job.is_launch or not job.guards or job.register is None:
            continue
        launch_names = _names(job.guards)
        for wait in job.waits:
            guard = _names(wait.node.step.inherited("when"))
            if guard & (launch_names | {job.register, wait.variable}):
                continue
            task = wait.node.task
            yield problem_at(
                task, task.action_entry,
                f"the launch registering `{job.register}` runs only under `when`, but this wait "
                f"has no guard: when the launch is skipped `{job.register}` has no "
                f"`ansible_job_id` and the wait fails; add `when: {job.register} is not skipped`",
                _fix(task, job, wait),
            )
