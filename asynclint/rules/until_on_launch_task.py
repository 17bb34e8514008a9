"""`until` on the `poll: 0` launch itself.

## What it does
Finds `until` on a background launch (`async: N`, `poll: 0`).

## Why is this bad?
Ansible retries the task until the condition holds, and retrying a launch
starts the job again: every retry launches a new background job, while the
condition only ever sees a launch result (`finished` is false). Waiting is the
job of a separate `async_status` task. (`retries` without `until` does not
re-launch: a launch never fails, so there is nothing to retry.)

## Example
```yaml
- hosts: localhost
  gather_facts: false
  tasks:
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
      until: launch is finished
      retries: 5
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
      retries: 5
      delay: 2
```

## Fix safety
Moving `until`/`retries`/`delay` into a generated `async_status` wait is
unsafe: the play now waits for the job where it did not before.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.findings import Problem
from asynclint.rules.helpers import is_launch, problem_at

CODE = "ASY114"
NAME = "until-on-launch-task"
SEVERITY = "error"
FIX = "unsafe"


def check(ctx) -> Iterator[Problem]:
    for task in ctx.project.tasks():
        entry = task.entry("until")
        if entry is None or not is_launch(task):
            continue
        yield problem_at(
            task, entry,
            "`until` on a `poll: 0` launch makes Ansible start a new job on every "
            "retry: wait for the job with `async_status` instead",
        )
