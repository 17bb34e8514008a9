"""`jid` read from the top level of a looped launch's register.

## What it does
Finds an `async_status` task whose `jid` is `<register>.ansible_job_id` (or
`<register>['ansible_job_id']`) where `<register>` was registered by a looped `poll: 0` launch.

## Why is this bad?
A looped launch starts one job per item and registers a dict whose job ids sit under
`.results[i].ansible_job_id`; the dict itself has no `ansible_job_id`. The wait fails at run
time ("object of type 'dict' has no attribute 'ansible_job_id'") and no job is awaited.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: "sleep {{ item }}"
      loop: [1, 2]
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

## Use instead
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: "sleep {{ item }}"
      loop: [1, 2]
      async: 10
      poll: 0
      register: launch
    - ansible.builtin.async_status:
        jid: "{{ item.ansible_job_id }}"
      loop: "{{ launch.results }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
```

## Fix safety
Looping the wait over `<register>.results` with `<loop_var>.ansible_job_id` is safe: every job
of the launch is awaited, which is what the wait meant to do.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.graph.records import LOOPED_REGISTER
from asynclint.rules.helpers import problem_at

CODE = "ASY103"
NAME = "jid-from-looped-register"
SEVERITY = "error"
FIX = "safe"


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        for wait in (*job.waits, *job.cleanups):
            if wait.problem != LOOPED_REGISTER:
                continue
            task = wait.node.task
            yield problem_at(
                task, task.arg("jid") or task.action_entry,
                f"`jid` reads `{wait.variable}.ansible_job_id`, but `{wait.variable}` comes from "
                "a looped launch and has none (each job id is under `.results`): the wait fails "
                f"at run time; loop over `{wait.variable}.results` instead",
            )
