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
Adding `until: <register> is finished` with `retries` and `delay` covering the
job's `async` limit is safe: the task then waits, as its name suggests.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.model import Task
from asynclint.rules.helpers import is_async_status, problem_at

CODE = "ASY117"
NAME = "status-check-without-until"
SEVERITY = "warning"
FIX = "safe"


def is_status_check(task: Task) -> bool:
    """`mode: status` (the default); `mode: cleanup` or a templated mode is not."""
    return task.arg_value("mode", "status") == "status"


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        if not is_async_status(task) or task.has("until") or not is_status_check(task):
            continue
        yield problem_at(
            task, task.action_entry,
            "`async_status` without `until` makes Ansible check the job once and move on "
            "without waiting for it",
        )
