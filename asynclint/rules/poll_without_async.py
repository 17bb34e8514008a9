"""`poll` on a task without `async`.

## What it does
Finds `poll` on a task that has no `async`, or `async: 0`.

## Why is this bad?
`poll` only means something for a background job. Without `async` Ansible
ignores it silently and runs the task synchronously: a `poll: 0` that was
meant to start a job in the background does nothing of the sort.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 1
      poll: 0
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 1
      async: 30
      poll: 0
```

## Fix safety
Removing the ignored `poll` is safe: Ansible ignores it already, so the
playbook does exactly what it did before.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes import Applicability
from asynclint.fixes.yaml_edit import removal_fix
from asynclint.model import Task
from asynclint.rules.helpers import int_value, problem_at

CODE = "ASY110"
NAME = "poll-without-async"
SEVERITY = "warning"
FIX = "safe"


def runs_synchronously(task: Task) -> bool:
    """No `async`, or a literal `async: 0`."""
    return not task.has("async") or int_value(task, "async") == 0


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        poll = task.entry("poll")
        if poll is None or task.include is not None or not runs_synchronously(task):
            continue
        yield problem_at(
            task, poll,
            "Ansible ignores `poll` without `async` (or with `async: 0`): the task runs "
            "synchronously",
            None if task.arg("async") is not None else  # the `async` is misplaced (ASY006)
            removal_fix(task.source, task.map, [poll], "Remove the ignored `poll`",
                        Applicability.SAFE),
        )
