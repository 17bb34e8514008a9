"""An `async_status` wait that gives up before the job's `async` limit.

## What it does
Finds an `async_status` wait whose retry budget, `retries` x `delay`
(Ansible's defaults: 3 retries, 5 s apart), is shorter than the `async` limit
of the `poll: 0` launch it waits for. The launch is found through the
register the wait's `jid` reads.

## Why is this bad?
`async` says how long the job may run. A wait that stops earlier fails the
play while the job is still allowed to run, and the job keeps running
unattended.

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 30
      async: 60
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 5
      delay: 2
```

## Use instead
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 30
      async: 60
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 30
      delay: 2
```

## Fix safety
Raising `retries` so that `retries` x `delay` covers the `async` limit is
safe: the wait keeps its condition and only stops giving up early.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.fixes.waits import retries_fix
from asynclint.model import Task
from asynclint.rules.helpers import (
    DEFAULT_DELAY,
    int_value,
    never_retries,
    problem_at,
    wait_budget,
)

CODE = "ASY109"
NAME = "wait-budget-too-short"
SEVERITY = "warning"
FIX = "safe"


def job_limit(launches: tuple[Task, ...]) -> int | float:
    """The longest `async` limit among the launches a wait waits for."""
    return max(int_value(launch, "async") or 0 for launch in launches)


def check(ctx) -> Iterator[Problem]:
    for wait, launches in ctx.awaited_launches:
        if not wait.has("until") or never_retries(wait):  # retries-zero-with-until
            continue
        budget = wait_budget(wait)
        limit = job_limit(launches)
        if budget is None or budget >= limit:
            continue
        yield problem_at(
            wait, wait.entry("retries") or wait.entry("until"),
            f"The wait gives up after `retries` x `delay` = {budget:g} s while the job may run "
            f"for `async: {limit:g}` s: Ansible fails the wait and the job keeps running",
            retries_fix(wait, limit, DEFAULT_DELAY),
        )
