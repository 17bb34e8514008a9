"""A looped task with `async` and `poll` > 0.

## What it does
Finds a loop (`loop:`, `with_*:`) on a task that runs with `async` and a
`poll` greater than 0 (no `poll` means every 15 s).

## Why is this bad?
Ansible waits for each item's job before it starts the next one: the items
run one at a time, exactly as without `async`. To run them together, launch
them with `poll: 0` and wait for all of them with one `async_status` loop
over the register's `results`.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: "sleep {{ item }}"
      async: 30
      poll: 1
      loop: [1, 2, 3]
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: "sleep {{ item }}"
      async: 30
      poll: 0
      loop: [1, 2, 3]
      register: sleeps
    - ansible.builtin.async_status:
        jid: "{{ job.ansible_job_id }}"
      loop: "{{ sleeps.results }}"
      loop_control:
        loop_var: job
      register: waited
      until: waited is finished
      retries: 30
      delay: 1
```

## Fix safety
There is no automatic fix: running the items together changes timing and
concurrency, so the rewrite is left to the author.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.rules.helpers import int_value, poll_interval, problem_at

CODE = "ASY203"
NAME = "sequential-async-loop"
SEVERITY = "info"


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        if task.loop is None or task.include is not None:
            continue
        limit = int_value(task, "async")
        poll = poll_interval(task)
        if limit is None or limit <= 0 or poll is None or poll <= 0:
            continue
        yield problem_at(
            task, task.loop,
            f"With `async` polled every {poll:g} s Ansible waits for each item's job before "
            f"starting the next: `{task.loop.name}` runs its items one at a time",
        )
