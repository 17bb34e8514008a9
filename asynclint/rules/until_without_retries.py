"""`until` without `retries`.

## What it does
Finds an `async_status` wait with an `until` condition and no `retries`. An `until`
on any other task retries the task itself, where the default budget is a choice.

## Why is this bad?
Ansible then falls back to 3 retries, `delay` seconds apart (5 by default):
an `async_status` wait gives up after about 15 seconds, whatever the job's
`async` limit, and the job keeps running while the play fails. The budget of
the wait should be written down, next to the job it waits for.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 5
      async: 60
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 5
      async: 60
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 12
      delay: 5
```

## Fix safety
Adding `retries` so that `retries` x `delay` covers the job's `async` limit is
safe: the wait keeps its condition and only stops giving up early.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes.waits import retries_fix
from asynclint.model.readings import is_async_status
from asynclint.rules.helpers import (
    DEFAULT_DELAY,
    DEFAULT_RETRIES,
    is_launch,
    problem_at,
)
from asynclint.rules.wait_budget_too_short import job_limit

CODE = "ASY108"
NAME = "until-without-retries"
SEVERITY = "warning"
FIX = "safe"


def check(ctx) -> Iterator[Problem]:
    limits = {wait: job_limit(launches) for wait, launches in ctx.awaited_launches}
    for task in ctx.project.tasks():
        until = task.entry("until")
        if until is None or task.has("retries") or is_launch(task) or not is_async_status(task):
            continue
        yield problem_at(
            task, until,
            f"`until` without `retries` makes Ansible give up after its default of "
            f"{DEFAULT_RETRIES} retries",
            retries_fix(task, limits[task], DEFAULT_DELAY) if task in limits else None,
        )
