"""`async_status` without `until`.

## What it does
Finds an `async_status` task with no `until` condition (cleanup tasks,
`mode: cleanup`, are left alone).

## Why is this bad?
Without `until` Ansible checks the job once and moves on: the task reports
`finished: false` for a job still running, and the play goes ahead as if it
had waited. Failures of the job go unnoticed.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 2
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 2
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
```

## Fix safety
Adding `until: <register> is finished` (or `<register>.finished` when the file
writes that form) with `retries` and `delay` covering the job's `async` limit is
safe: the task then waits, as its name suggests. A task without `register` gets
one with a name the file does not use yet; a `delay` already set is kept and a
`retries` too short for the `async` limit is raised. The fix is offered when
the launch, and so its `async` limit, is known.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Edit, Fix
from asynclint.fixes.waits import covering_retries, finished_test, fresh_name, wait_delay
from asynclint.fixes.yaml_edit import insert_entries, render_scalar, replace_value, style_of
from asynclint.model import Task
from asynclint.rules.helpers import (
    int_value,
    is_async_status,
    problem_at,
)
from asynclint.rules.wait_budget_too_short import job_limit

CODE = "ASY117"
NAME = "status-check-without-until"
SEVERITY = "warning"
FIX = "safe"


def is_status_check(task: Task) -> bool:
    """`mode: status` (the default); `mode: cleanup` or a templated mode is not."""
    return task.arg_value("mode", "status") == "status"


def _until_fix(task: Task, launches: tuple[Task, ...]) -> Fix | None:
    """Add `until: <register> is finished` (and `register` when missing), with `retries` and
    `delay` that cover the longest `async` of the launches the task waits for."""
    limit = job_limit(launches)
    delay = task.value("delay") if task.has("delay") else wait_delay(limit)
    if (isinstance(delay, bool) or not isinstance(delay, (int, float)) or delay <= 0
            or limit <= 0 or task.action_entry is None):
        return None
    source, style = task.source, style_of(task.source)
    register = task.register
    lines = []
    if register is None:
        names = {launch.register for launch in launches}
        base = f"{names.pop()}_status" if len(names) == 1 and None not in names else "job_status"
        register = fresh_name(source.text, base)
        lines.append(f"register: {register}")
    lines.append("until: " + render_scalar(finished_test(source.text, register), style))
    retries = covering_retries(limit, delay)
    edits: list[Edit | None] = []
    current = int_value(task, "retries") if task.has("retries") else None
    if not task.has("retries"):
        lines.append(f"retries: {retries}")
    elif current is None:
        return None
    elif current * delay < limit:
        edits.append(replace_value(source, task.entry("retries"), str(retries)))  # type: ignore[arg-type]
    if not task.has("delay"):
        lines.append(f"delay: {delay}")
    anchor = task.entry("register") or task.action_entry
    edits.append(insert_entries(source, task.map, lines, after=anchor))
    if None in edits:
        return None
    return Fix(f"Wait until `{register}` is finished", tuple(e for e in edits if e is not None))


def check(ctx) -> Iterator[Problem]:
    launches = dict(ctx.awaited_launches)
    for task in ctx.project.tasks():
        if not is_async_status(task) or task.has("until") or not is_status_check(task):
            continue
        yield problem_at(
            task, task.action_entry,
            "`async_status` without `until` makes Ansible check the job once and move on "
            "without waiting for it",
            _until_fix(task, launches[task]) if task in launches else None,
        )
