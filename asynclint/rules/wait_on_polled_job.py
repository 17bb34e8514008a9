"""`async_status` on a job that Ansible already polled to the end.

## What it does
Finds an `async_status` task reading the job id registered by a task run with `async` and
`poll > 0` (or without `poll`, which polls every 15 seconds).

## Why is this bad?
With `poll > 0` Ansible waits for the job itself and removes its status file when it is done.
A later `async_status` on that job id fails with "could not find job". The registered result
already holds the job's output.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 1
      async: 10
      poll: 2
      register: build
    - ansible.builtin.async_status:
        jid: "{{ build.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 1
      async: 10
      poll: 0
      register: build
    - ansible.builtin.async_status:
        jid: "{{ build.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
```

## Fix safety
No fix: either the wait is redundant (remove it) or the task was meant to run in the
background (`poll: 0`), and only the author knows which.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.rules.helpers import problem_at

CODE = "ASY113"
NAME = "wait-on-polled-job"
SEVERITY = "error"
FIX = None


def _how(task) -> str:
    return f"`poll: {task.value('poll')}`" if task.has("poll") else "no `poll` (polled every 15 s)"


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        if job.mode != "polled":
            continue
        for wait in job.waits:
            task = wait.node.task
            yield problem_at(
                task, task.action_entry,
                f"`{job.register or wait.variable}` comes from a task run with `async` and "
                f"{_how(job.task)}: "
                "Ansible already waited for that job and removed its status file, so this "
                "`async_status` fails with \"could not find job\"",
            )
