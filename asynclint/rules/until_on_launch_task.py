"""`until` on the `poll: 0` launch itself.

## What it does
Finds `until` on a background launch (`async: N`, `poll: 0`).

## Why is this bad?
Ansible retries the task until the condition holds, and retrying a launch
starts the job again: every retry launches a new background job, while the
condition only ever sees a launch result (`finished` is false). Waiting is the
job of a separate `async_status` task. (`retries` without `until` does not
re-launch: a launch never fails, so there is nothing to retry.)

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
      until: launch is finished
      retries: 5
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 5
      delay: 2
```

## Fix safety
Moving `until`/`retries`/`delay` off the launch into a generated `async_status`
wait, inserted right after it, is unsafe: the play now waits for the job where it
did not before. The wait reads the launch's `ansible_job_id` (a launch without
`register` gets one with a name the file does not use yet), registers its own
result under a fresh name, tests `until: <register> is finished` (or
`.finished` when the file writes that form), keeps the launch's `delay` and sets
`retries` so that the wait covers the `async` limit. No fix is offered for a
looped launch, for an `until` that reads anything but the launch's register, or
for a launch that runs as another user or on another host.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.expressions import value_references
from asynclint.findings import Problem
from asynclint.fixes import Applicability, Edit, Fix
from asynclint.fixes.waits import (
    covering_retries,
    finished_test,
    fresh_name,
    job_id,
    wait_delay,
    wait_module,
)
from asynclint.fixes.yaml_edit import (
    insert_entries,
    insert_task_after,
    remove_entries,
    style_of,
)
from asynclint.model import Task
from asynclint.rules.helpers import int_value, is_launch, problem_at

CODE = "ASY114"
NAME = "until-on-launch-task"
SEVERITY = "error"
FIX = "unsafe"


# Keys that make the wait look in another async directory than the launch (ASY118).
_CONTEXT_KEYS = ("become", "become_user", "delegate_to", "vars", "environment")


def _wait_fix(task: Task) -> Fix | None:
    """Move `until`/`retries`/`delay` off the launch into an `async_status` wait after it."""
    limit = int_value(task, "async")
    delay = int_value(task, "delay") if task.has("delay") else None
    if (task.loop is not None or limit is None or limit <= 0 or task.action_entry is None
            or (task.has("delay") and (delay is None or delay <= 0))
            or any(task.has(key) for key in _CONTEXT_KEYS)):
        return None
    reads = {ref.name for ref in value_references(task.value("until"), bare=True)}
    if not reads <= {task.register} - {None}:
        return None
    source, style = task.source, style_of(task.source)
    launch = task.register or fresh_name(source.text, "launch")
    wait = fresh_name(source.text, f"{launch}_status")
    delay = delay if delay is not None else wait_delay(limit)
    removed = [entry for entry in (task.entry(key) for key in ("until", "retries", "delay"))
               if entry is not None]
    removal = remove_entries(source, task.map, removed)
    pairs = wait_module(job_id(launch)) + (
        ("register", wait),
        ("until", finished_test(source.text, wait)),
        ("retries", covering_retries(limit, delay)),
        ("delay", delay),
    )
    insertion = insert_task_after(source, task.map, pairs, style)
    register = None if task.register else insert_entries(
        source, task.map, [f"register: {launch}"], after=task.action_entry)
    if removal is None or insertion is None or (register is None and not task.register):
        return None
    edits: list[Edit] = [*removal, insertion]
    if register is not None and register.start == insertion.start:
        edits[-1] = Edit.insert(register.start, register.replacement + insertion.replacement)
    elif register is not None:
        edits.append(register)
    return Fix(f"Wait for the job of `{launch}` with `async_status` instead of retrying the launch",
               tuple(edits), Applicability.UNSAFE)


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        entry = task.entry("until")
        if entry is None or not is_launch(task):
            continue
        yield problem_at(
            task, entry,
            "`until` on a `poll: 0` launch makes Ansible start a new job on every "
            "retry: wait for the job with `async_status` instead",
            _wait_fix(task),
        )
