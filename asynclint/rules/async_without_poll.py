"""`async` without `poll`.

## What it does
Finds a task with `async` and no `poll`.

## Why is this bad?
Without `poll` Ansible checks the job every 15 seconds (the default): a job
that takes one second holds the play for about sixteen. Say how often to
check (`poll: 2`), or `poll: 0` to start the job in the background.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 1
      async: 30
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 1
      async: 30
      poll: 2
```

## Fix safety
An explicit `poll` is only suggested (display-only): which interval fits the
job is the author's call.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Applicability, Fix
from asynclint.fixes.yaml_edit import insert_entries
from asynclint.model import Task
from asynclint.rules.helpers import DEFAULT_POLL, int_value, problem_at

CODE = "ASY111"
NAME = "async-without-poll"
SEVERITY = "info"
FIX = "display-only"


def _explicit_poll(task: Task) -> Fix | None:
    edit = insert_entries(task.source, task.map, [f"poll: {DEFAULT_POLL}"], after=task.entry("async"))
    if edit is None:
        return None
    return Fix("Write the polling interval explicitly (`poll`)", (edit,), Applicability.DISPLAY_ONLY)


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        limit = int_value(task, "async")
        if limit is None or limit <= 0 or task.has("poll") or task.include is not None:
            continue
        if task.action is None or ctx.actions.supports_async(task.action) is False:
            continue
        yield problem_at(
            task, task.entry("async"),
            f"`async` without `poll` makes Ansible check the job every {DEFAULT_POLL} s: even "
            "a short job holds the play that long",
            _explicit_poll(task),
        )
