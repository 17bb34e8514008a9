"""`async_status` with `mode: cleanup` on a job that is waited for afterwards.

## What it does
Finds an `async_status` task with `mode: cleanup` when a later `async_status` task in the same
run waits for the same job.

## Why is this bad?
`mode: cleanup` removes the job's status file; it does not stop the job. Any later wait for
that job fails with "could not find job", whether the job is still running or already done.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
        mode: cleanup
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
```

## Use instead
```yaml
- hosts: localhost
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
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
        mode: cleanup
```

## Fix safety
No fix: whether the cleanup or the wait is misplaced is a decision about the playbook's intent.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.rules.helpers import problem_at

CODE = "ASY106"
NAME = "wait-after-cleanup"
SEVERITY = "error"
FIX = None


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        for cleanup in job.cleanups:
            later = [wait for wait in job.waits if wait.node.index > cleanup.node.index]
            if not later:
                continue
            task = cleanup.node.task
            yield problem_at(
                task, task.arg("mode") or task.action_entry,
                f"`mode: cleanup` removes the status file of the job `{job.register}` that a "
                f"later `async_status` (line {later[0].node.line}) waits for: that wait fails "
                "with \"could not find job\"; clean up after the last wait",
            )
