"""A wait on a launch that runs under `when:`, without a guard of its own.

## What it does
Finds an `async_status` task waiting for a `poll: 0` launch that has a `when` condition (its
own or from an enclosing block or include) when the wait has no condition reading the
launch's register (`when: launch is not skipped`) or the variables of the launch's condition.

## Why is this bad?
A skipped launch registers a skipped result with no `ansible_job_id`; the unguarded wait then
fails at run time on an undefined job id, though nothing went wrong.

## Example
```yaml
- hosts: localhost
  tasks:
    - ansible.builtin.command: sleep 5
      async: 10
      poll: 0
      register: launch
      when: run_job | default(false)
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
      when: run_job | default(false)
    - ansible.builtin.async_status:
        jid: "{{ launch.ansible_job_id }}"
      register: job
      until: job is finished
      retries: 10
      delay: 1
      when: launch is not skipped
```

## Fix safety
Adding `when: <register> is not skipped` to the wait is safe: it waits exactly when there is a
job to wait for.
"""

from __future__ import annotations

from typing import Iterator

from asynclint.expressions import value_references
from asynclint.findings import Problem
from asynclint.rules.helpers import problem_at

CODE = "ASY112"
NAME = "unguarded-wait-on-conditional-launch"
SEVERITY = "warning"
FIX = "safe"


def _names(conditions: tuple[object, ...] | list[object]) -> set[str]:
    return {ref.name for condition in conditions
            for ref in value_references(condition, bare=True)}


def check(ctx) -> Iterator[Problem]:
    for job in ctx.graph.jobs():
        if not job.is_launch or not job.guards or job.register is None:
            continue
        launch_names = _names(job.guards)
        for wait in job.waits:
            guard = _names(wait.node.step.inherited("when"))
            if guard & (launch_names | {job.register, wait.variable}):
                continue
            task = wait.node.task
            yield problem_at(
                task, task.action_entry,
                f"the launch registering `{job.register}` runs only under `when`, but this wait "
                f"has no guard: when the launch is skipped `{job.register}` has no "
                f"`ansible_job_id` and the wait fails; add `when: {job.register} is not skipped`",
            )
