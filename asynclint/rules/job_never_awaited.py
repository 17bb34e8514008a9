"""A registered `poll: 0` job that no `async_status` ever waits for.

## What it does
Finds a background launch (`async: N`, `poll: 0`) that registers its result, when no
`async_status` task later in the playbook reads its job id: directly, through a `set_fact`
alias, through a loop over `.results`, or in an included task file.

## Why is this bad?
A job's failure surfaces only at `async_status`. Nothing reports a job that is never awaited:
the play succeeds even when the job failed, the job may outlive the playbook, and its status
file stays behind in the async directory. A launch without `register` is read as deliberate
fire-and-forget and is not reported.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: /usr/local/bin/build
      async: 600
      poll: 0
      register: build
```

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: /usr/local/bin/build
      async: 600
      poll: 0
      register: build
    - ansible.builtin.async_status:
        jid: "{{ build.ansible_job_id }}"
      register: build_job
      until: build_job is finished
      retries: 60
      delay: 10
```

## Fix safety
Appending a wait (and a `mode: cleanup`) at the end of the play section is unsafe: the play
then waits for the job and fails when the job fails, which changes its timing and outcome.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.rules.helpers import problem_at

CODE = "ASY105"
NAME = "job-never-awaited"
SEVERITY = "warning"
FIX = "unsafe"


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        if not job.is_launch or job.register is None or job.node.play is None:
            continue
        if job.waits or job.cleanups or not job.traceable:
            continue
        yield problem_at(
            job.task, job.task.entry("register"),
            f"no `async_status` ever waits for the job registered as `{job.register}`: Ansible "
            "never reports its failure and leaves its status file behind; wait on "
            f"`{job.register}.ansible_job_id`",
        )
