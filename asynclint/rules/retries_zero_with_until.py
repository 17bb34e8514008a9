"""`until` with `retries: 0`.

## What it does
Finds a task with an `until` condition and `retries: 0`.

## Why is this bad?
Ansible runs the task `retries + 1` times at most and tests `until` only when
there is more than one attempt. With `retries: 0` it runs the task once, never
tests `until`, and reports success: an `async_status` wait returns at once,
with the job still running.

## Example
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
      retries: 0
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
      retries: 10
      delay: 1
```

## Fix safety
Setting `retries` so that `retries` x `delay` covers the job's `async` limit
is safe: the wait then waits, as its `until` says.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes.waits import retries_fix
from asynclint.rules.helpers import (
    DEFAULT_DELAY,
    is_launch,
    never_retries,
    problem_at,
)
from asynclint.rules.wait_budget_too_short import job_limit

CODE = "ASY107"
NAME = "retries-zero-with-until"
SEVERITY = "error"
FIX = "safe"


def check(ctx) -> Iterator[Problem]:
    limits = {wait: job_limit(launches) for wait, launches in ctx.awaited_launches}
    for task in ctx.project.tasks():
        if task.has("until") and never_retries(task) and not is_launch(task):
            yield problem_at(
                task, task.entry("retries"),
                f"With `retries: {task.value('retries')}` Ansible runs the task once and "
                "reports success without ever testing `until`",
                retries_fix(task, limits[task], DEFAULT_DELAY) if task in limits else None,
            )
